"""The pages' gate, for the API: an active CPMS grant and the first-use questions answered.

The same one query as `cpms_user_required` (clinical.queries.read_gate), kept for the request, so
that every query function reads the access from there (access_for) and a revoked grant counts from
the next call on. What the user may see beyond that is each query function's business (404).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from cpms.clinical.queries import APPLICATION, read_gate


class CpmsGate(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            view.check_throttles(request)  # DRF throttles after permissions: anonymous callers first
            raise exceptions.NotAuthenticated(_("An access token from CPMS Login is required."))
        gate = read_gate(request)
        if not gate.access.has_grant(APPLICATION):
            raise exceptions.PermissionDenied(_("You hold no CPMS grant in force."))
        if not (gate.clinician_profile and gate.clinician_profile.is_complete):
            raise exceptions.PermissionDenied(
                _("Answer the first-use questions of CPMS in your browser before using the API.")
            )
        request.clinician_profile = gate.clinician_profile
        return True
