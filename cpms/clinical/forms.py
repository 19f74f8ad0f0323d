from django import forms
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from .queries import ErnChoices

AREAS_PREFIX = "areas_"


class PreferencesForm(StyledFormMixin, forms.Form):
    """Job title, and for each ERN of the user's grants the thematic areas they follow there."""

    job_title = forms.CharField(
        label=_("Job title"),
        max_length=120,
        help_text=_("For example: consultant neurologist, clinical geneticist, specialist nurse."),
    )

    def __init__(self, *args, ern_choices: list[ErnChoices], **kwargs):
        super().__init__(*args, **kwargs)
        self.ern_choices = ern_choices
        for choice in ern_choices:
            self.fields[self.field_name(choice.ern.pk)] = forms.MultipleChoiceField(
                label=choice.ern.label,
                choices=[(str(area.pk), area.display_name) for area in choice.areas],
                required=bool(choice.areas),
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": _("Choose at least one thematic area in %(ern)s.")
                    % {"ern": choice.ern.label},
                    "invalid_choice": _(
                        "One of the chosen thematic areas is not offered in %(ern)s. Please choose again."
                    )
                    % {"ern": choice.ern.label},
                },
            )

    @staticmethod
    def field_name(ern_id: int) -> str:
        return f"{AREAS_PREFIX}{ern_id}"

    @property
    def ern_fields(self) -> list[tuple[ErnChoices, forms.BoundField]]:
        return [(choice, self[self.field_name(choice.ern.pk)]) for choice in self.ern_choices]

    def clean(self):
        cleaned = super().clean()
        unexpected = [key for key in self.data if key.startswith(AREAS_PREFIX) and key not in self.fields]
        if unexpected:
            raise forms.ValidationError(
                _("You can choose thematic areas only in the ERNs where you have access to CPMS.")
            )
        return cleaned

    def areas_by_ern(self) -> dict[int, list[int]]:
        return {
            choice.ern.pk: [int(pk) for pk in self.cleaned_data.get(self.field_name(choice.ern.pk), [])]
            for choice in self.ern_choices
        }

    @classmethod
    def initial_for(cls, job_title: str, chosen: dict[int, list[int]]) -> dict:
        initial = {"job_title": job_title}
        for ern_id, area_ids in chosen.items():
            initial[cls.field_name(ern_id)] = [str(pk) for pk in area_ids]
        return initial
