"""Every read of patient data that a page needs, with the permission check built in.

Each function answers 404 (Http404) whether the patient is missing or not the user's: a user of one
centre cannot tell another centre's patients from no patients at all.
"""

from django.http import Http404

from cpms.access.queries.grants import HP
from cpms.access.queries.scopes import Access, access_for

from .models import Patient

APPLICATION = "cpms"


def hp_centre_ids(access: Access) -> list[int]:
    """The centres where the user holds an HP grant in force: the only ones whose patients they see."""
    return sorted(
        {grant.organisation_id for grant in access.in_application(APPLICATION) if grant.profile_code == HP}
    )


def get_patient_for_user(request, pseudonym: str) -> Patient:
    """A patient of one of the user's HP centres, still enrolled; 404 otherwise."""
    patients = Patient.objects.at_centres(hp_centre_ids(access_for(request)))
    try:
        return patients.select_related("centre", "ern").get(pseudonym=pseudonym, removed_at=None)
    except Patient.DoesNotExist:
        raise Http404 from None
