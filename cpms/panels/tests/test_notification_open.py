from django.urls import reverse

from cpms.test import sign_in

from ..models import Notification
from ..notifications import notify


def url(notification) -> str:
    return reverse("panels:notification-open", args=[notification.pk])


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    [notification] = notify(
        [world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling
    )
    response = client.get(url(notification))
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_it_marks_it_read_and_goes_to_its_panel(client, world):
    [notification] = notify(
        [world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling
    )
    [other] = notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    sign_in(client, world.expert)
    response = client.get(url(notification))
    assert response.status_code == 302 and response.url == reverse(
        "panels:panel-detail", args=[world.panel.pk]
    )
    first_read = Notification.objects.get(pk=notification.pk).read_at
    assert first_read is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    client.get(url(notification))
    assert Notification.objects.get(pk=notification.pk).read_at == first_read  # read once, when first opened


def test_someone_elses_or_a_missing_one_is_404(client, world):
    [notification] = notify(
        [world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling
    )
    sign_in(client, world.guest_member)
    assert client.get(url(notification)).status_code == 404
    assert client.get(reverse("panels:notification-open", args=[notification.pk + 1000])).status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_a_removal_stays_on_the_list_the_panel_being_closed_to_them(client, world):
    [notification] = notify([world.expert], Notification.Kind.REMOVED, world.panel, actor=world.enrolling)
    sign_in(client, world.expert)
    response = client.get(url(notification))
    assert response.status_code == 302 and response.url == reverse("panels:notification-list")
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_a_post_is_refused(client, world):
    [notification] = notify(
        [world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling
    )
    sign_in(client, world.expert)
    assert client.post(url(notification)).status_code == 405
