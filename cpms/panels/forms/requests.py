"""The forms of a request for assistance: the request itself (a draft until submitted), the triage
decisions (accept, return with a question, forward), the requester's answer, and the queue's filters.

Every choice is read from the database the form was built with: a posted id that is not among them
(another ERN's thematic area, a lead who is not an HP of the ERN) is an error on the field, never a 500.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin
from cpms.patients.forms.case import SECTIONS

from ..models import Urgency

MAX_TEXT = 5000


def section_choices() -> list[tuple[str, str]]:
    return [(slug, section.title) for slug, section in SECTIONS.items()]


def area_choices(areas) -> list:
    """The thematic areas grouped by ERN (one <optgroup> each), after a "none" choice."""
    groups: dict[str, list] = {}
    for area in areas:
        groups.setdefault(area.ern.code, []).append((str(area.pk), area.display_name))
    return [("", _("No thematic area"))] + list(groups.items())


class ErnAndAreaMixin:
    """An ERN among `erns`, and a thematic area of that ERN (or none)."""

    def set_ern_choices(self, erns, areas) -> None:
        self.erns = {str(ern.pk): ern for ern in erns}
        self.areas = {str(area.pk): area for area in areas}
        self.fields["ern"].choices = [(pk, ern.label) for pk, ern in self.erns.items()]
        self.fields["thematic_area"].choices = area_choices(areas)

    def clean_ern(self):
        return self.erns[self.cleaned_data["ern"]]

    def clean_thematic_area(self):
        value = self.cleaned_data["thematic_area"]
        return self.areas[value] if value else None

    def check_area_in_ern(self, cleaned: dict) -> None:
        ern, area = cleaned.get("ern"), cleaned.get("thematic_area")
        if ern is not None and area is not None and area.ern_id != ern.pk:
            self.add_error(
                "thematic_area",
                _("%(area)s is not a thematic area of %(ern)s.")
                % {"area": area.display_name, "ern": ern.code},
            )


class PanelRequestForm(ErnAndAreaMixin, StyledFormMixin, forms.Form):
    """A request for assistance, kept as a draft: only the question is needed to submit it."""

    ern = forms.ChoiceField(label=_("ERN"), help_text=_("The network whose experts you ask."))
    thematic_area = forms.ChoiceField(label=_("Thematic area"), required=False)
    question = forms.CharField(
        label=_("Question to the panel"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you ask the experts. Needed to submit the request; a draft may wait for it."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    wished_answer_date = forms.DateField(
        label=_("Wished answer date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    shared_sections = forms.MultipleChoiceField(
        label=_("Sections of the case to share with the panel"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members see these sections under the pseudonym, never the patient's identity."),
    )

    def __init__(self, *args, erns, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_ern_choices(erns, areas)
        self.fields["shared_sections"].choices = section_choices()

    def clean_wished_answer_date(self):
        date = self.cleaned_data["wished_answer_date"]
        if date is not None and date < timezone.localdate():
            raise ValidationError(_("The wished answer date cannot be in the past."))
        return date

    def clean(self):
        cleaned = super().clean()
        self.check_area_in_ern(cleaned)
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "ern": data["ern"],
            "thematic_area": data["thematic_area"],
            "question": data["question"].strip(),
            "urgency": data["urgency"],
            "wished_answer_date": data["wished_answer_date"],
            "shared_sections": [slug for slug in SECTIONS if slug in data["shared_sections"]],
        }


class AcceptForm(StyledFormMixin, forms.Form):
    lead = forms.ChoiceField(
        label=_("Panel lead"),
        required=False,
        help_text=_("The requester leads the panel unless you name another HP of the ERN."),
    )

    def __init__(self, *args, leads, requester, **kwargs):
        super().__init__(*args, **kwargs)
        self.leads = {str(user.pk): user for user in leads}
        self.fields["lead"].choices = [
            ("", _("The requester (%(name)s)") % {"name": requester.get_full_name()})
        ] + [(pk, user.get_full_name() or user.username) for pk, user in self.leads.items()]

    def clean_lead(self):
        value = self.cleaned_data["lead"]
        return self.leads[value] if value else None


class ReturnForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your question to the requester"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The request goes back to the requester, who answers and submits it again."),
    )


class ForwardForm(ErnAndAreaMixin, StyledFormMixin, forms.Form):
    ern = forms.ChoiceField(label=_("ERN"))
    thematic_area = forms.ChoiceField(label=_("Thematic area"), required=False)
    text = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, erns, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_ern_choices(erns, areas)

    def clean(self):
        cleaned = super().clean()
        self.check_area_in_ern(cleaned)
        return cleaned


class AnswerForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    question = forms.CharField(
        label=_("Question to the panel"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    shared_sections = forms.MultipleChoiceField(
        label=_("Sections of the case to share with the panel"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_sections"].choices = section_choices()

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"].strip(),
            "question": data["question"].strip(),
            "shared_sections": [slug for slug in SECTIONS if slug in data["shared_sections"]],
        }


class QueueFilterForm(StyledFormMixin, forms.Form):
    """The queue's filters; an invalid value is shown with its error and ignored."""

    ern = forms.ChoiceField(label=_("ERN"), required=False)
    area = forms.ChoiceField(label=_("Thematic area"), required=False)

    def __init__(self, *args, erns, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ern"].choices = [("", _("All my ERNs"))] + [(str(ern.pk), ern.label) for ern in erns]
        choices = area_choices(areas)
        self.fields["area"].choices = [("", _("All thematic areas"))] + choices[1:]

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "ern_id": int(data["ern"]) if data.get("ern") else None,
            "area_id": int(data["area"]) if data.get("area") else None,
        }
