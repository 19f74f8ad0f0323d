import pytest

from cpms.panels.tests.factories import make_panel_world


@pytest.fixture
def world(db):
    return make_panel_world()


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
