import pytest

from cpms.panels.tests.factories import make_panel_world

from .factories import make_stored_study


@pytest.fixture
def world(db):
    """The panels' world (cpms/panels/tests/factories.py), a stored 8-slice study shared with its panel."""
    world = make_panel_world()
    world.study = make_stored_study(world.patient, slices=8, panels=[world.panel])
    return world


@pytest.fixture(autouse=True)
def image_folders(settings, tmp_path):
    """Each test its own image store and intake folder."""
    settings.IMAGING_INTAKE_DIR = tmp_path / "intake"
    settings.STORAGES = {
        **settings.STORAGES,
        "imaging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "store"},
        },
    }
    from django.core.files.storage import storages

    storages._storages.pop("imaging", None)
    yield tmp_path
    storages._storages.pop("imaging", None)
