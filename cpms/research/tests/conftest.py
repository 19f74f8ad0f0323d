import pytest

from ..sweep import run_sweep
from .factories import make_research_world


@pytest.fixture
def world(terminologies):
    return make_research_world()


@pytest.fixture
def swept(world):
    """The research world with the store swept."""
    world.sweep = run_sweep()
    return world
