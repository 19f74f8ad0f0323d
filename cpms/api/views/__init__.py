"""The REST API: short function views over the pages' queries and actions.

Each view reads through the same query function as its page (which checks the grant, answers 404
for what is missing or not the caller's, and audits the read) and writes through the same `do_*`
action. Errors are problem details (errors.py); updates need `If-Match` (etags.py).
"""

from .common import not_found
from .meetings import meeting_detail, meeting_list
from .panels import (
    contribution_list,
    invitation_answer,
    outcome_detail,
    outcome_signoff,
    panel_case,
    panel_detail,
    panel_list,
    panel_submit,
    panel_triage,
)
from .patients import (
    case_detail,
    case_fhir,
    case_phenopacket,
    consent_record,
    patient_detail,
    patient_list,
)

__all__ = [
    "case_detail",
    "case_fhir",
    "case_phenopacket",
    "consent_record",
    "contribution_list",
    "invitation_answer",
    "meeting_detail",
    "meeting_list",
    "not_found",
    "outcome_detail",
    "outcome_signoff",
    "panel_case",
    "panel_detail",
    "panel_list",
    "panel_submit",
    "panel_triage",
    "patient_detail",
    "patient_list",
]
