from django.urls import path

from .views import calendar, scheduling

app_name = "meetings"
urlpatterns = [
    # -- scheduling: create, edit, cancel, the agenda, invitees, answers (views/scheduling.py)
    path("meetings/<int:meeting>/", scheduling.meeting_detail, name="meeting-detail"),
    # -- my meetings: the list, the month, the iCalendar feed (views/calendar.py)
    path("meetings/", calendar.meeting_list, name="meeting-list"),
    path("meetings/month/", calendar.meeting_month, name="meeting-month"),
    path("meetings/feed/", calendar.feed_settings, name="feed-settings"),
    path("meetings/feed/<str:secret>.ics", calendar.feed, name="feed"),
    # -- the room: lobby, admission, chat history, notes, attendance (views/room.py)
]
