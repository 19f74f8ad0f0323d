"""The CSV export of a result: suppressed cells as the mark, audited with its parameters."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.test import Client

from cpms.audit.models import AuditEvent
from cpms.test import sign_in

from ..queries import QUERY_EXPORTED

# Session and user, the gate (grants and first-use profile); the ERN; the result; the audit event.
QUERIES = 6


def url(world, **parameters) -> str:
    return f"/cpms/research/{world.rnd.ern.pk}/export/?{urlencode(parameters)}"


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_sends_anonymous_visitors_to_sign_in(client, swept):
    response = client.get(url(swept))
    assert response.status_code == 302 and "/login" in response.url


@pytest.mark.parametrize("who", ["enrolling", "coordinator", "other_ern"])
def test_it_is_404_for_everyone_but_the_erns_researchers(swept, who):
    assert sign_in(Client(), getattr(swept, who)).get(url(swept)).status_code == 404


def test_it_exports_the_cross_tabulation_with_the_suppression_mark(swept):
    rows = rows_of(sign_in(Client(), swept.researcher).get(url(swept, rows="sex", columns="age_band")))
    assert rows[0] == ["rows=sex", "columns=age_band"]
    assert rows[2] == ["Sex", "0–17 years", "18–39 years", "Total"]
    assert rows[3] == ["Female", "0", "8", "8"]
    assert rows[4] == ["Male", "*", "*", "5"]
    assert rows[5] == ["Total", "*", "*", "13"]
    body = b"".join(sign_in(Client(), swept.researcher).get(url(swept, rows="country")).content.split())
    for patient in swept.consented:
        assert patient.pseudonym.encode() not in body


def test_it_exports_a_count(swept):
    rows = rows_of(sign_in(Client(), swept.researcher).get(url(swept, diagnosis="G40")))
    assert rows[-2:] == [["Cases"], ["*"]]
    rows = rows_of(sign_in(Client(), swept.researcher).get(url(swept)))
    assert rows[0] == ["All cases"] and rows[-1] == ["13"]


def test_hostile_parameters_are_a_form_error(swept):
    response = sign_in(Client(), swept.researcher).get(url(swept, rows="id", year_from="x"))
    assert response.status_code == 400 and b"There is a problem" in response.content
    assert not AuditEvent.objects.filter(action=QUERY_EXPORTED).exists()


def test_it_is_audited_with_its_parameters(swept):
    sign_in(Client(), swept.researcher).get(url(swept, gene="scn1a", rows="year"))
    event = AuditEvent.objects.get(action=QUERY_EXPORTED)
    assert event.actor_id == swept.researcher.pk
    assert event.data == {"parameters": {"gene": "SCN1A", "rows": "year"}}


def test_its_query_count_is_pinned(swept, django_assert_num_queries):
    client = sign_in(Client(), swept.researcher)
    with django_assert_num_queries(QUERIES):
        assert client.get(url(swept, rows="sex", columns="year")).status_code == 200
