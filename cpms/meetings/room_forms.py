"""The notes of a meeting: its own, and one per agenda item (filed to that item's panel)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem

MAX_NOTES = 20000


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes of the meeting"), max_length=MAX_NOTES, required=False, strip=False
    )

    def __init__(self, *args, items: list[AgendaItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            label = item.panel.reference if item.panel_id else (item.title or _("Free item"))
            self.fields[self.item_field(item)] = forms.CharField(
                label=_("Notes on %(item)s") % {"item": label},
                max_length=MAX_NOTES,
                required=False,
                strip=False,
                initial=item.notes,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            )
        self.fields["notes"].widget = forms.Textarea(attrs={"rows": 6, "class": "form-control"})

    @staticmethod
    def item_field(item: AgendaItem) -> str:
        return f"item_{item.pk}"

    def item_notes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[self.item_field(item)] for item in self.items}

    def item_rows(self):
        """(item, its bound field) for the template."""
        return [(item, self[self.item_field(item)]) for item in self.items]
