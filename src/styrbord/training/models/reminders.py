"""What reminders were sent, so sending is idempotent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.lib.scoping import ScopePaths
from styrbord.staff.models import Employee


class ReminderLog(models.Model):
    """One reminder sent. ``key`` names what it was about (e.g. ``session:12:2026-03-02``) and is unique."""

    scope_paths = ScopePaths(facility="employee__employments__facility", employee="employee")

    class Kind(models.TextChoices):
        SESSION = "session", _("Kursus nærmer sig")
        EXPIRY = "expiry", _("Kompetence udløber")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("nøgle"), max_length=120, unique=True)
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("medarbejder")
    )
    sent_at = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("påmindelse")
        verbose_name_plural = _("påmindelser")

    def __str__(self) -> str:
        return self.key
