from django.contrib import admin

from .models import ExpertGroup, Panel


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("reference", "ern", "status", "urgency", "submitted_at")
    list_filter = ("status", "urgency")
    raw_id_fields = ("patient", "requester", "lead", "centre", "ern", "thematic_area")

    def get_queryset(self, request):
        return Panel.objects.unscoped()


@admin.register(ExpertGroup)
class ExpertGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "ern")
    filter_horizontal = ("members",)
