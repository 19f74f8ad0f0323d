"""Administrators manage applications, the organisation tree and profiles here.

Requests are decided on the desk (audited, e-mailed), so the admin only shows them; grants can be
corrected (expiry, revocation) by administrators, and every such change goes to the audit trail.
"""

from django.contrib import admin
from django.db import models

from cpms.audit.record import changes, record

from .models import AccessProfile, AccessRequest, Application, Grant, OrganisationNode


class AccessProfileInline(admin.StackedInline):  # stacked: each field has its label (a table's have none)
    model = AccessProfile
    fields = ["code", "name", "description", "requires", "position"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A profile can only require a profile of the same application. The form class is built
        # afresh on every call, so narrowing its field here is safe across requests.
        requires = formset.form.base_fields.get("requires")
        if requires is not None:
            requires.queryset = (
                AccessProfile.objects.filter(application=obj) if obj else AccessProfile.objects.none()
            )
        return formset


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_requestable",
        "position",
    ]  # not list_editable: its inputs have no labels
    list_filter = ["is_requestable"]
    search_fields = ["code", "name"]
    inlines = [AccessProfileInline]


@admin.register(OrganisationNode)
class OrganisationNodeAdmin(admin.ModelAdmin):
    list_display = ["node_label", "kind", "ern", "parent", "application"]
    list_filter = ["kind", "application"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "ern"]
    list_select_related = ["application", "parent", "ern"]
    fields = ["application", "kind", "parent", "ern", "code", "name", "description", "city", "website"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="organisation", ordering="code")
    def node_label(self, obj: OrganisationNode) -> str:
        return obj.label

    def save_model(self, request, obj, form, change):
        obj.search_name = OrganisationNode.search_text_of(
            "" if obj.kind == OrganisationNode.Kind.COUNTRY else obj.code, obj.name, obj.city
        )
        super().save_model(request, obj, form, change)


@admin.register(AccessProfile)
class AccessProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "application", "requires", "position"]
    list_filter = ["application"]
    search_fields = ["code", "name"]
    list_select_related = ["application", "requires"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requires":
            kwargs["queryset"] = AccessProfile.objects.select_related("application")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    """Read-only: approving or rejecting goes through the desk, which audits and notifies."""

    list_display = [
        "created_at",
        "requester",
        "application",
        "organisation",
        "profile",
        "status",
        "decided_at",
    ]
    list_filter = ["status", ("ern", admin.RelatedOnlyFieldListFilter), "application"]
    search_fields = ["requester__username", "requester__email", "organisation__code", "organisation__name"]
    list_select_related = ["requester", "application", "organisation", "profile"]
    raw_id_fields = ["requester", "organisation", "ern", "decided_by"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "application",
        "organisation",
        "profile",
        "created_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [
        "application",
        "profile__code",
        ("ern", admin.RelatedOnlyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["user__username", "user__email", "organisation__code", "organisation__name"]
    list_select_related = ["user", "application", "organisation", "profile"]
    raw_id_fields = ["user", "organisation", "ern", "request", "approved_by", "revoked_by"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = "access.grant.changed_in_admin" if change else "access.grant.created_in_admin"
        new = {
            name: form.fields[name].prepare_value(form.cleaned_data.get(name)) for name in form.changed_data
        }
        old = {name: form.initial.get(name) for name in form.changed_data}
        record(request.user, action, obj, {**grant_summary(obj), "changes": changes(old, new, sorted(new))})

    def delete_model(self, request, obj):
        record(request.user, "access.grant.deleted_in_admin", obj, grant_summary(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for grant in queryset:
            record(request.user, "access.grant.deleted_in_admin", grant, grant_summary(grant))
        super().delete_queryset(request, queryset)


def grant_summary(grant: Grant) -> dict:
    return {
        "user": grant.user_id,
        "organisation": grant.organisation_id,
        "profile": grant.profile_id,
        "expires_at": grant.expires_at,
        "revoked_at": grant.revoked_at,
    }
