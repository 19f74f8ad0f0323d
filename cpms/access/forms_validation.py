"""Forms of the validation desk: filters, approve, reject, revoke."""

from django import forms
from django.forms.renderers import TemplatesSetting
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


class FilterSelect(forms.Select):
    """Django's select, in one template: the same HTML without an include per option and per
    attribute list, which cost more than the rest of the desk's filter form (flat choices only)."""

    template_name = "access/_filter_select.html"


class FilterSearchInput(forms.TextInput):
    """Django's text input, in one template (the same HTML, no includes)."""

    template_name = "access/_filter_input.html"


class FilterForm(StyledFormMixin, forms.Form):
    """Filters of the queue and of the grants page. Bad values are reported and ignored.

    Its widgets are the one-template ones above, found by the project's template engine."""

    default_renderer = TemplatesSetting

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
