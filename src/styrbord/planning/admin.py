"""Admin: read-mostly views of scenarios and runs (runs are made by the planner, not by hand)."""

from __future__ import annotations

from django.contrib import admin

from styrbord.planning.models import PlanAssignment, PlanRun, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "municipality", "status", "created_at"]
    list_filter = ["status", "municipality"]
    search_fields = ["name"]
    filter_horizontal = ["facilities", "grants"]


@admin.register(PlanRun)
class PlanRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["pk", "scenario", "status", "points", "gap", "cost", "total_time_s", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in PlanRun._meta.fields]


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["run", "session", "cost", "existing", "booking"]
    raw_id_fields = ["run", "employee", "employment", "session", "booking"]
