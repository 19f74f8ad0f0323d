"""What the API shows of each resource: read-only representations, and the few inputs it takes.

Identifying fields (names, date of birth, hospital and national numbers) appear only in a patient's
detail, which only the HPs of the enrolling centre reach (patients.queries). Lists, cases, panels and
contributions show the ERN pseudonym.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cpms.panels.models import PanelStatus, Signoff, Urgency
from cpms.patients.forms.case import MAX_ROWS, SECTIONS
from cpms.patients.models.case import AcmgClass, Certainty, Onset, Zygosity
from cpms.patients.models.patient import ConsentKind, ConsentStatus


class ProblemSerializer(serializers.Serializer):
    """Problem details (RFC 9457), the body of every error."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False, help_text=_("The fields' messages, for a 400."))


class NodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    label = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class ConsentsSerializer(serializers.Serializer):
    care = serializers.ChoiceField(ConsentStatus.choices, source="care_consent")
    registries = serializers.ChoiceField(ConsentStatus.choices, source="registries_consent")
    research_contact = serializers.ChoiceField(ConsentStatus.choices, source="research_contact_consent")


class PatientSerializer(serializers.Serializer):
    """A line of the list: never an identifying field."""

    pseudonym = serializers.CharField()
    centre = NodeSerializer()
    sex_at_birth = serializers.CharField()
    year_of_birth = serializers.IntegerField(allow_null=True)
    consents = ConsentsSerializer(source="*")


class IdentitySerializer(serializers.Serializer):
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    hospital_number = serializers.CharField()
    national_id = serializers.CharField()


class PatientDetailSerializer(PatientSerializer):
    """As the patient's page shows it, inside the enrolling centre: the identity too."""

    identity = IdentitySerializer(source="*")
    country_of_residence = serializers.CharField()
    vital_status = serializers.CharField()
    enrolled_at = serializers.DateTimeField()


class ConsentRecordSerializer(serializers.Serializer):
    """A consent recorded: given, refused, or withdrawn (in force at once), as the consents page takes it."""

    kind = serializers.ChoiceField(ConsentKind.choices)
    # The one consent-status enum of the document; "not_asked" is refused by the page's form (400).
    status = serializers.ChoiceField(
        ConsentStatus.choices, help_text=_("given, refused or withdrawn: “not_asked” is not recorded.")
    )
    date = serializers.DateField(
        help_text=_("The day it was given, refused or withdrawn; not in the future.")
    )


class ConceptSerializer(serializers.Serializer):
    system = serializers.CharField()
    code = serializers.CharField()
    label = serializers.CharField()


class DiagnosisSerializer(serializers.Serializer):
    concept = ConceptSerializer()
    certainty = serializers.CharField()
    is_main = serializers.BooleanField()


class PhenotypeSerializer(serializers.Serializer):
    concept = ConceptSerializer()
    excluded = serializers.BooleanField()
    onset = serializers.CharField()


class VariantSerializer(serializers.Serializer):
    gene_symbol = serializers.CharField()
    hgvs = serializers.CharField()
    zygosity = serializers.CharField()
    acmg_class = serializers.CharField()


class CaseAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    content_type = serializers.CharField(source="document.content_type")
    size = serializers.IntegerField(source="document.size")


class CaseSerializer(serializers.Serializer):
    """The consultation form of a patient: every section (the case holds no identifying field).
    Its instance is a case with its rows laid out by `case_rows` (a case never saved has none)."""

    pseudonym = serializers.CharField(source="patient.pseudonym")
    onset = serializers.CharField()
    age_at_onset_years = serializers.IntegerField(allow_null=True)
    age_at_diagnosis_years = serializers.IntegerField(allow_null=True)
    first_contact_year = serializers.IntegerField(allow_null=True)
    clinical_history = serializers.CharField()
    family_history = serializers.CharField()
    investigations = serializers.CharField()
    treatment = serializers.CharField()
    undiagnosed = serializers.BooleanField()
    diagnoses = DiagnosisSerializer(many=True, source="rows_diagnoses")
    phenotypes = PhenotypeSerializer(many=True, source="rows_phenotypes")
    variants = VariantSerializer(many=True, source="rows_variants")
    attachments = CaseAttachmentSerializer(many=True, source="rows_attachments")
    updated_at = serializers.DateTimeField(allow_null=True)


