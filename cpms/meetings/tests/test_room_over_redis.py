"""The production channel layer: the room's messages through channels-redis and a real Redis
(scripts/test.sh's, or one started here: cpms/lib/tests/broker.py), as between two ASGI servers."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from cpms.lib.tests.broker import redis_url  # noqa: F401 - a fixture

from ..models import ChatMessage
from .room_helpers import (
    _keep_test_transaction,  # noqa: F401 - an autouse fixture
    organiser_and_admitted,
    receive_until,
)


@pytest.fixture
def redis_layer(settings, redis_url):  # noqa: F811
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis_url]}}
    }
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


def test_admission_signals_and_chat_go_through_redis(world, redis_layer):
    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        await receive_until(member, "welcome")
        await receive_until(organiser, "joined")
        answer = {"description": {"type": "answer", "sdp": "v=0"}}
        await organiser.send_json_to({"type": "signal", "to": world.expert.pk, "data": answer})
        assert await receive_until(member, "signal") == {
            "type": "signal",
            "from": world.enrolling.pk,
            "data": answer,
        }
        await member.send_json_to({"type": "chat", "body": "Through Redis."})
        assert (await receive_until(organiser, "chat"))["message"]["body"] == "Through Redis."
        await organiser.disconnect()
        await member.disconnect()

    async_to_sync(scenario)()
    assert ChatMessage.objects.get().body == "Through Redis."
