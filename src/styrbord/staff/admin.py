from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from styrbord.lib.collation import collated
from styrbord.staff import models
from styrbord.training.services.staffing import refresh_staffing_flags_at, refresh_staffing_flags_for


class EmploymentInline(admin.TabularInline):
    model = models.Employment
    extra = 0
    raw_id_fields = ("facility", "unit", "job_code")


class EducationPeriodInline(admin.TabularInline):
    """The person's education history, read only: ``staff.education`` writes it when the education
    or its mark changes (here too, by saving the person), so a hand edit could only break it."""

    model = models.EducationPeriod
    extra = 0
    fields = ("education", "education_relevant", "valid_from", "valid_to", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Employee)
class EmployeeAdmin(admin.ModelAdmin):
    ordering = (collated("name"), "pk")  # Danish order: Æ, Ø, Å after Z (byte order put Å first)
    list_display = ("name", "municipality", "birth_year", "education", "education_relevant")
    list_filter = ("municipality",)
    list_select_related = ("municipality",)
    search_fields = ("name", "employments__employment_number")
    inlines = [EmploymentInline, EducationPeriodInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """An employment added, changed (status, dates, facility) or removed in the inline changes
        who is at work: the staffing flags of the bookings at its facilities, old and new, follow
        (in the admin's transaction)."""
        changed = any(fs.model is models.Employment and fs.has_changed() for fs in formsets)
        before = _facilities_of(form.instance.pk) if changed else set()
        super().save_related(request, form, formsets, change)
        if changed:
            refresh_staffing_flags_at(before | _facilities_of(form.instance.pk))


def _facilities_of(employee_id: int | None) -> set[int]:
    if employee_id is None:
        return set()
    return set(models.Employment.objects.filter(employee_id=employee_id).values_list("facility_id", flat=True))


@admin.register(models.JobCode)
class JobCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "job_group")


@admin.register(models.Absence)
class AbsenceAdmin(admin.ModelAdmin):
    """Leave as the admin edits it: the staffing flags of the bookings at the person's facilities
    on the days it covered and covers follow, in the same transaction."""

    def save_model(self, request: HttpRequest, obj: models.Absence, form: Any, change: bool) -> None:
        spans = [_span(obj)]
        if change:
            old = models.Absence.objects.filter(pk=obj.pk).values("employee_id", "start_date", "end_date").first()
            if old is not None:
                spans.append((old["employee_id"], old["start_date"], old["end_date"]))
        super().save_model(request, obj, form, change)
        _refresh(spans)

    def delete_model(self, request: HttpRequest, obj: models.Absence) -> None:
        span = _span(obj)
        super().delete_model(request, obj)
        _refresh([span])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[models.Absence]) -> None:
        with transaction.atomic():
            spans = list(queryset.values_list("employee_id", "start_date", "end_date"))
            super().delete_queryset(request, queryset)
            _refresh(spans)


def _span(absence: models.Absence) -> tuple[int, dt.date, dt.date]:
    return absence.employee_id, absence.start_date, absence.end_date


def _refresh(spans: list[tuple[int, dt.date, dt.date]]) -> None:
    """One refresh over the people's facilities, from the first day to the last of the spans."""
    if spans:
        refresh_staffing_flags_for({s[0] for s in spans}, min(s[1] for s in spans), max(s[2] for s in spans))
