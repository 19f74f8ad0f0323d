"""Every write of the CPMS front door: do_<verb>_<noun>(*, acting_user, …), atomic, audited."""

from collections.abc import Collection, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpms.access.queries.scopes import access_of
from cpms.audit.record import record

from .models import ClinicianProfile, ErnPreference, ThematicArea
from .queries import granted_erns


@transaction.atomic
def do_save_preferences(
    *, acting_user, job_title: str, areas_by_ern: Mapping[int, Collection[int]]
) -> ClinicianProfile:
    """Save the job title and the thematic areas chosen in each ERN where the user has a CPMS grant.

    The first save completes the user's first use. ERNs left out keep their earlier choices.
    Raises ValidationError for anything a form should have refused (tampered input).
    """
    job_title = (job_title or "").strip()
    if not job_title:
        raise ValidationError(_("Please give your job title."))
    if len(job_title) > 120:
        raise ValidationError(_("The job title is too long (120 characters at most)."))
    erns = {ern.pk: ern for ern in granted_erns(access_of(acting_user))}
    if not erns:
        raise PermissionDenied
    if set(areas_by_ern) - set(erns):
        raise ValidationError(
            _("You can choose thematic areas only in the ERNs where you have access to CPMS.")
        )

    offered = {
        area.pk: area
        for area in ThematicArea.objects.filter(ern_id__in=list(erns)).order_by("ern_id", "name")
    }
    chosen: dict[int, list[ThematicArea]] = {}
    for ern_id, area_ids in areas_by_ern.items():
        areas = [offered.get(area_id) for area_id in set(area_ids)]
        if any(area is None or area.ern_id != ern_id for area in areas):
            raise ValidationError(
                _("One of the chosen thematic areas is not offered in %(ern)s.") % {"ern": erns[ern_id].label}
            )
        chosen[ern_id] = areas
    for ern_id in {area.ern_id for area in offered.values()}:
        if ern_id in chosen and not chosen[ern_id]:
            raise ValidationError(
                _("Choose at least one thematic area in %(ern)s.") % {"ern": erns[ern_id].label}
            )

    profile, _created = ClinicianProfile.objects.select_for_update().get_or_create(
        user=acting_user, defaults={"job_title": job_title}
    )
    first_use = profile.completed_at is None
    profile.job_title = job_title
    if first_use:
        profile.completed_at = timezone.now()
    profile.save()
    for ern_id, areas in chosen.items():
        preference, _created = ErnPreference.objects.get_or_create(user=acting_user, ern_id=ern_id)
        preference.thematic_areas.set(areas)
    record(
        acting_user,
        "clinical.preferences.saved",
        profile,
        {
            "first_use": first_use,
            "job_title": job_title,
            "areas": {
                erns[ern_id].code: sorted(area.code for area in areas) for ern_id, areas in chosen.items()
            },
        },
    )
    return profile
