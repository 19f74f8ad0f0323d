"""Forms of the patient pages: enrolment, search, removal."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpms.access.models import OrganisationNode
from cpms.lib.forms import StyledFormMixin

from ..models.patient import ConsentStatus, Sex, VitalStatus

OLDEST_BIRTH_DATE = datetime.date(1900, 1, 1)
ENROLMENT_CONSENT_CHOICES = [
    (ConsentStatus.GIVEN, ConsentStatus.GIVEN.label),
    (ConsentStatus.REFUSED, ConsentStatus.REFUSED.label),
    (ConsentStatus.NOT_ASKED, _("Not asked yet")),
]


def country_choices() -> list[tuple[str, str]]:
    """The countries access knows (its reference data), by their name in the user's language."""
    rows = (
        OrganisationNode.objects.filter(kind=OrganisationNode.Kind.COUNTRY)
        .values_list("code", "name")
        .distinct()
    )
    return sorted({(code, gettext(name)) for code, name in rows}, key=lambda row: row[1])


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else value


def check_not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Enter a date in the past or today."), code="future")


class EnrolForm(StyledFormMixin, forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=200)
    family_name = forms.CharField(label=_("Family name"), max_length=200)
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=DateInput(), validators=[check_not_in_future]
    )
    sex_at_birth = forms.ChoiceField(label=_("Sex at birth"), choices=Sex.choices)
    hospital_number = forms.CharField(
        label=_("Local hospital number"),
        max_length=50,
        help_text=_(
            "The number your hospital gives this patient. Stored encrypted; search finds it exactly."
        ),
    )
    national_id = forms.CharField(label=_("National identifier (optional)"), max_length=50, required=False)
    country_of_residence = forms.ChoiceField(label=_("Country of residence"))
    vital_status = forms.ChoiceField(
        label=_("Vital status"), choices=VitalStatus.choices, initial=VitalStatus.ALIVE
    )
    care_consent = forms.BooleanField(
        label=_("The patient (or their legal representative) gave consent for care"),
        error_messages={"required": _("A patient is enrolled only with consent for care.")},
    )
    registries_consent = forms.ChoiceField(
        label=_("Consent for ERN registries and databases"),
        choices=ENROLMENT_CONSENT_CHOICES,
        widget=forms.RadioSelect,
        initial=ConsentStatus.NOT_ASKED,
    )
    research_contact_consent = forms.ChoiceField(
        label=_("Consent to be contacted for research"),
        choices=ENROLMENT_CONSENT_CHOICES,
        widget=forms.RadioSelect,
        initial=ConsentStatus.NOT_ASKED,
    )
    consent_date = forms.DateField(
        label=_("Date the consents were signed"), widget=DateInput(), validators=[check_not_in_future]
    )
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country_of_residence"].choices = [("", ""), *country_choices()]
        self.fields["consent_date"].initial = timezone.localdate()

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value < OLDEST_BIRTH_DATE:
            raise ValidationError(_("Enter a date of birth after 1900."), code="too_old")
        return value


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Pseudonym or local hospital number"), max_length=100, required=False)


class RemoveForm(StyledFormMixin, forms.Form):
    pseudonym = forms.CharField(
        label=_("Type the patient's pseudonym to confirm"),
        max_length=20,
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_pseudonym(self):
        value = self.cleaned_data["pseudonym"].strip().upper()
        if value != self.patient.pseudonym:
            raise ValidationError(_("This is not the pseudonym of this patient."), code="mismatch")
        return value
