from django.urls import reverse

from cpms.access.tests.factories import make_administrator
from cpms.test import sign_in


def test_it_lists_every_panel_read_only(client, world):
    sign_in(client, make_administrator())
    listing = client.get(reverse("admin:panels_panel_changelist"))
    assert listing.status_code == 200 and world.panel.reference in listing.content.decode()
    change = reverse("admin:panels_panel_change", args=[world.panel.pk])
    page = client.get(change).content.decode()
    assert world.patient.pseudonym in page and "Mathilde" not in page
    client.post(change, {"status": "archived"})
    world.panel.refresh_from_db()
    assert world.panel.status == "open"
    assert client.get(reverse("admin:panels_panel_add")).status_code == 403


def test_an_administrator_can_fix_expert_groups(client, world):
    sign_in(client, make_administrator())
    assert client.get(reverse("admin:panels_expertgroup_add")).status_code == 200
