from django.urls import path

from .views import scheduling

app_name = "meetings"
urlpatterns = [
    # -- scheduling: create, edit, cancel, the agenda, invitees, answers (views/scheduling.py)
    path("meetings/<int:meeting>/", scheduling.meeting_detail, name="meeting-detail"),
    # -- my meetings: the list, the month, the iCalendar feed (views/calendar.py)
    # -- the room: lobby, admission, chat history, notes, attendance (views/room.py)
]
