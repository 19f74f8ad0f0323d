"""Meetings: organised, or invited with the invitation in force."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view

from cpms.meetings.listing import ORGANISER
from cpms.meetings.queries import get_meeting_for_user

from .. import queries
from .. import serializers as s
from ..etags import detail_response
from ..pagination import page_response, paginated
from .common import (
    CURSORS,
    ERRORS,
    cursor,
)


@extend_schema(
    tags=["meetings"],
    operation_id="meetings_list",
    summary="Your meetings, newest first",
    parameters=CURSORS,
    responses={200: paginated(s.MeetingSerializer), **ERRORS},
)
@api_view(["GET"])
def meeting_list(request):
    page = queries.list_meetings(request, **cursor(request))
    return page_response(request, page, s.MeetingSerializer(page.rows, many=True).data)


@extend_schema(
    tags=["meetings"], summary="A meeting", responses={200: s.MeetingSerializer, 304: None, **ERRORS}
)
@api_view(["GET"])
def meeting_detail(request, meeting: int):
    found = get_meeting_for_user(request, meeting)
    found.meeting.my_response = (
        ORGANISER if found.is_organiser else getattr(found.invitation, "response", None)
    )
    return detail_response(request, s.MeetingSerializer(found.meeting).data)
