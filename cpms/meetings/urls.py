from django.urls import path  # noqa: F401

app_name = "meetings"
urlpatterns = [
    # -- scheduling: create, edit, cancel, the agenda, invitees, answers (views/scheduling.py)
    # -- my meetings: the list, the month, the iCalendar feed (views/calendar.py)
    # -- the room: lobby, admission, chat history, notes, attendance (views/room.py)
]
