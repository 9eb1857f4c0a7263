from django.contrib import admin

from styrbord.lib.collation import collated
from styrbord.staff import models


class EmploymentInline(admin.TabularInline):
    model = models.Employment
    extra = 0
    raw_id_fields = ("facility", "unit", "job_code")


@admin.register(models.Employee)
class EmployeeAdmin(admin.ModelAdmin):
    ordering = (collated("name"), "pk")  # Danish order: Æ, Ø, Å after Z (byte order put Å first)
    list_display = ("name", "municipality", "birth_year", "education", "education_relevant")
    list_filter = ("municipality",)
    list_select_related = ("municipality",)
    search_fields = ("name", "employments__employment_number")
    inlines = [EmploymentInline]


@admin.register(models.JobCode)
class JobCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "job_group")


admin.site.register(models.Absence)
