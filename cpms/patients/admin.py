"""The admin reads patients unscoped (it is the one place that sees every centre) and never writes:
patients are enrolled, changed and removed by their centre, with the audit trail that goes with it.
Identifying fields are not shown here."""

from django.contrib import admin

from .models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = (
        "pseudonym",
        "centre",
        "sex_at_birth",
        "year_of_birth",
        "care_consent",
        "enrolled_at",
        "removed_at",
    )
    list_filter = ("care_consent", "registries_consent", "vital_status")
    search_fields = ("pseudonym",)
    fields = (
        "pseudonym",
        "centre",
        "ern",
        "sex_at_birth",
        "year_of_birth",
        "country_of_residence",
        "vital_status",
        "care_consent",
        "registries_consent",
        "research_contact_consent",
        "enrolled_by",
        "enrolled_at",
        "removed_at",
    )
    readonly_fields = fields
    list_select_related = ("centre",)

    def get_queryset(self, request):
        return Patient.objects.unscoped().select_related("centre", "ern", "enrolled_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