class DiagnosisRowInput(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text=_("An ORPHA or ICD-10 code: ORPHA:558, G40.3."))
    certainty = serializers.ChoiceField(Certainty.choices, default=Certainty.CONFIRMED)
    is_main = serializers.BooleanField(default=False)


class PhenotypeRowInput(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text=_("An HPO term: HP:0001250."))
    excluded = serializers.BooleanField(default=False)
    onset = serializers.ChoiceField(Onset.choices, allow_blank=True, default="")


class VariantRowInput(serializers.Serializer):
    gene_symbol = serializers.CharField(max_length=40)
    hgvs = serializers.CharField(max_length=500, allow_blank=True, default="")
    zygosity = serializers.ChoiceField(Zygosity.choices, allow_blank=True, default="")
    acmg_class = serializers.ChoiceField(AcmgClass.choices, allow_blank=True, default="")


def optional_text() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=20000, trim_whitespace=False)


def optional_count() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=9999)


class CaseChangeSerializer(serializers.Serializer):
    """The fields of the case to change, as the case is read; the case's section forms check them.
    A list of rows replaces the section's rows."""

    onset = serializers.ChoiceField(Onset.choices, required=False, allow_blank=True)
    age_at_onset_years = optional_count()
    age_at_diagnosis_years = optional_count()
    first_contact_year = optional_count()
    clinical_history = optional_text()
    family_history = optional_text()
    investigations = optional_text()
    treatment = optional_text()
    undiagnosed = serializers.BooleanField(required=False)
    diagnoses = DiagnosisRowInput(many=True, required=False, max_length=MAX_ROWS)
    phenotypes = PhenotypeRowInput(many=True, required=False, max_length=MAX_ROWS)
    variants = VariantRowInput(many=True, required=False, max_length=MAX_ROWS)


class PanelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    pseudonym = serializers.CharField(source="patient.pseudonym")
    status = serializers.ChoiceField(PanelStatus.choices)
    urgency = serializers.ChoiceField(Urgency.choices)
    ern = NodeSerializer()
    thematic_area = serializers.CharField(source="thematic_area.name", allow_null=True, default=None)
    centre = NodeSerializer()
    requester = PersonSerializer()
    lead = PersonSerializer(allow_null=True)
    question = serializers.CharField()
    wished_answer_date = serializers.DateField(allow_null=True)
    shared_sections = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class PlaceSerializer(serializers.Serializer):
    """What the caller is to the panel."""

    is_requester = serializers.BooleanField()
    is_member = serializers.BooleanField()
    is_lead = serializers.BooleanField()
    is_invited = serializers.BooleanField()
    is_triager = serializers.BooleanField()


class PanelDetailSerializer(PanelSerializer):
    me = PlaceSerializer(help_text=_("What you are to this panel."))


class PanelChangeSerializer(serializers.Serializer):
    """A draft's fields, as the page's form takes them (PanelRequestForm checks them); all optional."""

    ern = serializers.IntegerField(required=False, help_text=_("The id of the ERN asked."))
    thematic_area = serializers.IntegerField(required=False, allow_null=True)
    question = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    urgency = serializers.ChoiceField(Urgency.choices, required=False)
    wished_answer_date = serializers.DateField(required=False, allow_null=True)
    shared_sections = serializers.ListField(
        child=serializers.ChoiceField(list(SECTIONS)), required=False, max_length=len(SECTIONS)
    )


class InvitationAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(["accept", "decline"])
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Required to decline.")
    )


