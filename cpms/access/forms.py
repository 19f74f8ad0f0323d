"""Forms of the access desk.

The "Request access" wizard's forms come first; other areas add theirs below.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from .models import AccessProfile, Application, OrganisationNode
from .queries.requests import request_problems
from .queries.tree import get_institution, requestable_applications

# -- Request access wizard


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Application) -> str:
        # "European Reference Networks" alone does not say it is the ERN Collaborative Platform.
        return f"{obj.name} — {obj.description}" if obj.description else obj.name


class ApplicationChoiceForm(StyledFormMixin, forms.Form):
    """Step 1: an application of the catalogue that is open to access requests (one radio each)."""

    application = ApplicationChoiceField(
        label=_("Application"),
        queryset=Application.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose an application in the list."),
            "invalid_choice": _("This application is not open to access requests. Choose one in the list."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = requestable_applications()


class OrganisationChoiceForm(forms.Form):
    """Step 2: an institution of the chosen application (the radio buttons of the tree table).

    Without a choice on this page, the institution chosen before (`current`) is kept.
    """

    organisation = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, application: Application, current: OrganisationNode | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.application, self.current = application, current

    def clean_organisation(self) -> OrganisationNode:
        value = self.cleaned_data["organisation"]
        if not value:
            if self.current is not None:
                return self.current
            raise ValidationError(_("Choose an institution: open an ERN, then a country, and select one."))
        organisation = get_institution(self.application, value)
        if organisation is None:
            raise ValidationError(
                _("This is not an institution of %(application)s. Choose an institution in the list.")
                % {"application": self.application.name}
            )
        return organisation


class ProfileChoiceForm(forms.Form):
    """Step 3: one or several profiles offered by the application, not yet held or asked for here."""

    profiles = forms.ModelMultipleChoiceField(
        queryset=AccessProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one access profile."),
            "invalid_choice": _("This profile is not offered by the application. Choose one in the table."),
            "invalid_pk_value": _("This profile is not offered by the application. Choose one in the table."),
            "list": _("Choose access profiles in the table."),
        },
    )

    def __init__(
        self, *args, user, application: Application, organisation: OrganisationNode, statuses, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.user, self.application, self.organisation, self.statuses = (
            user,
            application,
            organisation,
            statuses,
        )
        self.fields["profiles"].queryset = application.profiles.select_related("requires").order_by(
            "position", "name"
        )

    def clean_profiles(self) -> list[AccessProfile]:
        profiles = list(self.cleaned_data["profiles"])
        problems = request_problems(
            self.user, self.application, self.organisation, profiles, statuses=self.statuses
        )
        if problems:
            raise ValidationError(problems)
        return profiles


class RequestCommentForm(StyledFormMixin, forms.Form):
    """Step 4: an optional comment for the validators."""

    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=2000,
        help_text=_("Optional, up to 2,000 characters: your role, why you need this access."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
