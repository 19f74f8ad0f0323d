from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from .models import Method, User, time_zone_names


class CreateAccountForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    confirm_email = forms.EmailField(label=_("Confirm e-mail"), max_length=254)
    email_language = forms.ChoiceField(
        label=_("E-mail language"), choices=settings.EMAIL_LANGUAGES, initial="en"
    )
    privacy = forms.BooleanField(
        label=_(
            "By checking this box, you acknowledge that you have read and understood the privacy statement"
        ),
        error_messages={"required": _("Please acknowledge the privacy statement.")},
    )

    def clean_first_name(self):
        return self._clean_name("first_name")

    def clean_last_name(self):
        return self._clean_name("last_name")

    def _clean_name(self, field: str) -> str:
        value = self.cleaned_data[field].strip()
        if not value:
            raise ValidationError(_("This field is required."))
        if any(ch in value for ch in "<>@/\\:;\x00"):
            raise ValidationError(_("Please use letters, spaces, hyphens and apostrophes only."))
        return value

    def clean(self):
        cleaned = super().clean()
        email, confirm = cleaned.get("email"), cleaned.get("confirm_email")
        if email and confirm and email.strip().lower() != confirm.strip().lower():
            self.add_error("confirm_email", _("The two e-mail addresses are not the same."))
        return cleaned


class NewPasswordForm(StyledFormMixin, forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words make a strong, memorable password."),
    )
    confirm_password = forms.CharField(
        label=_("Confirm new password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("new_password"), cleaned.get("confirm_password")
        if password and confirm and password != confirm:
            self.add_error("confirm_password", _("The two passwords are not the same."))
        elif password:
            try:
                validate_password(password, self.user)
            except ValidationError as error:
                self.add_error("new_password", error)
        return cleaned

    @staticmethod
    def rules() -> list[str]:
        return password_validators_help_texts()


class ChangePasswordForm(NewPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "confirm_password"]

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your current password."))
        return password


class EmailForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class IdentifierForm(StyledFormMixin, forms.Form):
    identifier = forms.CharField(
        label=_("Use your e-mail address or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class MethodForm(StyledFormMixin, forms.Form):
    method = forms.ChoiceField(label=_("Choose your verification method"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m, Method(m).label) for m in methods]


class PasswordForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\d{3}\s?\d{3}$",
        strip=True,
        max_length=12,
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip()


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class ConfigureAccountForm(StyledFormMixin, forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times on these pages and in your e-mails are shown in this time zone."),
    )

    class Meta:
        model = User
        fields = ["email_language", "time_zone", "preferred_method", "security_emails"]
        labels = {
            "email_language": _("E-mail language"),
            "preferred_method": _("Preferred verification method"),
            "security_emails": _("Also e-mail me when I sign in"),
        }
        help_texts = {
            "security_emails": _("Changes to your password, e-mail and devices are always e-mailed."),
        }


class DeleteAccountForm(StyledFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and personal data will be erased, and that this cannot be undone."
        )
    )
