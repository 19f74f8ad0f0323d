"""Sample forms for the style guide: they show the components with real Django forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin


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
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/png,image/jpeg"}),
    )
