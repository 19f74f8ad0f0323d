from django.urls import reverse

from cpms.test import sign_in

from ..models import Notification
from ..notifications import notify

URL = reverse("panels:notification-read-all")


def test_it_marks_every_one_of_the_users_notifications_read(client, world):
    notify(
        [world.expert, world.guest_member], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling
    )
    notify([world.expert], Notification.Kind.INVITED, world.panel, actor=world.enrolling)
    sign_in(client, world.expert)
    response = client.post(URL, follow=True)
    assert response.redirect_chain == [(reverse("panels:notification-list"), 302)]
    assert b"Every notification is marked as read." in response.content
    assert not Notification.objects.filter(recipient=world.expert, read_at=None).exists()
    assert Notification.objects.filter(recipient=world.guest_member, read_at=None).count() == 1


def test_with_nothing_unread_it_says_nothing(client, world):
    sign_in(client, world.expert)
    response = client.post(URL, follow=True)
    assert response.status_code == 200
    assert b"marked as read" not in response.content


def test_a_get_is_refused_and_anonymous_visitors_sign_in(client, world):
    notify([world.expert], Notification.Kind.CONTRIBUTION, world.panel, actor=world.enrolling)
    response = client.post(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("identity:login"))
    sign_in(client, world.expert)
    assert client.get(URL).status_code == 405
    assert Notification.objects.filter(recipient=world.expert, read_at=None).count() == 1
