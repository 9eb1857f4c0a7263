"""Admin for funding. The ledger is read-only here too: entries are reversed in the application."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from styrbord.funding import models


class DeadlineInline(admin.TabularInline):
    model = models.ReportingDeadline
    extra = 0


@admin.register(models.Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ("name", "case_number", "grantor", "municipality", "kind", "total", "period_start", "period_end")
    list_filter = ("kind", "grantor")
    search_fields = ("name", "case_number")
    inlines = [DeadlineInline]


class BudgetLineInline(admin.TabularInline):
    model = models.GrantBudgetLine
    extra = 0


@admin.register(models.Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("pool", "facility", "municipality", "amount", "status")
    list_filter = ("status", "pool")
    inlines = [BudgetLineInline]


class AppropriationLineInline(admin.TabularInline):
    model = models.AppropriationLine
    extra = 0


@admin.register(models.Appropriation)
class AppropriationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "municipality", "decision_body", "decision_date", "budget_neutral")
    inlines = [AppropriationLineInline]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("posted_on", "grant", "kind", "balance", "category", "amount", "created_at")
    list_filter = ("kind", "balance", "category")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