class TriageSerializer(serializers.Serializer):
    """A triage decision, as the page's three forms take it (AcceptForm, ReturnForm, ForwardForm)."""

    decision = serializers.ChoiceField(["accept", "return", "forward"])
    lead = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("To accept: the id of the HP of the ERN who leads the panel (the requester by default)."),
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_("To return: your question to the requester (required). To forward: a note."),
    )
    ern = serializers.IntegerField(
        required=False, help_text=_("To forward: the id of the ERN (the panel's own by default).")
    )
    thematic_area = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("To forward: the id of a thematic area of that ERN.")
    )


class SignoffAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(Signoff.Decision.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("Required to ask for changes.")
    )


class SharedRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()
    detail = serializers.CharField()


class SharedSectionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    rows = SharedRowSerializer(many=True)


class PanelCaseSerializer(serializers.Serializer):
    pseudonym = serializers.CharField()
    sections = SharedSectionSerializer(many=True, help_text=_("Empty when the patient has no case yet."))


class ContributionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    author = PersonSerializer()
    text = serializers.CharField()
    answers = serializers.IntegerField(source="answers_id", allow_null=True)
    created_at = serializers.DateTimeField()


class ContributionAddSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, trim_whitespace=True)


class OutcomeVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    author = PersonSerializer()
    findings = serializers.CharField()
    recommendations = serializers.CharField()
    treatment_plan = serializers.CharField()
    follow_up = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)


class SignerSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.get_full_name")
    decision = serializers.CharField(source="signoff.decision", allow_null=True, default=None)
    answered_at = serializers.DateTimeField(source="signoff.created_at", allow_null=True, default=None)


class OutcomeSerializer(serializers.Serializer):
    panel = serializers.IntegerField()
    current = OutcomeVersionSerializer(
        allow_null=True, help_text=_("The latest version, null before the first.")
    )
    is_signed = serializers.BooleanField()
    under_signature = serializers.BooleanField()
    signers = SignerSerializer(many=True)


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    time_zone = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    ern = NodeSerializer(allow_null=True)
    organiser = PersonSerializer()
    my_response = serializers.CharField(allow_null=True, help_text=_("Your answer, or “organiser”."))


def case_rows(case):
    """The case with `rows_<kind>`: its prefetched rows, or none before its first save (and then no
    `updated_at`: the model's default is the time of the read, which would change the ETag each time)."""
    if not case.pk:
        case.updated_at = None
    for name in ("diagnoses", "phenotypes", "variants", "attachments"):
        setattr(case, f"rows_{name}", list(getattr(case, name).all()) if case.pk else [])
    return case


def request_form_data(panel, changes: dict) -> dict:
    """The page form's data for a draft with these changes (the fields a PATCH leaves keep their value)."""
    data = {
        "ern": str(panel.ern_id),
        "thematic_area": str(panel.thematic_area_id or ""),
        "question": panel.question,
        "urgency": panel.urgency,
        "wished_answer_date": panel.wished_answer_date.isoformat() if panel.wished_answer_date else "",
        "shared_sections": list(panel.shared_sections),
    }
    for name, value in changes.items():
        if name == "shared_sections":
            data[name] = list(value)
        elif name == "wished_answer_date":
            data[name] = value.isoformat() if value else ""
        else:
            data[name] = "" if value is None else str(value)
    return data


def triage_form_data(panel, decision: str, given: dict) -> dict:
    """The page's triage form data (its `<decision>-<field>` names) for a decision sent to the API."""
    if decision == "accept":
        fields = {"lead": given.get("lead")}
    elif decision == "return":
        fields = {"text": given.get("text", "")}
    else:
        ern, area = given.get("ern", panel.ern_id), given.get("thematic_area")
        fields = {"ern": ern, "thematic_area": area, "text": given.get("text", "")}
    data = {f"{decision}-{name}": "" if value is None else str(value) for name, value in fields.items()}
    return {"decision": decision, **data}
