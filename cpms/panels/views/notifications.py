"""A person's notifications: the list, opening one, marking all read, and the e-mail settings."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cpms.clinical.decorators import cpms_user_required

from ..actions.notifications import (
    do_change_notification_settings,
    do_mark_all_notifications_read,
    do_mark_notification_read,
)
from ..forms.notifications import NotificationSettingsForm
from ..models import Notification
from ..queries.notifications import email_choice, get_notification_for_user, list_notifications


@cpms_user_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = list_notifications(
        request.user, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    return render(request, "panels/notification_list.html", {"page": page})


@cpms_user_required
@require_GET
def notification_open(request: HttpRequest, notification: int) -> HttpResponse:
    """Read from now on, then to its panel. A GET, so that it is a link: it only marks the user's own row."""
    found = get_notification_for_user(request.user, notification)
    do_mark_notification_read(acting_user=request.user, notification=found)
    if found.meeting_id is not None:  # a meeting's notification (cpms/meetings): to its page
        return redirect("meetings:meeting-detail", found.meeting_id)
    if found.panel_id is None or found.kind == Notification.Kind.REMOVED:
        return redirect("panels:notification-list")
    return redirect("panels:panel-detail", found.panel_id)


@cpms_user_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    if do_mark_all_notifications_read(acting_user=request.user):
        messages.success(request, _("Every notification is marked as read."))
    return redirect("panels:notification-list")


@cpms_user_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            do_change_notification_settings(acting_user=request.user, email=form.cleaned_data["email"])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("panels:notification-list")
        status = 400
    else:
        form = NotificationSettingsForm(initial={"email": email_choice(request.user)})
        status = 200
    return render(request, "panels/notification_settings.html", {"form": form}, status=status)
