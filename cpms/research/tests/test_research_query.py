"""The query builder: researchers of the ERN only; filters with descendants; counts and
cross-tabulations with small cells suppressed; hostile parameters are form errors; every run audited;
no pseudonym, centre or identifying field in a response."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from cpms.audit.models import AuditEvent
from cpms.coding.models import Concept
from cpms.patients.models import Patient
from cpms.patients.models.patient import ConsentStatus
from cpms.test import sign_in

from ..queries import QUERY_RUN, count_of, filtered_cases
from ..sweep import run_sweep

# Session and user, the gate, the header's notifications; the ERN; the result; the audit event.
QUERIES = 7
SUPPRESSED = '<span aria-describedby="suppression-note">*</span>'


def url(world, **parameters) -> str:
    query = urlencode({**parameters, "run": "1"}) if parameters is not None else ""
    return f"/cpms/research/{world.rnd.ern.pk}/?{query}"


def get(user, path: str, status: int = 200) -> str:
    response = sign_in(Client(), user).get(path)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def count_in(html: str) -> str:
    return html.split("data-research-count>", 1)[1].split("</p>", 1)[0]


def test_it_sends_anonymous_visitors_to_sign_in(client, swept):
    response = client.get(url(swept))
    assert response.status_code == 302 and "/login" in response.url


@pytest.mark.parametrize("who", ["enrolling", "other_centre", "guest", "coordinator", "other_ern"])
def test_it_is_404_for_everyone_but_the_erns_researchers(swept, who):
    get(getattr(swept, who), url(swept), status=404)


def test_it_is_404_for_another_erns_researchers(swept):
    get(swept.researcher, f"/cpms/research/{swept.nmd.ern.pk}/?run=1", status=404)
    get(swept.researcher, "/cpms/research/999999/?run=1", status=404)


def test_it_shows_the_form_without_running_anything(swept):
    html = get(swept.researcher, f"/cpms/research/{swept.rnd.ern.pk}/")
    assert "Run the query" in html and "data-research-count" not in html
    assert not AuditEvent.objects.filter(action=QUERY_RUN).exists()


def test_it_counts_the_cases_matching_the_filters(swept):
    assert count_in(get(swept.researcher, url(swept))) == "13"
    assert count_in(get(swept.researcher, url(swept, diagnosis="ORPHA:33069"))) == "10"
    assert count_in(get(swept.researcher, url(swept, diagnosis="orpha:33069", sex="female"))) == "8"
    assert count_in(get(swept.researcher, url(swept, gene="scn1a", age_band="18-39"))) == "10"
    assert count_in(get(swept.researcher, url(swept, year_from=2000, year_to=2100))) == "13"
    assert count_in(get(swept.researcher, url(swept, year_to=2000))) == "0"


def test_codes_count_their_descendants(swept):
    # HP:0001250 Seizure: 7 cases coded so, and 3 with its child HP:0007359 Focal-onset seizure.
    assert count_in(get(swept.researcher, url(swept, phenotype="HP:0001250"))) == "10"
    assert SUPPRESSED in count_in(get(swept.researcher, url(swept, phenotype="HP:0007359")))
    # ICD-10 G40 counts its subcategory G40.3 (3 cases: suppressed as fewer than 5).
    assert SUPPRESSED in count_in(get(swept.researcher, url(swept, diagnosis="G40")))
    assert count_in(get(swept.researcher, url(swept, diagnosis="G40.4"))) == "0"


def test_a_cell_of_3_is_suppressed_and_its_totals_cannot_reveal_it(swept):
    # Rows: sex (female 8, male 5); columns: age band (0–17: 3 men; 18–39: 8 women, 2 men).
    html = get(swept.researcher, url(swept, rows="sex", columns="age_band"))
    table = html.split("data-research-table>", 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]

    def cells(row: str) -> list[str]:
        return [cell.split(">", 1)[1].split("</td>", 1)[0].strip() for cell in row.split("<td")[1:]]

    female, male, totals = (cells(row) for row in rows)
    # Columns: 0–17, 18–39, total. Women: 0 and 8; men: 3 and 2, both suppressed, their total 5 shown.
    assert female == ["0", "8", "8"]
    assert male[0].startswith(SUPPRESSED) and male[1].startswith(SUPPRESSED) and male[2] == "5"
    # The column totals (3 and 10) would give the men's cells back: suppressed too (3 is small itself).
    assert totals[0].startswith(SUPPRESSED) and totals[1].startswith(SUPPRESSED)
    assert totals[2] == "13"  # 8 + 5: nothing more


def test_it_never_shows_a_pseudonym_a_centre_or_an_identifying_field(swept):
    for parameters in (
        {},
        {"rows": "country", "columns": "sex"},
        {"rows": "birth_decade", "columns": "year"},
        {"rows": "onset"},
    ):
        body = sign_in(Client(), swept.researcher).get(url(swept, **parameters)).content
        for patient in [swept.patient, *swept.consented]:
            assert patient.pseudonym.encode() not in body
            assert patient.family_name.encode() not in body
            assert patient.hospital_number.encode() not in body
        for centre in (swept.de22, swept.de05):
            assert centre.name.encode() not in body and f">{centre.code}<".encode() not in body


def test_a_withdrawn_consent_leaves_every_later_result(swept):
    assert count_in(get(swept.researcher, url(swept, diagnosis="ORPHA:33069"))) == "10"
    Patient.objects.unscoped().filter(pk=swept.consented[0].pk).update(
        registries_consent=ConsentStatus.WITHDRAWN
    )
    run_sweep()
    assert count_in(get(swept.researcher, url(swept, diagnosis="ORPHA:33069"))) == "9"


@pytest.mark.parametrize(
    "parameters",
    [
        {"diagnosis": "ORPHA:999999999"},
        {"diagnosis": "not a code"},
        {"diagnosis": "HP:0001250"},
        {"phenotype": "ORPHA:558"},
        {"phenotype": "HP:1"},
        {"gene": "<script>"},
        {"gene": "A" * 41},
        {"sex": "robot"},
        {"age_band": "1-2"},
        {"country": "XX"},
        {"year_from": "abc"},
        {"year_from": "99999999999999999999"},
        {"year_from": "2020", "year_to": "2010"},
        {"rows": "pseudonym"},
        {"rows": "sex", "columns": "sex"},
        {"columns": "sex"},
        {"diagnosis": "G40\x00"},
    ],
)
def test_hostile_parameters_are_a_form_error(swept, parameters):
    html = get(swept.researcher, url(swept, **parameters), status=400)
    assert "There is a problem" in html
    assert not AuditEvent.objects.filter(action=QUERY_RUN).exists()


def test_every_run_is_audited_with_its_parameters(swept):
    get(swept.researcher, url(swept, diagnosis="orpha:33069", rows="sex"))
    event = AuditEvent.objects.get(action=QUERY_RUN)
    assert event.actor_id == swept.researcher.pk
    assert event.data == {"parameters": {"diagnosis": "ORPHA:33069", "rows": "sex"}}


def test_its_query_count_is_pinned(swept, django_assert_num_queries):
    client = sign_in(Client(), swept.researcher)
    with django_assert_num_queries(QUERIES):
        assert client.get(url(swept, rows="sex", columns="country")).status_code == 200
    # Each code asked for is one look-up more.
    with django_assert_num_queries(QUERIES + 2):
        assert client.get(url(swept, diagnosis="ORPHA:33069", phenotype="HP:0001250")).status_code == 200


def test_it_lists_the_countries_by_name_and_keeps_the_chosen_one(swept):
    html = get(swept.researcher, url(swept, country="DE"))
    assert '<option value="DE" selected>Germany</option>' in html
    assert html.index(">Austria</option>") < html.index(">Belgium</option>") < html.index(">Germany</option>")


def test_an_hpo_count_alone_reads_the_erns_terms_and_gives_what_the_cases_give(swept):
    seizure = Concept.objects.get(code="HP:0001250")
    ern = swept.rnd.ern
    for data in ({"phenotype": seizure}, {"phenotype": seizure, "sex": "female"}):
        assert count_of(ern, data, filtered_cases(ern, data)) == filtered_cases(ern, data).count()
    assert count_of(ern, {"phenotype": seizure}, filtered_cases(ern, {})) == 10  # the terms, not the cases
    other = swept.nmd.ern
    assert count_of(other, {"phenotype": seizure}, filtered_cases(other, {})) == 0
