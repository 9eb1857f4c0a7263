from django.contrib import admin

from styrbord.organisations import models


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


for model in (models.Grantor, models.LegalBasis, models.TargetGroup, models.Method):
    admin.site.register(model)
