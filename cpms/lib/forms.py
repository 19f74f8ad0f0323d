from django import forms


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
