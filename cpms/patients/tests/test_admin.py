from django.urls import reverse

from cpms.access.tests.factories import make_administrator
from cpms.test import sign_in


def test_it_lists_every_centres_patients_read_only_and_without_identity(client, world):
    sign_in(client, make_administrator())
    listing = client.get(reverse("admin:patients_patient_changelist"))
    assert listing.status_code == 200 and world.patient.pseudonym in listing.content.decode()
    change = reverse("admin:patients_patient_change", args=[world.patient.pk])
    page = client.get(change).content.decode()
    assert world.patient.pseudonym in page and "Mathilde" not in page and "TUE-4471-93" not in page
    client.post(change, {"pseudonym": "CPMS-CHANGED"})
    world.patient.refresh_from_db()
    assert world.patient.pseudonym != "CPMS-CHANGED"
    assert client.get(reverse("admin:patients_patient_add")).status_code == 403
