import pytest

from .factories import NMD_AREAS, complete_profile, make_areas


@pytest.fixture
def rnd_areas(rnd):
    return make_areas(rnd.ern)


@pytest.fixture
def nmd_areas(nmd):
    return make_areas(nmd.ern, NMD_AREAS)


@pytest.fixture
def bob_in_cpms(bob_hp, rnd_areas):
    """Bob has a grant and has been through first use."""
    return complete_profile(bob_hp.user, areas=rnd_areas[:1])
