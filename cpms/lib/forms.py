from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from .files import EXTENSION_TYPES, content_type_of, read_upload


def css_class_for(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class StyledFormMixin:
    """Bootstrap classes and ARIA attributes on every widget, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            classes = field.widget.attrs.get("class", "").split()
            if css_class_for(field.widget) not in classes:
                classes.append(css_class_for(field.widget))
            field.widget.attrs["class"] = " ".join(classes)

    def add_error(self, field, error):
        # Every error goes through here: the field's own validation, clean(), and a view that
        # finds a problem after is_valid() (a wrong code, a name already taken).
        super().add_error(field, error)
        for name in self._errors:
            if name in self.fields:
                self._mark_invalid(name)

    def _mark_invalid(self, name: str) -> None:
        bound = self[name]
        attrs = self.fields[name].widget.attrs
        if "is-invalid" not in attrs["class"].split():
            attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        # The ids that form_fields.html gives the help text and the errors. `auto_id`, not
        # `id_for_label`: a group of radios or checkboxes has no label id.
        help_text = [f"{bound.auto_id}_helptext"] if bound.help_text else []
        attrs["aria-describedby"] = " ".join([*help_text, f"{bound.auto_id}-error"])


@deconstructible
class FileCheck:
    """The server's check of an upload: size, extension, and for the types cpms.lib.files knows
    (PDF, JPEG, PNG) the content itself, so a renamed file is refused. The browser checked size and
    extension first (see templates/components/_file_upload.html); this check cannot be skipped."""

    def __init__(self, *, max_bytes: int, extensions: tuple[str, ...]):
        self.max_bytes = max_bytes
        self.extensions = tuple(extension.lower() for extension in extensions)

    def __call__(self, upload) -> None:
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("%(name)s is larger than %(size)s.")
                % {"name": upload.name, "size": filesizeformat(self.max_bytes)},
                code="too_large",
            )
        if not upload.name.lower().endswith(self.extensions):
            raise ValidationError(
                _("%(name)s is not a type of file accepted here.") % {"name": upload.name}, code="wrong_type"
            )
        expected = EXTENSION_TYPES.get("." + upload.name.lower().rsplit(".", 1)[-1])
        if expected and content_type_of(read_upload(upload)) != expected:
            raise ValidationError(
                _("%(name)s is not a real %(type)s file, or it is damaged.")
                % {"name": upload.name, "type": upload.name.rsplit(".", 1)[-1].upper()},
                code="wrong_content",
            )

    @property
    def accept(self) -> str:
        """For the widget's accept attribute, so that the browser checks the same list."""
        return ",".join(self.extensions)

    def __eq__(self, other) -> bool:
        return isinstance(other, FileCheck) and (other.max_bytes, other.extensions) == (
            self.max_bytes,
            self.extensions,
        )
