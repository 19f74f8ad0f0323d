import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cpms.access.tests.factories import make_grant
from cpms.clinical.actions import do_save_preferences
from cpms.clinical.models import ClinicianProfile, ErnPreference

pytestmark = pytest.mark.django_db


def test_it_completes_the_first_use(bob_hp, rnd, rnd_areas):
    profile = do_save_preferences(
        acting_user=bob_hp.user, job_title="Neurologist", areas_by_ern={rnd.ern.pk: [rnd_areas[0].pk]}
    )
    assert profile.completed_at is not None
    assert list(ErnPreference.objects.get(user=bob_hp.user).thematic_areas.all()) == [rnd_areas[0]]


def test_it_refuses_a_user_without_grant(bob, rnd, rnd_areas):
    with pytest.raises(PermissionDenied):
        do_save_preferences(acting_user=bob, job_title="Neurologist", areas_by_ern={})


def test_it_refuses_a_revoked_grant(bob_hp, rnd, rnd_areas):
    bob_hp.revoked_at = timezone.now()
    bob_hp.save()
    with pytest.raises(PermissionDenied):
        do_save_preferences(
            acting_user=bob_hp.user, job_title="Neurologist", areas_by_ern={rnd.ern.pk: [rnd_areas[0].pk]}
        )


@pytest.mark.parametrize("job_title", ["", "   ", "x" * 121])
def test_it_refuses_a_bad_job_title(bob_hp, rnd, rnd_areas, job_title):
    with pytest.raises(ValidationError):
        do_save_preferences(
            acting_user=bob_hp.user, job_title=job_title, areas_by_ern={rnd.ern.pk: [rnd_areas[0].pk]}
        )


def test_it_refuses_an_ern_without_grant(bob_hp, rnd, rnd_areas, nmd, nmd_areas):
    with pytest.raises(ValidationError, match="only in the ERNs where you have access"):
        do_save_preferences(
            acting_user=bob_hp.user,
            job_title="Neurologist",
            areas_by_ern={rnd.ern.pk: [rnd_areas[0].pk], nmd.ern.pk: [nmd_areas[0].pk]},
        )
    assert not ClinicianProfile.objects.exists()


@pytest.mark.parametrize("area", ["other-ern", "unknown"])
def test_it_refuses_an_area_not_offered_in_the_ern(bob, rnd, rnd_areas, nmd, nmd_areas, area):
    make_grant(bob, rnd.hcp)
    make_grant(bob, nmd.hcp)
    area_id = nmd_areas[0].pk if area == "other-ern" else 99999
    with pytest.raises(ValidationError, match="not offered in ERN-RND"):
        do_save_preferences(acting_user=bob, job_title="Neurologist", areas_by_ern={rnd.ern.pk: [area_id]})
    assert not ClinicianProfile.objects.exists()


def test_it_refuses_an_empty_choice_where_areas_exist(bob_hp, rnd, rnd_areas):
    with pytest.raises(ValidationError, match="at least one thematic area"):
        do_save_preferences(acting_user=bob_hp.user, job_title="Neurologist", areas_by_ern={rnd.ern.pk: []})
