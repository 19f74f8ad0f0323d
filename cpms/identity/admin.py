"""Administrators register the services that sign their users in with CPMS Login (OpenID Connect),
and manage accounts (search, second factors, sessions, grants, deactivate).

DOT's application admin, with CPMS Login's settings inline (required assurance, allowed scopes)
and clearer labels; "trusted" is DOT's skip_authorization (no consent screen).
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin  # importing it registers DOT's admin classes
from oauth2_provider.models import get_application_model

from cpms.audit.record import record

from .actions.staff import do_deactivate_user, do_end_session_for_staff, do_reactivate_user
from .models import PhoneNumber, SecurityKey, ServiceSettings, TotpDevice, User, UserSession
from .queries import count_of

Application = get_application_model()


class ServiceSettingsInline(admin.StackedInline):
    model = ServiceSettings
    fields = ["requires_two_factors", "allowed_scopes"]
    can_delete = False
    min_num = 1
    max_num = 1
    verbose_name = _("CPMS Login settings")
    verbose_name_plural = _("CPMS Login settings")


class ServiceAdmin(ApplicationAdmin):
    inlines = [ServiceSettingsInline]
    list_display = ("name", "client_id", "client_type", "skip_authorization", "created")
    fieldsets = [
        (None, {"fields": ["name", "client_id", "client_type", "client_secret", "hash_client_secret"]}),
        (
            _("Addresses"),
            {
                "fields": ["redirect_uris", "post_logout_redirect_uris", "allowed_origins"],
                "description": _("Exact URLs, one per line. https only (http only in the embedded default)."),
            },
        ),
        (
            _("Sign-in"),
            {"fields": ["authorization_grant_type", "algorithm", "skip_authorization", "user"]},
        ),
        (_("Registration"), {"fields": ["registration_source", "cimd_expires_at"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        fields = form.base_fields
        if "skip_authorization" in fields:
            fields["skip_authorization"].label = _("Trusted")
            fields["skip_authorization"].help_text = _("Users are not asked for their consent.")
        if "algorithm" in fields:  # the only one the discovery document advertises
            choices = fields["algorithm"].choices
            fields["algorithm"].choices = [c for c in choices if c[0] == Application.RS256_ALGORITHM]
            fields["algorithm"].help_text = _(
                "RSA with SHA-2 256 signs ID tokens with CPMS Login's keys (JWKS)."
            )
        return form

    def get_changeform_initial_data(self, request):
        return {
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            **super().get_changeform_initial_data(request),
        }


admin.site.unregister(Application)
admin.site.register(Application, ServiceAdmin)


# -- Accounts: staff search them, see their second factors, sessions and grants, and deactivate them.


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TotpDeviceInline(ReadOnlyInline):
    model = TotpDevice
    fields = readonly_fields = ["name", "confirmed", "created_at", "last_used_at"]
    verbose_name = _("authenticator app")
    verbose_name_plural = _("authenticator apps")


class PhoneNumberInline(ReadOnlyInline):
    model = PhoneNumber
    fields = readonly_fields = ["masked", "verified_at", "created_at", "last_used_at"]
    verbose_name = _("mobile phone number")
    verbose_name_plural = _("mobile phone numbers")


class SecurityKeyInline(ReadOnlyInline):
    model = SecurityKey
    fields = readonly_fields = ["name", "created_at", "last_used_at"]
    verbose_name = _("security key")
    verbose_name_plural = _("security keys and trusted platforms")


class UserSessionInline(ReadOnlyInline):
    model = UserSession
    fields = readonly_fields = ["started_at", "last_active_at", "ended_at", "ip", "user_agent", "methods"]
    verbose_name = _("session")
    verbose_name_plural = _("sessions (end them under Sessions)")
    ordering = ["-started_at"]


@admin.action(description=_("Deactivate the selected accounts (they are signed out everywhere)"))
def deactivate_users(modeladmin, request, queryset):
    others = queryset.exclude(pk=request.user.pk)  # never lock oneself out
    done = sum(do_deactivate_user(acting_user=request.user, user=user) for user in others)
    modeladmin.message_user(request, _("%(count)d accounts deactivated.") % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Reactivate the selected accounts"))
def reactivate_users(modeladmin, request, queryset):
    done = sum(do_reactivate_user(acting_user=request.user, user=user) for user in queryset)
    modeladmin.message_user(request, _("%(count)d accounts reactivated.") % {"count": done}, messages.SUCCESS)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Mostly read-only: people change their own e-mail, password and devices, with verification."""

    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "second_factors"]
    list_filter = ["is_active", "is_staff", "is_superuser", "is_external", "email_language"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["last_name", "first_name", "id"]
    actions = [deactivate_users, reactivate_users]
    inlines = [TotpDeviceInline, PhoneNumberInline, SecurityKeyInline, UserSessionInline]
    fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "email_language",
        "time_zone",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "date_joined",
        "last_login",
        "factors_reset_at",
        "grants",
    ]
    readonly_fields = [
        "username",
        "email",
        "is_active",
        "date_joined",
        "last_login",
        "factors_reset_at",
        "grants",
    ]
    filter_horizontal = ["groups"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                apps=count_of(TotpDevice.objects.filter(confirmed=True)),
                phones=count_of(PhoneNumber.objects.filter(verified_at__isnull=False)),
                keys=count_of(SecurityKey.objects.all()),
            )
        )

    @admin.display(description=_("second factors"))
    def second_factors(self, user: User) -> str:
        parts = [(_("apps"), user.apps), (_("phones"), user.phones), (_("keys"), user.keys)]
        return ", ".join(f"{label}: {count}" for label, count in parts if count) or "—"

    @admin.display(description=_("grants"))
    def grants(self, user: User) -> str:
        url = reverse("admin:access_grant_changelist") + "?" + urlencode({"user__id__exact": user.pk})
        return format_html('<a href="{}">{}</a>', url, _("The grants of this account"))

    def has_add_permission(self, request):
        return False  # accounts are created by their owners (Create an account)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail keeps pointing at the account

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).values(*form.changed_data).first() or {}
        super().save_model(request, obj, form, change)
        changed = {
            name: {"old": before.get(name), "new": getattr(obj, name)}
            for name in form.changed_data
            if name != "groups"
        }
        record(request.user, "identity.user.changed_in_admin", obj, changed)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "groups" in form.changed_data:
            groups = sorted(form.instance.groups.values_list("name", flat=True))
            record(request.user, "identity.user.groups_changed_in_admin", form.instance, {"groups": groups})


@admin.action(description=_("End the selected sessions (the browser is signed out)"))
def end_selected_sessions(modeladmin, request, queryset):
    done = sum(
        do_end_session_for_staff(acting_user=request.user, login_session=s)
        for s in queryset.filter(ended_at=None)
    )
    modeladmin.message_user(request, _("%(count)d sessions ended.") % {"count": done}, messages.SUCCESS)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "last_active_at", "ended_at", "ip", "methods"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email", "ip"]
    list_select_related = ["user"]
    actions = [end_selected_sessions]
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "session_key"]

    def get_fields(self, request, obj=None):
        return [f for f in self.get_readonly_fields(request, obj) if f != "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
