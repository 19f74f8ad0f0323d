from django.urls import path

from .views import scheduling

app_name = "meetings"
urlpatterns = [
    # -- scheduling: create, edit, cancel, the agenda, invitees, answers (views/scheduling.py)
    path("meetings/new/", scheduling.meeting_new, name="meeting-new"),
    path("meetings/<int:meeting>/", scheduling.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting>/edit/", scheduling.meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting>/cancel/", scheduling.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:meeting>/answer/", scheduling.invitation_answer, name="invitation-answer"),
    # -- my meetings: the list, the month, the iCalendar feed (views/calendar.py)
    # -- the room: lobby, admission, chat history, notes, attendance (views/room.py)
]
