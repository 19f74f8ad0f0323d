from django.urls import path

from .views import calendar, room, scheduling

app_name = "meetings"
urlpatterns = [
    # -- scheduling: create, edit, cancel, the agenda, invitees, answers (views/scheduling.py)
    path("meetings/new/", scheduling.meeting_new, name="meeting-new"),
    path("meetings/<int:meeting>/", scheduling.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting>/edit/", scheduling.meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting>/cancel/", scheduling.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:meeting>/answer/", scheduling.invitation_answer, name="invitation-answer"),
    # -- my meetings: the list, the month, the iCalendar feed (views/calendar.py)
    path("meetings/", calendar.meeting_list, name="meeting-list"),
    path("meetings/month/", calendar.meeting_month, name="meeting-month"),
    path("meetings/feed/", calendar.feed_settings, name="feed-settings"),
    path("meetings/feed/<str:secret>.ics", calendar.feed, name="feed"),
    # -- the room: lobby, admission, chat history, notes, attendance (views/room.py)
    path("meetings/<int:meeting>/room/", room.meeting_room, name="meeting-room"),
    path("meetings/<int:meeting>/notes/", room.meeting_notes, name="meeting-notes"),
]
