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
