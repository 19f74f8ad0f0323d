"""My meetings: the list (upcoming, and the past by pages), the month calendar, the personal
iCalendar feed's settings, and the feed itself (public: its secret URL is the key)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from cpms.access.queries.scopes import access_for
from cpms.clinical.decorators import cpms_user_required

from .. import feed as feeds
from ..listing import month_of, past_meetings, upcoming_meetings
from ..queries import coordinator_ern_ids

MIN_YEAR, MAX_YEAR = 1970, 2200


@cpms_user_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    context = {
        "upcoming": upcoming_meetings(request.user),
        "past": past_meetings(
            request.user, after=request.GET.get("after", ""), before=request.GET.get("before", "")
        ),
        "today": timezone.localdate(),
        # Coordinators schedule board sessions on their ERN's panels; leads start from the panel.
        "may_schedule": bool(coordinator_ern_ids(access_for(request))),
    }
    return render(request, "meetings/meeting_list.html", context)


def month_asked(request: HttpRequest) -> tuple[int, int] | None:
    """(year, month) of ?year=&month= (the current month without them); None when they are no month."""
    today = timezone.localdate()
    year, month = request.GET.get("year", ""), request.GET.get("month", "")
    if not year and not month:
        return today.year, today.month
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
        return None
    if len(year) > 4 or len(month) > 2:
        return None
    year, month = int(year), int(month)
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return year, month


@cpms_user_required
@require_GET
def meeting_month(request: HttpRequest) -> HttpResponse:
    asked = month_asked(request)
    status = 200
    if asked is None:
        messages.error(request, _("Please choose a month between 1970 and 2200: this is the current month."))
        today = timezone.localdate()
        asked, status = (today.year, today.month), 400
    # Django's FIRST_DAY_OF_WEEK counts from Sunday (0); Python's weekday() from Monday (0).
    first_weekday = (int(formats.get_format("FIRST_DAY_OF_WEEK")) - 1) % 7
    month = month_of(request.user, *asked, first_weekday=first_weekday)
    context = {
        "month": month,
        "show_previous": month.previous.year >= MIN_YEAR,
        "show_next": month.next.year <= MAX_YEAR,
    }
    return render(request, "meetings/meeting_month.html", context, status=status)


FEED_STEPS = {
    "create": (
        feeds.do_create_calendar_feed,
        gettext_lazy("Your calendar feed is ready: add its address to your calendar."),
    ),
    "renew": (
        feeds.do_renew_calendar_feed,
        gettext_lazy(
            "Your calendar feed has a new address: the old one no longer works. Update your calendar."
        ),
    ),
    "revoke": (
        feeds.do_revoke_calendar_feed,
        gettext_lazy("Your calendar feed is turned off: its address no longer works."),
    ),
}


@cpms_user_required
@require_http_methods(["GET", "POST"])
def feed_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        step = FEED_STEPS.get(request.POST.get("step", ""))
        if step is None:
            messages.error(request, _("Please choose one of the buttons."))
            return render(request, "meetings/feed_settings.html", feed_context(request), status=400)
        action, done = step
        if action(acting_user=request.user):
            messages.success(request, done)
        else:
            messages.info(request, _("You have no calendar feed: create one first."))
        return redirect("meetings:feed-settings")
    return render(request, "meetings/feed_settings.html", feed_context(request))


def feed_context(request: HttpRequest) -> dict:
    feed = feeds.feed_of(request.user)
    return {"feed": feed, "feed_url": feeds.feed_url(feed) if feed else ""}


@require_safe
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The personal iCalendar feed: no sign-in, the secret in the path; 404 for any other."""
    found = feeds.find_feed(secret)
    if found is None:
        raise Http404
    response = HttpResponse(feeds.feed_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cpms-meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
