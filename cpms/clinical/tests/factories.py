"""Builders for CPMS front-door tests, on top of cpms.access.tests.factories."""

from django.utils import timezone

from cpms.clinical.models import ClinicianProfile, ErnPreference, ThematicArea

RND_AREAS = [
    ("ataxia-hsp", "Ataxias and hereditary spastic paraplegias"),
    ("chorea-hd", "Chorea and Huntington's disease"),
    ("ftd", "Frontotemporal dementia"),
]
NMD_AREAS = [
    ("muscular-dystrophies", "Muscular dystrophies"),
    ("neuropathies", "Hereditary and inflammatory neuropathies"),
]


def make_areas(ern, areas=RND_AREAS) -> list[ThematicArea]:
    return [
        ThematicArea.objects.get_or_create(ern=ern, code=code, defaults={"name": name})[0]
        for code, name in areas
    ]


def complete_profile(user, job_title: str = "Neurologist", areas=()) -> ClinicianProfile:
    """A user who has been through first use, following `areas`."""
    profile = ClinicianProfile.objects.create(user=user, job_title=job_title, completed_at=timezone.now())
    for area in areas:
        preference, _ = ErnPreference.objects.get_or_create(user=user, ern=area.ern)
        preference.thematic_areas.add(area)
    return profile
