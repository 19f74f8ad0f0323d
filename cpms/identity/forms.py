import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cpms.lib.forms import StyledFormMixin

from .actions.phones import parse_mobile_number
from .models import Method, PhoneNumber, SecurityKey, TotpDevice, User, time_zone_names
from .queries import security_key_name_taken, totp_name_taken

# Django's templates for an <input>: each includes input.html, which includes attrs.html.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("input", "text", "password", "email", "number")
)


def input_html(widget: dict) -> str:
    """What Django's input.html and attrs.html make of a widget's context, in Python."""
    html = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        html.append(f' value="{escape(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is True:
            html.append(f" {conditional_escape(name)}")
        elif value is not False:
            html.append(f' {conditional_escape(name)}="{escape(value)}"')
    html.append(">")
    return "".join(html)


class InputRenderer(DjangoTemplates):
    """Django's form renderer, but an <input> is written in Python: the same HTML, for a tenth of the
    cost of two template inclusions and a loop (the sign-in pages are the busiest forms). Every other
    widget goes through the templates."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name in INPUT_TEMPLATES and widget and widget["template_name"] == template_name:
            return mark_safe(input_html(widget))  # noqa: S308 (every value is escaped above)
        return super().render(template_name, context, request)


SIGNIN_RENDERER = InputRenderer()


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
    default_renderer = SIGNIN_RENDERER
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
    default_renderer = SIGNIN_RENDERER
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class CodeForm(StyledFormMixin, forms.Form):
    default_renderer = SIGNIN_RENDERER
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


class DeviceNameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_("A name that tells your devices apart, like “Work phone”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )

    def __init__(self, *args, user: User, device: TotpDevice | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.device = user, device

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("This field is required."))
        if totp_name_taken(self.user, name, except_device=self.device):
            raise ValidationError(_("You already have an authenticator app with this name."))
        return name


class SecurityKeyNameForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the key"),
        max_length=60,
        help_text=_("For example “Laptop” or “Blue USB key”, so that you can tell your keys apart."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )

    def __init__(self, *args, user: User, key: SecurityKey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.key = user, key

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("This field is required."))
        if security_key_name_taken(self.user, name, except_key=self.key):
            raise ValidationError(_("You already have a key with this name. Please choose another one."))
        return name


# EU and EEA countries, Switzerland and the United Kingdom; others use the international format.
COUNTRIES = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "GR": _("Greece"),
    "HU": _("Hungary"),
    "IS": _("Iceland"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LV": _("Latvia"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
    "CH": _("Switzerland"),
    "GB": _("United Kingdom"),
}

# The country a number most likely comes from, by e-mail language ("en" could be anywhere).
COUNTRY_BY_LANGUAGE = {
    "bg": "BG", "cs": "CZ", "da": "DK", "de": "DE", "el": "GR", "es": "ES", "et": "EE", "fi": "FI",
    "fr": "FR", "ga": "IE", "hr": "HR", "hu": "HU", "it": "IT", "lt": "LT", "lv": "LV", "mt": "MT",
    "nl": "NL", "pl": "PL", "pt": "PT", "ro": "RO", "sk": "SK", "sl": "SI", "sv": "SE",
}  # fmt: skip


class PhoneNumberForm(StyledFormMixin, forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    number = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        help_text=_("For another country, enter the number with + and the country code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "+33 6 12 34 56 78"}
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        calling_code = phonenumbers.country_code_for_region
        countries = sorted(
            ((code, f"{name} (+{calling_code(code)})") for code, name in COUNTRIES.items()),
            key=lambda choice: choice[1],
        )
        self.fields["country"].choices = [("", _("Other country: international format"))] + countries
        self.fields["country"].initial = COUNTRY_BY_LANGUAGE.get(user.email_language, "")

    def clean(self):
        cleaned = super().clean()
        if "number" in cleaned:
            try:
                cleaned["number"] = parse_mobile_number(cleaned["number"], cleaned.get("country") or None)
            except ValidationError as error:
                self.add_error("number", error)
        return cleaned


class PhoneChoiceForm(StyledFormMixin, forms.Form):
    phone = forms.TypedChoiceField(
        label=_("Which phone should receive the code?"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args, phones: list[PhoneNumber], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].choices = [(phone.pk, phone.masked) for phone in phones]


class RecoveryCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=30,
        help_text=_("Like k7q2-9xmz-4hpt. Each code works once."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )
