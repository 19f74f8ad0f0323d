"""The inputs of intake: the list of files the browser announces (JSON), the region to mask, the
panels to share with. Anything else is refused with a message, never a 500."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_FILES_PER_CALL = 1000
MAX_BODY = 512 * 1024


def parse_file_list(body: bytes) -> list[dict]:
    """[{"key": str, "name": str, "size": int ≥ 0}, …] from {"files": [...]}; ValidationError otherwise."""
    if len(body) > MAX_BODY:
        raise ValidationError(_("Too many files at once: announce them in smaller groups."))
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise ValidationError(_("The list of files was not understood.")) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or len(files) > MAX_FILES_PER_CALL:
        raise ValidationError(_("The list of files was not understood."))
    clean = []
    for item in files:
        if not isinstance(item, dict):
            raise ValidationError(_("The list of files was not understood."))
        key, name, size = item.get("key"), item.get("name"), item.get("size")
        if not isinstance(key, str) or not key or not isinstance(name, str) or not name:
            raise ValidationError(_("Each file needs a name."))
        if isinstance(size, bool) or not isinstance(size, int) or size < 0 or size > 2**62:
            raise ValidationError(_("Each file needs its size in bytes."))
        clean.append({"key": key, "name": name, "size": size})
    return clean


def parse_offset(value) -> int | None:
    try:
        offset = int(value)
    except (TypeError, ValueError):
        return None
    return offset if 0 <= offset < 2**62 else None


class MaskForm(forms.Form):
    x = forms.IntegerField(label=gettext_lazy("From the left (pixels)"), min_value=0)
    y = forms.IntegerField(label=gettext_lazy("From the top (pixels)"), min_value=0)
    width = forms.IntegerField(label=gettext_lazy("Width (pixels)"), min_value=1)
    height = forms.IntegerField(label=gettext_lazy("Height (pixels)"), min_value=1)

    def region(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("x", "y", "width", "height")}


class ConfirmForm(forms.Form):
    panels = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Share with these panels"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    checked = forms.BooleanField(
        label=gettext_lazy("I checked the tags after de-identification and every image that may show text"),
        required=True,
    )

    def __init__(self, *args, panels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panels"].choices = [(panel.pk, panel.reference) for panel in panels]
