import pytest

from cpms.panels.tests.factories import make_panel_world

from .factories import make_stored_study, store_in


@pytest.fixture(autouse=True)
def _image_store(settings, tmp_path):
    store_in(settings, tmp_path / "imaging")


@pytest.fixture
def world(db):
    """The panels' world (cpms/panels/tests/factories.py), a stored 40-slice study shared with its panel."""
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=40, panels=[world.panel])
    return world
