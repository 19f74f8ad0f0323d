"""The demo study of `make run`: de-identified, on Klara's case, shared with her open panel; once."""

import pytest
from django.core.management import call_command

from cpms.imaging.models import Instance, Study

pytestmark = pytest.mark.django_db


def test_it_adds_one_shared_study_and_is_safe_to_run_again():
    for command in (
        "load_reference_data",
        "load_thematic_areas",
        "load_demo_data",
        "load_demo_patients",
        "load_demo_panels",
    ):
        call_command(command, verbosity=0)
    call_command("load_demo_images")
    call_command("load_demo_images")
    study = Study.objects.unscoped().get()
    assert (study.status, study.series_count, study.instance_count) == ("ready", 2, 24)
    assert study.panels.count() == 1
    assert Instance.objects.count() == 24
    assert all(series.preview_before == "" for series in study.series.all())  # encrypted: compared decrypted
