from django.contrib import admin

from styrbord.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail can be viewed, never changed."""

    list_display = ("created_at", "kind", "action", "actor_label", "object_type", "object_id", "subject_employee_id")
    list_filter = ("kind",)
    search_fields = ("action", "actor_label", "object_id")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
