"""Users, each with one role and a scope (a municipality, a region, facilities, or themselves)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Grantor, Municipality, Region
from styrbord.staff.models import Employee


class Role(models.TextChoices):
    """What a user is allowed to do; where they may do it is their scope."""

    ADMIN = "admin", _("Systemadministrator")
    COORDINATOR = "coordinator", _("Kommunal koordinator (HR/kompetence)")
    FINANCE = "finance", _("Økonomimedarbejder")
    FACILITY_MANAGER = "facility_manager", _("Tilbudsleder")
    EMPLOYEE = "employee", _("Medarbejder")
    ANALYST = "analyst", _("Regional/national analytiker")
    GRANTOR = "grantor", _("Tilskudsgiver")


class StyrbordUserManager(UserManager["User"]):
    """``createsuperuser`` makes a system administrator (the first login of a new install was
    labelled "Medarbejder" and its "Min profil" led nowhere)."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A login. The scope fields that apply depend on the role (see accounts.permissions)."""

    objects = StyrbordUserManager()  # type: ignore[misc]

    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("kommune")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("region"),
        help_text=_("For regionale brugere og regionale analytikere. Tom for en national analytiker."),
    )
    facilities = models.ManyToManyField(Facility, blank=True, related_name="managers", verbose_name=_("tilbud"))
    employee = models.OneToOneField(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="user", verbose_name=_("medarbejder")
    )
    grantor = models.ForeignKey(
        Grantor, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("tilskudsgiver")
    )

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        """The role as the user reads it: a coordinator of a region is not "Kommunal koordinator"."""
        if self.role == Role.COORDINATOR and self.region_id is not None and self.municipality_id is None:
            return str(_("Regional koordinator (HR/kompetence)"))
        return str(self.get_role_display())


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once, at creation.

    Tokens are 256-bit random values, so a fast hash is enough (nothing to brute-force).
    The API acts with the token owner's role and scope.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("bruger"))
    name = models.CharField(_("navn"), max_length=100, help_text=_("Hvad tokenet bruges til, f.eks. lønsystemet."))
    prefix = models.CharField(_("præfiks"), max_length=12, help_text=_("De første tegn, så tokenet kan genkendes."))
    token_hash = models.CharField(_("hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("sidst brugt"), null=True, blank=True)
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RetentionRule(RuleFieldsMixin, models.Model):
    """How long personal data about former employees is kept before it is anonymised.

    A rule for a municipality wins over the national rule (municipality empty).
    """

    scope_paths = ScopePaths(municipality="municipality")

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_rule",
        verbose_name=_("kommune"),
        help_text=_("Tom betyder reglen for alle kommuner uden egen regel."),
    )
    years_after_end = models.PositiveSmallIntegerField(
        _("år efter fratræden"), help_text=_("Anonymisér, når den sidste ansættelse sluttede for så mange år siden.")
    )
    note = models.CharField(_("begrundelse"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("opbevaringsregel")
        verbose_name_plural = _("opbevaringsregler")
        constraints = [
            models.CheckConstraint(
                name="retention_years_in_range",
                violation_error_code="retention_years_in_range",
                violation_error_message=_("Opbevaringstiden kan højst være 100 år."),
                condition=models.Q(years_after_end__lte=100),
            ),
            # At most one national rule (municipality empty); NULLs are otherwise distinct.
            models.UniqueConstraint(
                Coalesce("municipality", models.Value(0)),
                name="retention_one_rule_per_municipality",
                violation_error_code="retention_one_rule_per_municipality",
                violation_error_message=_(
                    "Der findes allerede en opbevaringsregel for denne kommune (eller en landsdækkende regel)."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = str(self.municipality) if self.municipality_id else _("Alle kommuner")
        return f"{where}: {self.years_after_end} år"


class RetentionHold(models.Model):
    """A hold: this person's data is kept (archiving, a case, an audit) until the hold is lifted."""

    scope_paths = ScopePaths(facility="employee__employments__facility", employee="employee")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="retention_holds", verbose_name=_("medarbejder")
    )
    reason = models.CharField(_("begrundelse"), max_length=300)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("oprettet af")
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    released_at = models.DateTimeField(_("ophævet"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tilbageholdelse")
        verbose_name_plural = _("tilbageholdelser")
        indexes = [
            # apply_retention: the employees with an active hold.
            models.Index(fields=["employee", "released_at"], name="retention_hold_active"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.reason}"
