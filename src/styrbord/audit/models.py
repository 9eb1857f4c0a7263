"""The append-only audit trail: changes (before/after) and access to personal data."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One thing that happened. Rows are never updated or deleted (also enforced by DB triggers).

    The actor and subject are stored as plain ids and a label, not foreign keys, so that
    erasing a person never rewrites the trail through ON DELETE.
    """

    class Kind(models.TextChoices):
        CHANGE = "change", _("Ændring")
        ACCESS = "access", _("Opslag")
        EXPORT = "export", _("Eksport")
        SECURITY = "security", _("Sikkerhed")

    created_at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    action = models.CharField(
        _("handling"), max_length=100, help_text=_("Punktum-adskilt id, f.eks. funding.grant.approved")
    )
    actor_id = models.BigIntegerField(_("bruger-id"), null=True, blank=True)
    actor_label = models.CharField(_("bruger"), max_length=150, blank=True)
    object_type = models.CharField(_("objekttype"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    subject_employee_id = models.BigIntegerField(
        _("registreret (medarbejder-id)"),
        null=True,
        blank=True,
        # No index of its own: audit_subject_time below starts with it and serves every lookup
        # by person. A second index would double the scattered index writes of each page view.
        help_text=_("Den person, hvis data handlingen angik."),
    )
    before = models.JSONField(_("før"), null=True, blank=True)
    after = models.JSONField(_("efter"), null=True, blank=True)
    data = models.JSONField(_("detaljer"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("logpost")
        verbose_name_plural = _("auditlog")
        indexes = [
            # Export per data subject: every entry about one employee, newest first.
            models.Index(fields=["subject_employee_id", "created_at"], name="audit_subject_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")
