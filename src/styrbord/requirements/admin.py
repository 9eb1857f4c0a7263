from django.contrib import admin

from styrbord.requirements import models


@admin.register(models.Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("name", "scope_level", "population", "rule", "target_percent", "deadline", "priority", "is_active")
    list_filter = ("scope_level", "rule", "population", "source_kind", "priority", "is_active")
    search_fields = ("name", "source_reference")
    filter_horizontal = ("competences",)
    raw_id_fields = ("facility", "unit")
