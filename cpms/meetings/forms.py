"""The scheduling forms. Every field is hostile input: an unknown zone, a time the clocks skip, a
panel the organiser may not schedule, an id that names nobody: errors of the form, never a 500."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cpms.identity.models import time_zone_names
from cpms.lib.forms import StyledFormMixin

from .actions import MAX_AGENDA_ITEMS, MAX_DURATION, MAX_INVITEES, MIN_DURATION, Plan, Slot

MAX_ID = 2**63 - 1


class IdsField(forms.Field):
    """A list of user ids (checkboxes named alike); at most MAX_INVITEES."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > MAX_INVITEES:
            raise ValidationError(_("Choose at most 200 people."), code="too_many")
        ids = []
        for item in value:
            if not (isinstance(item, str) and item.isdigit() and len(item) < 20 and 0 < int(item) <= MAX_ID):
                raise ValidationError(_("Choose people from the list."), code="invalid")
            ids.append(int(item))
        return sorted(set(ids))


class MeetingForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The date and time are in this zone; each invitee sees them in theirs."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=MIN_DURATION, max_value=MAX_DURATION, initial=60
    )
    invitees = IdsField(label=_("Others invited"), required=False)
    q = forms.CharField(label=_("Find an expert by name"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]

    def clean(self):
        data = super().clean()
        if {"date", "time", "time_zone"} <= data.keys():
            zone = ZoneInfo(data["time_zone"])
            starts = datetime.combine(data["date"], data["time"], tzinfo=zone)
            if starts.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != starts.replace(
                tzinfo=None
            ):
                self.add_error("time", _("The clocks change at that time in this zone: choose another time."))
            else:
                data["starts_at"] = starts
        return data


class AgendaItemForm(StyledFormMixin, forms.Form):
    """One row of the agenda: a panel (and a title, optional), or a free item (a title alone)."""

    panel = forms.ModelChoiceField(queryset=None, label=_("Panel"), required=False, empty_label=_("No panel"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    minutes = forms.IntegerField(label=_("Slot (minutes)"), min_value=1, max_value=MAX_DURATION, initial=15)

    def __init__(self, *args, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].queryset = panels
        self.fields["panel"].label_from_instance = lambda panel: (
            f"{panel.reference} · {panel.patient.pseudonym}"
        )

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("panel") and not data.get("title", "").strip()


BaseAgenda = forms.formset_factory(
    AgendaItemForm, extra=3, can_order=True, max_num=MAX_AGENDA_ITEMS, validate_max=True, absolute_max=60
)


class AgendaFormSet(BaseAgenda):
    def __init__(self, *args, panels=None, **kwargs):
        self.panels = panels
        super().__init__(*args, prefix="agenda", **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Position")
        form.fields["ORDER"].widget.attrs["class"] = "form-control"

    def get_form_kwargs(self, index):
        return {"panels": self.panels}

    def slots(self) -> tuple[Slot, ...]:
        """The rows that say something, in the order asked (a row without a position goes last)."""
        rows = [
            (form.cleaned_data.get("ORDER") or 10**6, index, form)
            for index, form in enumerate(self.forms)
            if not form.is_blank
        ]
        return tuple(
            Slot(
                form.cleaned_data.get("panel"),
                form.cleaned_data.get("title", "").strip(),
                form.cleaned_data["minutes"],
            )
            for _order, _index, form in sorted(rows, key=lambda row: row[:2])
        )


def plan_from(form: MeetingForm, agenda: AgendaFormSet) -> Plan:
    data = form.cleaned_data
    return Plan(
        title=data["title"],
        starts_at=data["starts_at"],
        time_zone=data["time_zone"],
        duration_minutes=data["duration_minutes"],
        agenda=agenda.slots(),
        extra_invitee_ids=tuple(data["invitees"]),
    )


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        choices=[("accepted", _("Accept")), ("tentative", _("Tentative")), ("declined", _("Decline"))]
    )
