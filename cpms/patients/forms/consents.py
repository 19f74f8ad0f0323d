"""Forms of consents: one recording, and the signed form that goes with it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import FileCheck, StyledFormMixin

from ..models.patient import ConsentKind, ConsentStatus
from .patients import DateInput, check_not_in_future

SIGNED_FORM_CHECK = FileCheck(max_bytes=10 * 1024 * 1024, extensions=(".pdf", ".png", ".jpg", ".jpeg"))
RECORDED_STATUSES = [(status, status.label) for status in ConsentStatus if status != ConsentStatus.NOT_ASKED]


class ConsentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Consent"), choices=ConsentKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=RECORDED_STATUSES, widget=forms.RadioSelect)
    date = forms.DateField(
        label=_("Date given, refused or withdrawn"), widget=DateInput(), validators=[check_not_in_future]
    )


class SignedFormUpload(StyledFormMixin, forms.Form):
    consent_form = forms.FileField(
        label=_("Signed consent form (optional)"),
        required=False,
        help_text=_("PDF, JPEG or PNG. Stored encrypted."),
        validators=[SIGNED_FORM_CHECK],
        widget=forms.ClearableFileInput(attrs={"accept": SIGNED_FORM_CHECK.accept}),
    )
