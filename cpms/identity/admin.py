"""Administrators register the services that sign their users in with CPMS Login (OpenID Connect).

DOT's application admin, with CPMS Login's settings inline (required assurance, allowed scopes)
and clearer labels; "trusted" is DOT's skip_authorization (no consent screen).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin  # importing it registers DOT's admin classes
from oauth2_provider.models import get_application_model

from .models import ServiceSettings

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
