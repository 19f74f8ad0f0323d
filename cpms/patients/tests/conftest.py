import pytest

from .factories import make_patient_world


@pytest.fixture
def world(db):
    return make_patient_world()
