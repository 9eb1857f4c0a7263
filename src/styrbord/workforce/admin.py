from django.contrib import admin

from styrbord.workforce import models


@admin.register(models.WorkforceStatistic)
class WorkforceStatisticAdmin(admin.ModelAdmin):
    list_display = ("municipality", "facility", "year", "job_group", "metric", "value", "source")
    list_filter = ("metric", "year", "municipality")
    raw_id_fields = ("facility",)


@admin.register(models.JobPosting)
class JobPostingAdmin(admin.ModelAdmin):
    list_display = ("municipality", "facility", "job_group", "job_type", "posted_on", "applicants")
    list_filter = ("municipality", "job_group")
    date_hierarchy = "posted_on"
    raw_id_fields = ("facility",)
