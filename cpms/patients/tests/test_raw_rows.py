"""The database never holds a name, a date of birth or a hospital number in clear: read every row of
every table raw, after an enrolment through the page, and look for them."""

from django.db import connection
from django.urls import reverse

from cpms.test import sign_in

from .factories import pdf_upload

SECRETS = ("Wilhelmina", "Zwanenburg", "1993-07-09", "HOSP-31337", "NAT-55667788")


def every_cell() -> str:
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from introspection)
            cells.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(cells)


def test_it_finds_no_identifying_value_in_clear_in_any_table(client, world):
    sign_in(client, world.enrolling)
    answers = {
        "given_names": "Wilhelmina",
        "family_name": "Zwanenburg",
        "birth_date": "1993-07-09",
        "sex_at_birth": "female",
        "hospital_number": "HOSP-31337",
        "national_id": "NAT-55667788",
        "country_of_residence": "DE",
        "vital_status": "alive",
        "care_consent": "on",
        "registries_consent": "given",
        "research_contact_consent": "given",
        "consent_date": "2026-11-30",
        "consent_form": pdf_upload("Wilhelmina Zwanenburg consent.pdf"),
    }
    assert (
        client.post(reverse("patients:patient-enrol", kwargs={"centre": world.de22.pk}), answers).status_code
        == 302
    )
    pseudonym = client.get(reverse("patients:centre-patient-list", kwargs={"centre": world.de22.pk}))
    assert pseudonym.status_code == 200
    dump = every_cell().lower()
    assert "cpms-" in dump  # the dump reads the patient rows
    for secret in SECRETS:
        assert secret.lower() not in dump, f"{secret} is stored in clear"
    assert "09/07/1993" not in dump and "19930709" not in dump
