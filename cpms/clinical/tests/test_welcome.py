import pytest

from cpms.access.tests.factories import make_grant
from cpms.audit.models import AuditEvent
from cpms.clinical.models import ClinicianProfile, ErnPreference
from cpms.test import sign_in

from .factories import complete_profile

pytestmark = pytest.mark.django_db

URL = "/cpms/welcome/"


@pytest.fixture
def bob_client(client, bob_hp, rnd_areas):
    return sign_in(client, bob_hp.user)


def field(ern) -> str:
    return f"areas_{ern.pk}"


def test_it_needs_a_signed_in_user(client):
    assert client.get(URL).url == f"/login/?next={URL}"


def test_it_asks_the_job_title_and_the_areas_of_each_ern(bob_client, rnd, rnd_areas):
    response = bob_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Welcome to CPMS" in page
    assert "Job title" in page
    assert "<legend" in page and "ERN-RND - Neurological Diseases" in page
    for area in rnd_areas:
        assert area.name.replace("'", "&#x27;") in page
        assert f'value="{area.pk}"' in page


def test_it_requires_the_job_title_and_one_area(bob_client, rnd):
    response = bob_client.post(URL, {"job_title": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert "Choose at least one thematic area in ERN-RND - Neurological Diseases." in page
    assert not ClinicianProfile.objects.exists()


def test_it_refuses_a_long_job_title(bob_client, rnd, rnd_areas):
    response = bob_client.post(URL, {"job_title": "x" * 121, field(rnd.ern): [rnd_areas[0].pk]})
    assert response.status_code == 200
    assert "Ensure this value has at most 120 characters" in response.content.decode()
    assert not ClinicianProfile.objects.exists()


@pytest.mark.parametrize("tampered", ["99999", "abc", "-1", ""])
def test_it_refuses_an_unknown_area(bob_client, rnd, tampered):
    response = bob_client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [tampered]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "ERN-RND - Neurological Diseases" in page
    assert "is not offered in" in page or "Choose at least one thematic area" in page
    assert not ClinicianProfile.objects.exists()


def test_it_refuses_an_area_of_another_ern(bob_client, rnd, nmd_areas):
    response = bob_client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [nmd_areas[0].pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "One of the chosen thematic areas is not offered in ERN-RND - Neurological Diseases." in page
    assert f'aria-describedby="id_{field(rnd.ern)}-error"' in page
    assert f'id="id_{field(rnd.ern)}-error"' in page
    assert not ClinicianProfile.objects.exists()


def test_it_refuses_areas_in_an_ern_without_grant(bob_client, rnd, rnd_areas, nmd, nmd_areas):
    response = bob_client.post(
        URL,
        {"job_title": "Neurologist", field(rnd.ern): [rnd_areas[0].pk], field(nmd.ern): [nmd_areas[0].pk]},
    )
    assert response.status_code == 200
    assert (
        "You can choose thematic areas only in the ERNs where you have access to CPMS."
        in response.content.decode()
    )
    assert not ClinicianProfile.objects.exists()


def test_it_saves_and_goes_to_the_dashboard(bob_client, bob, rnd, rnd_areas):
    response = bob_client.post(
        URL, {"job_title": " Consultant neurologist ", field(rnd.ern): [rnd_areas[0].pk, rnd_areas[2].pk]}
    )
    assert response.status_code == 302
    assert response.url == "/cpms/"
    profile = ClinicianProfile.objects.get(user=bob)
    assert profile.job_title == "Consultant neurologist"
    assert profile.completed_at is not None
    preference = ErnPreference.objects.get(user=bob, ern=rnd.ern)
    assert set(preference.thematic_areas.all()) == {rnd_areas[0], rnd_areas[2]}
    event = AuditEvent.objects.get(action="clinical.preferences.saved")
    assert event.actor_id == bob.pk
    assert event.data["first_use"] is True
    assert event.data["areas"] == {"ERN-RND": ["ataxia-hsp", "ftd"]}
    page = bob_client.get("/cpms/").content.decode()
    assert "Welcome to CPMS. Your profile is saved." in page


def test_it_asks_one_area_in_each_ern(client, bob, rnd, rnd_areas, nmd, nmd_areas):
    make_grant(bob, rnd.hcp)
    make_grant(bob, nmd.hcp)
    sign_in(client, bob)
    response = client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [rnd_areas[0].pk]})
    assert response.status_code == 200
    assert (
        "Choose at least one thematic area in EURO-NMD - Neuromuscular Diseases." in response.content.decode()
    )
    response = client.post(
        URL,
        {"job_title": "Neurologist", field(rnd.ern): [rnd_areas[0].pk], field(nmd.ern): [nmd_areas[1].pk]},
    )
    assert response.url == "/cpms/"
    assert ErnPreference.objects.filter(user=bob).count() == 2


def test_it_does_not_require_areas_in_an_ern_that_has_none(client, bob, nmd):
    make_grant(bob, nmd.hcp)
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "No thematic areas are defined for this ERN yet" in page
    assert client.post(URL, {"job_title": "Myologist"}).url == "/cpms/"


def test_it_is_skipped_on_the_second_visit(bob_client, bob, rnd_areas):
    complete_profile(bob, areas=rnd_areas[:1])
    assert bob_client.get(URL).url == "/cpms/"
    assert bob_client.get("/cpms/").status_code == 200


def test_it_refuses_a_user_without_grant(client, bob, rnd, rnd_areas):
    sign_in(client, bob)
    response = client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [rnd_areas[0].pk]})
    assert response.url == "/cpms/no-access/"
    assert not ClinicianProfile.objects.exists()
