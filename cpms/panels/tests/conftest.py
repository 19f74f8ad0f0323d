import pytest

from .factories import make_panel_world


@pytest.fixture
def world(db):
    return make_panel_world()
