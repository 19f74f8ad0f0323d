"""The admin reads panels unscoped (the one place that sees every ERN) and never writes them: panels
move through their actions, with the audit trail and notifications that go with them. Expert groups
are reference data an administrator may fix."""

from django.contrib import admin

from .models import ExpertGroup, Panel


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("reference", "ern", "status", "urgency", "submitted_at")
    list_filter = ("status", "urgency")
    fields = (
        "patient",
        "ern",
        "thematic_area",
        "centre",
        "requester",
        "lead",
        "urgency",
        "status",
        "created_at",
        "submitted_at",
        "accepted_at",
        "first_contribution_at",
        "outcome_signed_at",
        "closed_at",
        "archived_at",
    )
    readonly_fields = fields
    list_select_related = ("ern",)

    def get_queryset(self, request):
        return Panel.objects.unscoped()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertGroup)
class ExpertGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "ern")
    raw_id_fields = ("ern", "thematic_area", "members")
