from django.urls import path

from .views import room, scheduling

app_name = "meetings"
urlpatterns = [
    # -- scheduling: create, edit, cancel, the agenda, invitees, answers (views/scheduling.py)
    path("meetings/<int:meeting>/", scheduling.meeting_detail, name="meeting-detail"),
    # -- my meetings: the list, the month, the iCalendar feed (views/calendar.py)
    # -- the room: lobby, admission, chat history, notes, attendance (views/room.py)
    path("meetings/<int:meeting>/room/", room.meeting_room, name="meeting-room"),
    path("meetings/<int:meeting>/notes/", room.meeting_notes, name="meeting-notes"),
]
