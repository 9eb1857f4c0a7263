"""Admin for reports: jobs are read-only (made by the application); templates are uploaded on the
reports page, where they are validated, so the admin only switches them on and off."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from styrbord.reports.models import DocumentTemplate, ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "document_type", "output_format", "scope_label", "period", "status", "created_by")
    list_filter = ("status", "document_type", "output_format")
    search_fields = ("scope_label", "filename")
    readonly_fields = [f.name for f in ReportJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "document_type", "active", "uploaded_by", "uploaded_at")
    list_filter = ("active", "municipality")
    readonly_fields = ("municipality", "document_type", "name", "file", "placeholders", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
