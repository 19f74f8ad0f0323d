"""Step 4 of "Request access": recap, comment, submit; then "Thank you!"."""

import pytest
from django.core import mail
from django.utils import timezone

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import (
    make_administrator,
    make_application,
    make_coordinator,
    make_grant,
    make_request,
    make_tree,
    profile,
    wizard_session,
)
from cpms.audit.models import AuditEvent
from cpms.test import make_user, sign_in

pytestmark = pytest.mark.django_db
URL = "/access/request/recap/"


@pytest.fixture
def hp(rnd):
    return profile(rnd.application, "hp")


@pytest.fixture
def walker(client, alice, rnd, hp):
    """Alice, signed in, with CPMS, DE22 and HP chosen."""
    sign_in(client, alice)
    wizard_session(client, rnd.application, rnd.hcp, [hp])
    return client


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_it_needs_a_profile(client, alice, rnd):
    sign_in(client, alice)
    wizard_session(client, rnd.application, rnd.hcp)
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/profile/"
    assert "Choose at least one access profile first." in response.content.decode()


def test_it_shows_the_summary(walker, rnd):
    response = walker.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        '<dt class="col-sm-4">Application</dt>\n  <dd class="col-sm-6">CPMS</dd>',
        '<a href="/access/request/">Change<span class="visually-hidden"> application</span></a>',
        "DE22 - University Hospital and Faculty of Medicine Tubingen",
        '<dt class="col-sm-4">Access Profile</dt>\n  <dd class="col-sm-6">HP</dd>',
        "ERN-RND - Neurological Diseases / Germany",
        "Comments",
        "Before submitting",
        "A request to get access to an application will be validated by the administrators. "
        "This is a manual process: it usually takes 1 – 2 days.",  # as the thank-you page says
        "Submit request access",
        "← Step 3: select an access profile",
        'aria-current="step"',
    ):
        assert expected in page


def test_it_submits_one_request_per_profile_and_tells_everyone(
    walker, alice, bob, charlie, rnd, django_capture_on_commit_callbacks
):
    coordinator = profile(rnd.application, "coordinator")
    wizard_session(walker, rnd.application, rnd.hcp, [profile(rnd.application, "hp"), coordinator])
    make_coordinator(bob, rnd.institutions["DE05"])  # ERN-RND coordinator, writes in German
    admin = make_administrator()
    nmd = make_tree(
        ern_code="EURO-NMD", ern_name="Neuromuscular Diseases", institutions=(("DE99", "Charité"),)
    )
    make_coordinator(charlie, nmd.hcp)  # another ERN: not told
    revoked = make_user("nrevok01", "revoked@example.org", "Rita", "Revoked")
    make_grant(revoked, rnd.hcp, "hp")
    make_grant(revoked, rnd.hcp, "coordinator", revoked_at=timezone.now())
    make_user("nadmin02", "gone@example.org", "Gone", "Admin", is_superuser=True, is_active=False)
    ecp = make_tree(application=make_application(code="ecp", name="ECP"))
    other_app_coordinator = make_user("necp0001", "ecp@example.org", "Eve", "Ecp")
    make_coordinator(other_app_coordinator, ecp.hcp)

    with django_capture_on_commit_callbacks(execute=True):
        response = walker.post(URL, {"comment": "  I lead the movement disorders clinic.  "})
    assert response.status_code == 302
    assert response.url == "/access/request/thanks/"

    requests = AccessRequest.objects.filter(requester=alice).order_by("profile__position")
    assert [r.profile.code for r in requests] == ["coordinator", "hp"]
    for access_request in requests:
        assert access_request.status == AccessRequest.Status.PENDING
        assert access_request.organisation == rnd.hcp
        assert access_request.ern == rnd.ern
        assert access_request.application == rnd.application
        assert access_request.comment == "I lead the movement disorders clinic."
    events = AuditEvent.objects.filter(action="access.request.submitted")
    assert sorted(int(e.target_id) for e in events) == sorted(r.pk for r in requests)
    assert all(e.actor_id == alice.pk for e in events)

    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        ["alice@example.org", "bob@example.org", admin.email]
    )
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert "CPMS" in to_alice.subject
    assert "DE22 - University Hospital and Faculty of Medicine Tubingen" in to_alice.body
    assert "Coordinator, HP" in to_alice.body
    assert "/access/my-requests/" in to_alice.body
    to_bob = next(m for m in mail.outbox if m.to == ["bob@example.org"])
    assert "ERN-RND" in to_bob.subject
    assert "Alice Martin" in to_bob.body and "/access/validation/" in to_bob.body

    assert "access.wizard" not in walker.session
    thanks = walker.get("/access/request/thanks/")
    page = thanks.content.decode()
    assert "Thank you!" in page
    assert "Your CPMS account will be active in 1 – 2 days." in page
    assert "You can then log into CPMS here:" in page  # the seed's words
    assert 'href="/access/my-requests/"' in page


def test_the_thanks_page_needs_a_submission(client, alice):
    sign_in(client, alice)
    response = client.get("/access/request/thanks/")
    assert response.status_code == 302
    assert response.url == "/access/my-requests/"


def test_it_refuses_a_comment_over_2000_characters(walker):
    response = walker.post(URL, {"comment": "x" * 2001})
    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_it_refuses_a_duplicate_of_a_pending_request(walker, alice, rnd):
    make_request(alice, rnd.hcp, "hp")  # sent meanwhile, from another window
    response = walker.post(URL, {"comment": ""}, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/profile/"
    assert "that request is waiting for validation" in response.content.decode()
    assert AccessRequest.objects.count() == 1


def test_it_refuses_a_coordinator_without_hp(walker, rnd):
    wizard_session(walker, rnd.application, rnd.hcp, [profile(rnd.application, "coordinator")])
    response = walker.post(URL, {}, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/profile/"
    assert "needs the HP profile in the same ERN" in response.content.decode()
    assert not AccessRequest.objects.exists()


@pytest.mark.parametrize("profiles", [["abc"], [999999], "7", [None], "other-app"])
def test_it_refuses_tampered_profiles_in_the_session(walker, rnd, profiles):
    if profiles == "other-app":
        profiles = [profile(make_application(code="ecp", name="ECP"), "hp").pk]
    session = walker.session
    session["access.wizard"]["profiles"] = profiles
    session.save()
    response = walker.post(URL, {}, follow=True)
    assert response.redirect_chain[-1][0] == "/access/request/profile/"
    assert not AccessRequest.objects.exists()


def test_it_survives_the_race_for_the_same_request(walker, alice, rnd, monkeypatch):
    """Two windows submit at once: the checks pass in both, the database constraint decides."""
    monkeypatch.setattr("cpms.access.wizard.request_problems", lambda *args, **kwargs: [])
    monkeypatch.setattr("cpms.access.actions.requests.request_problems", lambda *args, **kwargs: [])
    make_request(alice, rnd.hcp, "hp")
    response = walker.post(URL, {"comment": ""}, follow=True)
    assert response.status_code == 200
    assert "already submitted, perhaps from another window" in response.content.decode()
    assert AccessRequest.objects.count() == 1
    assert not AuditEvent.objects.filter(action="access.request.submitted").exists()


def test_cancel_forgets_everything(walker):
    response = walker.post(URL, {"action": "cancel"})
    assert response.url == "/access/my-requests/"
    assert "access.wizard" not in walker.session
    assert not AccessRequest.objects.exists()
