"""The OpenAPI document and the interactive docs: public, valid, and under the strict CSP."""

import yaml
from rest_framework.throttling import AnonRateThrottle


def test_it_publishes_a_valid_openapi_document(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/patients/", "/api/v1/panels/{panel}/", "/api/v1/meetings/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["cpmsLogin"]["scheme"] == "bearer"
    patch = schema["paths"]["/api/v1/panels/{panel}/"]["patch"]
    assert "If-Match" in {parameter["name"] for parameter in patch["parameters"]}


def test_the_docs_page_loads_its_script_from_our_site_under_the_csp(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html  # every script has a src
    assert "cdn" not in html.lower() and "https://" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in page.headers["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_it_throttles_anonymous_callers_429(db, client, monkeypatch):
    # DRF reads the rates into the class when it is defined: a lower rate for this test.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "600/min"})
    statuses = [client.get("/api/v1/panels/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert client.get("/api/v1/panels/").json()["status"] == 429


def operation(schema, path: str, method: str = "post") -> dict:
    return schema["paths"][path][method]


def responses_of(found: dict) -> set[str]:
    return set(found["responses"])


def if_match_required(found: dict) -> bool:
    return any(p["name"] == "If-Match" and p["in"] == "header" and p["required"] for p in found["parameters"])


def body_fields(schema, found: dict) -> set[str]:
    reference = found["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return set(schema["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"])


def test_it_describes_the_panels_actions(client):
    """Each action: If-Match required, its body, and 409 (state) / 412 (stale) / 428 (no If-Match)."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    submit = operation(schema, "/api/v1/panels/{panel}/submit/")
    assert if_match_required(submit) and "requestBody" not in submit
    assert {"200", "409", "412", "428"} <= responses_of(submit)
    invitation = operation(schema, "/api/v1/panels/{panel}/invitation/")
    assert if_match_required(invitation)
    assert body_fields(schema, invitation) == {"decision", "reason"}
    assert {"200", "204", "400", "409", "412", "428"} <= responses_of(invitation)
    triage = operation(schema, "/api/v1/panels/{panel}/triage/")
    assert if_match_required(triage)
    assert body_fields(schema, triage) == {"decision", "lead", "text", "ern", "thematic_area"}
    assert {"200", "204", "400", "409", "412", "428"} <= responses_of(triage)
    signoff = operation(schema, "/api/v1/panels/{panel}/outcome/signoff/")
    assert if_match_required(signoff)
    assert body_fields(schema, signoff) == {"decision", "comment"}
    assert {"200", "400", "409", "412", "428"} <= responses_of(signoff)
    problem = signoff["responses"]["409"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_it_describes_the_change_of_a_case(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    patch = operation(schema, "/api/v1/patients/{pseudonym}/case/", "patch")
    assert if_match_required(patch)
    fields = body_fields(schema, patch)
    assert {"onset", "clinical_history", "undiagnosed", "diagnoses", "phenotypes", "variants"} <= fields
    assert "pseudonym" not in fields and "attachments" not in fields
    assert {"200", "400", "412", "428"} <= responses_of(patch)


def test_it_describes_the_recording_of_a_consent(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    post = operation(schema, "/api/v1/patients/{pseudonym}/consents/")
    assert if_match_required(post)
    assert body_fields(schema, post) == {"kind", "status", "date"}
    assert {"200", "400", "412", "428"} <= responses_of(post)
