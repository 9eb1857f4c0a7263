"""Admin: read-mostly views of scenarios and runs (runs are made by the planner, not by hand)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from styrbord.planning.models import PlanAssignment, PlanRun, Scenario, run_number


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
    list_select_related = ["scenario"]
    readonly_fields = [f.name for f in PlanRun._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanRun]:
        # A run prints as "scenario #number": the numbers in the list's query, not one count per row.
        return super().get_queryset(request).numbered()  # type: ignore[attr-defined,no-any-return]


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["run_label", "session", "cost", "existing", "booking"]
    list_select_related = ["run__scenario", "session__course", "booking"]
    raw_id_fields = ["run", "employee", "employment", "session", "booking"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanAssignment]:
        return super().get_queryset(request).annotate(run_number=run_number("run__scenario", "run"))

    @admin.display(description=_("kørsel"), ordering="run")
    def run_label(self, obj: PlanAssignment) -> str:
        return f"{obj.run.scenario} #{obj.run_number}"  # type: ignore[attr-defined]
