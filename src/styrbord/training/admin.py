"""Admin for the catalogue, sessions, bookings, rates and initiatives."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from styrbord.training.models import (
    BackfillFactor,
    Booking,
    BookingCost,
    CancellationRule,
    Course,
    CourseCompetence,
    CourseInterest,
    Initiative,
    InitiativeYear,
    Provider,
    ReminderLog,
    Session,
    SessionDay,
    VeuRate,
)


class CancellationRuleInline(admin.TabularInline):
    model = CancellationRule
    extra = 0
    fk_name = "provider"


class CourseCancellationRuleInline(admin.TabularInline):
    model = CancellationRule
    extra = 0
    fk_name = "course"


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    # A website typed without a scheme means https, as in the catalogue's own form (and Django 6).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "cvr"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [CancellationRuleInline]


class CourseCompetenceInline(admin.TabularInline):
    model = CourseCompetence
    extra = 0
    raw_id_fields = ["competence"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "provider", "duration_days", "fee_per_participant", "veu_eligible", "active"]
    list_filter = ["kind", "veu_eligible", "provider", "active"]
    search_fields = ["name", "code", "amu_number"]
    filter_horizontal = ["prerequisites"]
    inlines = [CourseCompetenceInline, CourseCancellationRuleInline]


class SessionDayInline(admin.TabularInline):
    model = SessionDay
    extra = 0


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "first_day", "last_day", "place", "capacity", "cancelled"]
    list_filter = ["cancelled", "course__kind"]
    search_fields = ["name", "course__name", "place"]
    # Cancelled through the session page (Aflys holdet), which cancels the bookings with it.
    readonly_fields = ["cancelled", "cancellation_reason"]
    inlines = [SessionDayInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        form.instance.refresh_span()


class BookingCostInline(admin.TabularInline):
    model = BookingCost
    extra = 0
    can_delete = False
    readonly_fields = ["category", "stage", "year", "amount", "basis"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-mostly: bookings change through the workflows (services), which keep costs and seats right."""

    list_display = ["session", "employee", "employment", "status", "staffing_warning"]
    list_filter = ["status", "staffing_warning"]
    search_fields = ["employee__name", "session__course__name"]
    raw_id_fields = ["session", "employee", "employment", "created_by"]
    readonly_fields = ["status", "cancellation_fee", "version", "waitlisted_at", "status_changed_at"]
    inlines = [BookingCostInline]


@admin.register(CourseInterest)
class CourseInterestAdmin(admin.ModelAdmin):
    list_display = ["course", "employee", "created_at", "fulfilled_by"]
    raw_id_fields = ["employee", "fulfilled_by"]


@admin.register(BackfillFactor)
class BackfillFactorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "facility", "valid_from", "factor"]
    list_filter = ["facility"]


@admin.register(VeuRate)
class VeuRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "hourly_rate", "weekly_rate", "source"]


class InitiativeYearInline(admin.TabularInline):
    model = InitiativeYear
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "region"]
    inlines = [InitiativeYearInline]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "sent_at"]
    list_filter = ["kind"]
    readonly_fields = ["key", "kind", "employee", "sent_at"]
