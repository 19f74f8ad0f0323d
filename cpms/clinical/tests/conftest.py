import pytest

from cpms.access.tests.factories import make_grant, make_tree

from .factories import NMD_AREAS, complete_profile, make_areas


@pytest.fixture
def rnd(db):
    """CPMS / ERN-RND / Germany / DE22 (and 0000 Guest Access)."""
    return make_tree()


@pytest.fixture
def nmd(rnd):
    return make_tree(
        ern_code="EURO-NMD",
        ern_name="Neuromuscular Diseases",
        country="France",
        country_code="FR",
        institutions=(("FR01", "Hôpital de la Pitié-Salpêtrière"),),
    )


@pytest.fixture
def rnd_areas(rnd):
    return make_areas(rnd.ern)


@pytest.fixture
def nmd_areas(nmd):
    return make_areas(nmd.ern, NMD_AREAS)


@pytest.fixture
def bob_hp(bob, rnd):
    """Bob (password + authenticator app) is an HP at DE22 in ERN-RND."""
    return make_grant(bob, rnd.hcp)


@pytest.fixture
def bob_in_cpms(bob_hp, rnd_areas):
    """Bob has a grant and has been through first use."""
    return complete_profile(bob_hp.user, areas=rnd_areas[:1])
