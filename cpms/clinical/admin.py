from django.contrib import admin

from .models import ClinicianProfile, ThematicArea


@admin.register(ThematicArea)
class ThematicAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ern"]
    list_filter = [("ern", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "ern__code"]
    list_select_related = ["ern"]


@admin.register(ClinicianProfile)
class ClinicianProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "job_title", "completed_at"]
    search_fields = ["user__username", "user__email", "job_title"]
    list_select_related = ["user"]
    readonly_fields = ["user", "completed_at"]
