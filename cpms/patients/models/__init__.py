from .case import Case, CaseAttachment, CaseDiagnosis, CaseDraft, CasePhenotype, CaseVariant
from .patient import Consent, Document, Patient

__all__ = [
    "Case",
    "CaseAttachment",
    "CaseDiagnosis",
    "CaseDraft",
    "CasePhenotype",
    "CaseVariant",
    "Consent",
    "Document",
    "Patient",
]
