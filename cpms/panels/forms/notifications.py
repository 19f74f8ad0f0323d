"""How a person wants to hear about panels by e-mail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import NotificationSettings


class NotificationSettingsForm(forms.Form):
    email = forms.ChoiceField(
        label=_("E-mails about panels"),
        choices=NotificationSettings.Email.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_("The application always shows every notification; urgent panels are e-mailed at once."),
        error_messages={
            "required": _("Choose how you want e-mails about panels."),
            "invalid_choice": _("Choose one of the options shown."),
        },
    )
