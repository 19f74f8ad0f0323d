"""Sample forms for the style guide: they show the components with real Django forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import FileCheck, StyledFormMixin

CONSENT_FORM_CHECK = FileCheck(max_bytes=20 * 1024 * 1024, extensions=(".pdf", ".png", ".jpg", ".jpeg"))


class SampleForm(StyledFormMixin, forms.Form):
    job_title = forms.CharField(
        label=_("Job title"), max_length=80, help_text=_("As your colleagues know it.")
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=[("routine", _("Routine")), ("urgent", _("Urgent"))],
        widget=forms.RadioSelect,
    )
    agree = forms.BooleanField(label=_("I have the patient's consent"))


class SampleUploadForm(StyledFormMixin, forms.Form):
    document = forms.FileField(
        label=_("Signed consent form"),
        help_text=_("A PDF or an image."),
        validators=[CONSENT_FORM_CHECK],
        widget=forms.ClearableFileInput(attrs={"accept": CONSENT_FORM_CHECK.accept}),
    )


class SampleTerminologyForm(StyledFormMixin, forms.Form):
    phenotype = forms.CharField(label=_("Phenotype (HPO term)"), max_length=20, required=False)
    diagnosis = forms.CharField(label=_("Diagnosis (ORPHA or ICD-10)"), max_length=20, required=False)
    variant = forms.CharField(label=_("Variant (HGVS)"), max_length=200, required=False)
    gene = forms.CharField(label=_("Gene (HGNC symbol)"), max_length=40, required=False)
