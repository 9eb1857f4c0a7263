from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from styrbord.organisations import models
from styrbord.training.services.staffing import refresh_staffing_flags_at


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "nuts2")


@admin.register(models.Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")
    list_filter = ("region",)
    search_fields = ("code", "name")


class UnitInline(admin.TabularInline):
    model = models.Unit
    extra = 0


class StaffingPeriodInline(admin.TabularInline):
    model = models.StaffingPeriod
    extra = 0


@admin.register(models.Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "operator_kind", "places", "minimum_staff", "minimum_staff_weekend")
    list_filter = ("kind", "operator_kind", "municipality__region")
    search_fields = ("name", "tilbudsportalen_id")
    filter_horizontal = ("legal_bases", "target_groups", "methods")
    inlines = [UnitInline, StaffingPeriodInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """After the facility (its weekday and weekend minimums) and its periods are saved: the
        staffing flags of the bookings there follow the minimums, in the admin's transaction."""
        super().save_related(request, form, formsets, change)
        if change:  # a new facility has no one employed, so no bookings
            refresh_staffing_flags_at([form.instance.pk])


for model in (models.Grantor, models.LegalBasis, models.TargetGroup, models.Method):
    admin.site.register(model)
