import pytest

from .factories import make_meeting_world


@pytest.fixture
def world(db):
    return make_meeting_world()
