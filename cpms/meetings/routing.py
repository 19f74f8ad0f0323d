"""The WebSocket routes (config/asgi.py): the room's signalling."""

from django.urls import path

from .consumers import MeetingRoomConsumer

websocket_urlpatterns = [
    path("ws/meetings/<int:meeting>/", MeetingRoomConsumer.as_asgi(), name="meeting-room-socket"),
]
