"""Step 1 of "Request access": select the application."""

import pytest

from cpms.access.models import Application
from cpms.access.queries.tree import get_requestable_application_by_code
from cpms.access.tests.factories import make_application, wizard_session
from cpms.test import sign_in

pytestmark = pytest.mark.django_db
URL = "/access/request/"


@pytest.fixture
def cpms_app():
    return make_application()


@pytest.fixture
def closed_app():
    return Application.objects.create(code="aac", name="AAC", is_requestable=False)


def wizard_state(client) -> dict:
    return client.session.get("access.wizard", {})


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=/access/request/")


def test_it_offers_only_requestable_applications(client, alice, cpms_app, closed_app):
    sign_in(client, alice)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'type="radio" name="application" value="{cpms_app.pk}"' in page
    assert "AAC" not in page
    assert "[No value selected]" not in page
    assert page.count('value="next"') == 1  # one button per action
    assert "Step 2: select an organisation →" in page
    assert 'aria-current="step"' in page and "Select application" in page
    assert "Cancel" in page


def test_it_remembers_the_choice_and_goes_to_step_2(client, alice, cpms_app):
    sign_in(client, alice)
    response = client.post(URL, {"application": cpms_app.pk, "action": "next"})
    assert response.status_code == 302
    assert response.url == "/access/request/organisation/"
    assert wizard_state(client) == {"application": cpms_app.pk}


def test_it_starts_with_cpms_chosen(client, alice, cpms_app):
    sign_in(client, alice)
    response = client.get(URL + "?application=cpms")
    assert response.status_code == 200
    assert response.context["form"]["application"].value() == cpms_app.pk
    assert f'value="{cpms_app.pk}" class="form-check-input" id="id_application_0" required checked' in (
        response.content.decode()
    )
    assert wizard_state(client) == {"application": cpms_app.pk}


def test_it_refuses_an_unknown_or_closed_application_code(client, alice, cpms_app, closed_app):
    sign_in(client, alice)
    for code in ("aac", "nope", "x" * 500):
        response = client.get(URL, {"application": code})
        assert response.status_code == 200
        assert "This application is not open to access requests." in response.content.decode()
    assert wizard_state(client) == {}


@pytest.mark.parametrize("code", ["cpms\x00", "cp ms", "cpms'--", "../cpms"])
def test_it_refuses_a_code_that_is_not_a_slug_without_asking_the_database(
    client, alice, cpms_app, code, django_assert_num_queries
):
    """PostgreSQL fails on a NUL byte in a query: such a code must never reach it."""
    assert get_requestable_application_by_code("cpms") == cpms_app
    with django_assert_num_queries(0):
        assert get_requestable_application_by_code(code) is None
    sign_in(client, alice)
    response = client.get(URL, {"application": code})
    assert response.status_code == 200
    assert "This application is not open to access requests." in response.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999", "1.5", "9" * 40])
def test_it_refuses_tampered_application_ids(client, alice, cpms_app, closed_app, value):
    sign_in(client, alice)
    response = client.post(URL, {"application": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose an application in the list." in page or "not open to access requests" in page
    assert wizard_state(client) == {}


def test_it_refuses_a_closed_application(client, alice, cpms_app, closed_app):
    sign_in(client, alice)
    response = client.post(URL, {"application": closed_app.pk})
    assert response.status_code == 400
    assert "This application is not open to access requests." in response.content.decode()


def test_choosing_another_application_forgets_the_later_steps(client, alice, cpms_app, rnd):
    other = make_application(code="ecp", name="European Reference Networks")
    sign_in(client, alice)
    wizard_session(client, cpms_app, rnd.hcp)
    client.post(URL, {"application": cpms_app.pk})
    assert wizard_state(client) == {"application": cpms_app.pk, "organisation": rnd.hcp.pk}
    client.post(URL, {"application": other.pk})
    assert wizard_state(client) == {"application": other.pk}


def test_cancel_clears_the_wizard_and_goes_to_my_requests(client, alice, cpms_app, rnd):
    sign_in(client, alice)
    wizard_session(client, cpms_app, rnd.hcp)
    response = client.post(URL, {"action": "cancel"}, follow=True)
    assert response.redirect_chain[-1][0] == "/access/my-requests/"
    assert "nothing was submitted" in response.content.decode()
    assert "access.wizard" not in client.session


def test_it_says_when_no_application_is_open(client, alice, closed_app):
    sign_in(client, alice)
    response = client.get(URL)
    assert "No application is open to access requests" in response.content.decode()


def test_the_ecp_link_chooses_the_ern_collaborative_platform(client, alice, cpms_app):
    ecp = Application.objects.create(
        code="ecp",
        name="European Reference Networks",
        description="ERN Collaborative Platform: exchange non-clinical data with the others of your ERN",
        is_requestable=True,
        position=20,
    )
    sign_in(client, alice)
    response = client.get(URL + "?application=ecp")
    assert response.context["form"]["application"].value() == ecp.pk
    assert "European Reference Networks — ERN Collaborative Platform: exchange" in response.content.decode()
    assert client.post(URL, {"application": ecp.pk, "action": "next"}).status_code == 302
    assert wizard_state(client) == {"application": ecp.pk}


@pytest.mark.parametrize("applications", [1, 15])
def test_it_makes_a_fixed_number_of_queries(client, alice, applications, django_assert_num_queries):
    for number in range(applications):
        make_application(f"app{number:02d}", f"Application {number}")
    sign_in(client, alice)
    client.get(URL)
    # session, user, the user's access for the nav's Validation link, whether any application is
    # open, the applications
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.content.decode().count(">Application ") == applications
