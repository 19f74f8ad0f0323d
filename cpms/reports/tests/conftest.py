import pytest

from cpms.panels.tests.factories import make_panel_world


@pytest.fixture
def world(db):
    """The panels' world (cpms/panels/tests/factories.py): `triager` coordinates ERN-RND, `other_ern`
    coordinates EURO-NMD, `enrolling` is an HP at DE22 with `patient` and an open `panel`."""
    return make_panel_world()
