"""The four steps of the seed, end to end, as a browser without JavaScript would walk them."""

import re

import pytest

from cpms.access.models import AccessRequest
from cpms.access.tests.factories import profile
from cpms.test import sign_in

pytestmark = pytest.mark.django_db


def test_it_walks_cpms_ern_rnd_germany_de22_hp(client, alice, django_capture_on_commit_callbacks, rnd):
    sign_in(client, alice)

    page = client.get("/access/request/?application=cpms").content.decode()
    steps = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert (
        "1 Select application 2 Select organisation 3 Select access profile 4 Recap and Submission" in steps
    )
    response = client.post("/access/request/", {"application": rnd.application.pk, "action": "next"})
    assert response.url == "/access/request/organisation/"

    assert "ERN-RND - Neurological Diseases" in client.get(response.url).content.decode()
    assert "Germany" in client.get(f"/access/request/organisation/?node={rnd.ern.pk}").content.decode()
    page = client.get(f"/access/request/organisation/?node={rnd.country.pk}").content.decode()
    assert "DE22 - University Hospital and Faculty of Medicine Tubingen" in page
    response = client.post(
        f"/access/request/organisation/?node={rnd.country.pk}", {"organisation": rnd.hcp.pk}
    )
    assert response.url == "/access/request/profile/"

    hp = profile(rnd.application, "hp")
    response = client.post("/access/request/profile/", {"profiles": [hp.pk]})
    assert response.url == "/access/request/recap/"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/access/request/recap/", {"comment": "Neurologist at Tübingen."})
    assert response.url == "/access/request/thanks/"
    assert AccessRequest.objects.get().profile == hp

    # The institution is now marked, and HP shows as requested there.
    client.post("/access/request/", {"application": rnd.application.pk})
    page = client.get(f"/access/request/organisation/?node={rnd.country.pk}").content.decode()
    assert 'Tubingen</label> <span class="text-success">(request submitted)</span>' in page
    client.post("/access/request/organisation/", {"organisation": rnd.hcp.pk})
    response = client.get("/access/request/profile/")
    assert {row["profile"].code: row["status"] for row in response.context["rows"]}["hp"] == "requested"
