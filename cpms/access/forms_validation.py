"""Forms of the validation desk: filters, approve, reject, revoke."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from .models import AccessRequest

ANY_STATUS = "all"
REASON_MAX = 2000


def reason_field(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
        error_messages={"required": _("Give a reason: the person will read it in an e-mail.")},
    )


class ApproveForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note to the requester (optional)"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
    )

    prefix = "approve"


class RejectForm(StyledFormMixin, forms.Form):
    reason = reason_field(_("Reason for the rejection"), _("Sent to the requester. Required."))

    prefix = "reject"


class RevokeForm(StyledFormMixin, forms.Form):
    reason = reason_field(_("Reason for the revocation"), _("Sent to the person. Required."))


def html_attributes(attrs: dict) -> str:
    """Django's attrs.html: ` name="value"`, ` name` for True, nothing for False."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FilterSelect(forms.Select):
    """Django's select, built in Python: the same HTML (flat choices), without the three templates
    per option whose rendering cost more than the rest of the desk's filter form."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>\n',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for group_name, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], html_attributes(widget["attrs"]), options
        )


class FilterSearchInput(forms.TextInput):
    """Django's text input, built in Python: the same HTML, no templates."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = format_html(' value="{}"', widget["value"]) if widget["value"] is not None else ""
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            html_attributes(widget["attrs"]),
        )


class FilterForm(StyledFormMixin, forms.Form):
    """Filters of the queue and of the grants page. Bad values are reported and ignored."""

    ern = forms.TypedChoiceField(
        label=_("ERN"), required=False, coerce=int, empty_value=None, widget=FilterSelect
    )
    profile = forms.ChoiceField(label=_("Access profile"), required=False, widget=FilterSelect)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=FilterSearchInput(
            attrs={"type": "search", "placeholder": _("Name, e-mail or username"), "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, erns, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.erns = {ern.pk: ern for ern in erns}
        # Each application has its own ERN nodes: name the application when there are several.
        several = len({ern.application_id for ern in self.erns.values()}) > 1
        self.fields["ern"].choices = [("", _("All my ERNs"))] + [
            (ern.pk, f"{ern.label} ({ern.application.name})" if several else ern.label)
            for ern in self.erns.values()
        ]
        self.fields["profile"].choices = [("", _("All profiles"))] + list(profiles)

    def values(self) -> dict:
        """The valid filters (an invalid one is dropped), as keyword arguments for the queries."""
        data = getattr(self, "cleaned_data", {})
        return {
            "ern": self.erns.get(data.get("ern")),
            "profile": data.get("profile") or "",
            "search": (data.get("q") or "").strip(),
        }


class QueueFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*AccessRequest.Status.choices, (ANY_STATUS, _("All statuses"))],
        widget=FilterSelect,
    )

    field_order = ["status", "ern", "profile", "q"]

    def values(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or AccessRequest.Status.PENDING
        return {**super().values(), "status": "" if status == ANY_STATUS else status}
