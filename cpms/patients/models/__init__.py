from .case import Case, CaseAttachment, CaseDiagnosis, CasePhenotype, CaseVariant
from .patient import Consent, Document, Patient

__all__ = [
    "Case",
    "CaseAttachment",
    "CaseDiagnosis",
    "CasePhenotype",
    "CaseVariant",
    "Consent",
    "Document",
    "Patient",
]
