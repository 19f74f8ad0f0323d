"""The CPMS gate, checked on every request: signed in, two factors, an active CPMS grant.

A revoked or expired grant is refused on the user's next request, not at their next sign-in.
"""

from functools import partial, wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from cpms.identity.sessions import has_two_factors

from .queries import APPLICATION, read_gate

GATE_ATTRIBUTE = "_cpms_gate"


def cpms_user_required(view=None, *, profile_required: bool = True):
    """Let in only verified users with an active CPMS grant.

    The user's access, first-use profile and grants' organisations are read in one query for the
    request (`read_gate`); views read the access with `access_for`, the navigation the
    organisations. Sets `request.clinician_profile`. Unless `profile_required=False` (the first-use
    page itself), a user who has not yet answered the first-use questions is sent to them.
    """
    if view is None:
        return partial(cpms_user_required, profile_required=profile_required)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_two_factors(request):
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(reverse("clinical:second-factor-required") + (f"?{query}" if query else ""))
        gate = read_gate(request)
        setattr(request, GATE_ATTRIBUTE, gate)
        if not gate.access.has_grant(APPLICATION):
            return redirect("clinical:no-access")
        request.clinician_profile = gate.clinician_profile
        if profile_required and not (request.clinician_profile and request.clinician_profile.is_complete):
            return redirect("clinical:welcome")
        return view(request, *args, **kwargs)

    return wrapper
