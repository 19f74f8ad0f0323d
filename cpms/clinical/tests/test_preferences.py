import pytest
from django.utils import timezone

from cpms.access.tests.factories import make_grant, make_tree
from cpms.audit.models import AuditEvent
from cpms.clinical.models import ErnPreference
from cpms.test import sign_in

from .factories import complete_profile, make_areas

pytestmark = pytest.mark.django_db

URL = "/cpms/preferences/"


def field(ern) -> str:
    return f"areas_{ern.pk}"


def test_it_needs_a_signed_in_user(client):
    assert client.get(URL).url == f"/login/?next={URL}"
    assert client.post(URL).url == f"/login/?next={URL}"


def test_it_shows_the_current_choices(client, bob_in_cpms, rnd_areas):
    sign_in(client, bob_in_cpms.user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "ERN Preferences" in page
    assert 'value="Neurologist"' in page
    assert (
        f'value="{rnd_areas[0].pk}" class="form-check-input" id="id_{field(rnd_areas[0].ern)}_0" checked'
        in page
    )
    assert f'value="{rnd_areas[1].pk}" class="form-check-input" id="id_{field(rnd_areas[0].ern)}_1">' in page
    assert 'href="/cpms/preferences/" aria-current="page"' in page  # the side navigation


def test_it_shows_only_the_users_own_choices(client, alice, bob_in_cpms, rnd, rnd_areas):
    make_grant(alice, rnd.hcp)
    complete_profile(alice, job_title="Geneticist", areas=rnd_areas[1:2])
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert "Geneticist" not in page
    assert f'value="{rnd_areas[1].pk}" class="form-check-input" id="id_{field(rnd.ern)}_1">' in page


def test_it_saves_changes(client, bob_in_cpms, rnd, rnd_areas):
    bob = bob_in_cpms.user
    sign_in(client, bob)
    response = client.post(URL, {"job_title": "Paediatric neurologist", field(rnd.ern): [rnd_areas[1].pk]})
    assert response.url == URL
    bob_in_cpms.refresh_from_db()
    assert bob_in_cpms.job_title == "Paediatric neurologist"
    assert list(ErnPreference.objects.get(user=bob).thematic_areas.all()) == [rnd_areas[1]]
    event = AuditEvent.objects.filter(action="clinical.preferences.saved").get()
    assert event.data["first_use"] is False
    assert "Your ERN preferences are saved." in client.get(URL).content.decode()


def test_it_keeps_the_first_use_date(client, bob_in_cpms, rnd, rnd_areas):
    completed_at = bob_in_cpms.completed_at
    sign_in(client, bob_in_cpms.user)
    client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [rnd_areas[1].pk]})
    bob_in_cpms.refresh_from_db()
    assert bob_in_cpms.completed_at == completed_at


@pytest.mark.parametrize("tampered", ["99999", "x' OR 1=1", "1.5"])
def test_it_refuses_tampered_areas_and_changes_nothing(client, bob_in_cpms, rnd, rnd_areas, tampered):
    sign_in(client, bob_in_cpms.user)
    response = client.post(URL, {"job_title": "Changed", field(rnd.ern): [rnd_areas[1].pk, tampered]})
    assert response.status_code == 200
    assert "One of the chosen thematic areas is not offered in ERN-RND" in response.content.decode()
    bob_in_cpms.refresh_from_db()
    assert bob_in_cpms.job_title == "Neurologist"
    assert list(ErnPreference.objects.get(user=bob_in_cpms.user).thematic_areas.all()) == [rnd_areas[0]]


def test_it_refuses_an_area_of_another_ern(client, bob_in_cpms, rnd, nmd_areas):
    sign_in(client, bob_in_cpms.user)
    response = client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [nmd_areas[0].pk]})
    assert response.status_code == 200
    assert "is not offered in ERN-RND - Neurological Diseases" in response.content.decode()


def test_it_keeps_the_choices_of_an_ern_whose_grant_ended(client, bob, rnd, rnd_areas, nmd, nmd_areas):
    make_grant(bob, rnd.hcp)
    nmd_grant = make_grant(bob, nmd.hcp)
    complete_profile(bob, areas=[rnd_areas[0], nmd_areas[0]])
    nmd_grant.revoked_at = timezone.now()
    nmd_grant.save()
    sign_in(client, bob)
    page = client.get(URL).content.decode()
    assert "EURO-NMD" not in page
    client.post(URL, {"job_title": "Neurologist", field(rnd.ern): [rnd_areas[2].pk]})
    assert list(ErnPreference.objects.get(user=bob, ern=nmd.ern).thematic_areas.all()) == [nmd_areas[0]]
    assert list(ErnPreference.objects.get(user=bob, ern=rnd.ern).thematic_areas.all()) == [rnd_areas[2]]


def test_it_asks_for_the_areas_of_a_new_ern(client, bob_in_cpms, nmd, nmd_areas):
    make_grant(bob_in_cpms.user, nmd.hcp)
    sign_in(client, bob_in_cpms.user)
    page = client.get(URL).content.decode()
    assert "EURO-NMD - Neuromuscular Diseases" in page
    assert nmd_areas[0].name in page


def test_it_makes_a_fixed_number_of_queries(client, bob_in_cpms, rnd, django_assert_num_queries):
    bob = bob_in_cpms.user
    sign_in(client, bob)
    client.get(URL)  # the session's "last active" write happens at most once a minute
    # session, user, the gate (grants, profile and navigation centres in one), their ERNs, areas offered,
    # areas chosen, the header's unread notifications
    with django_assert_num_queries(7):
        assert client.get(URL).status_code == 200
    for code in ("EURO-NMD", "VASCERN", "ERKNet"):
        tree = make_tree(ern_code=code, ern_name=code.title())
        make_grant(bob, tree.hcp)
        areas = make_areas(tree.ern, [("one", "One"), ("two", "Two")])
        bob.ern_preferences.create(ern=tree.ern).thematic_areas.add(*areas)
    with django_assert_num_queries(7):
        page = client.get(URL).content.decode()
    assert page.count(" checked") == 1 + 6
