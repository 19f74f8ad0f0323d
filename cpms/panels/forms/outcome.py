"""Forms of the outcome: the lead's draft, and a member's answer to the version under signature."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from ..models import OutcomeVersion, Signoff
from ..queries.outcome import SECTION_LABELS


class OutcomeDraftForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = OutcomeVersion
        fields = ("findings", "recommendations", "treatment_plan", "follow_up")
        labels = SECTION_LABELS
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}


class SignoffForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"), choices=Signoff.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what should change: the panel lead reads it when drafting the next version."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == Signoff.Decision.CHANGES_REQUESTED
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", _("Say which changes you ask for."))
        return cleaned
