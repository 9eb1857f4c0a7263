"""Planning scenarios, their solver runs (inputs, parameters, status, results) and the planned seats.

A *scenario* is a question a coordinator asks ("with these grants and this much of our own
money, by these dates"); every *run* of it is stored with a snapshot of its inputs, so a plan
can be explained and compared later. Accepting a run turns its seats into planned bookings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.lib.fields import CalendarDateField
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality


class Scenario(RuleFieldsMixin, models.Model):
    """A planning question for one municipality: which facilities, which grants, how much own money."""

    # Coordinators and finance see their municipality's scenarios; a facility manager those that
    # plan for one of their facilities.
    scope_paths = ScopePaths(municipality="municipality", facility="facilities")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Kladde")
        ACCEPTED = "accepted", _("Godkendt")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="planning_scenarios", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True)
    facilities = models.ManyToManyField(
        Facility,
        related_name="planning_scenarios",
        verbose_name=pgettext_lazy("several facilities", "tilbud"),
        help_text=_("Tilbud, planen dækker."),
    )
    grants = models.ManyToManyField(
        "funding.Grant",
        blank=True,
        related_name="planning_scenarios",
        verbose_name=pgettext_lazy("several grants", "tilsagn"),
        help_text=_("Tilsagn, planen må bruge af (deres restbeløb)."),
    )
    own_budget = MoneyField(
        _("egen finansiering"),
        default=Decimal("0.00"),
        help_text=_("Det beløb af tilbuddenes egne budgetter, planen højst må bruge (kursusgebyr og vikardækning)."),
    )
    start_date = CalendarDateField(_("planlæg fra"), help_text=_("Første dag et nyt hold må starte."))
    horizon_end = CalendarDateField(
        _("planlæg til"), help_text=_("Sidste dag et hold må starte; krav uden frist får denne dato som frist.")
    )
    time_limit_s = models.PositiveSmallIntegerField(
        _("tidsgrænse (sekunder)"), default=20, help_text=_("Hvor længe optimeringen må regne.")
    )
    days_cap_per_year = models.PositiveSmallIntegerField(
        _("højst kursusdage pr. person pr. år"), default=10, help_text=_("Inklusive allerede bookede kursusdage.")
    )
    keep_accepted = models.BooleanField(
        _("behold godkendte bookinger"),
        default=True,
        help_text=_(
            "Planlagte bookinger fra en tidligere godkendt plan ligger fast. Ellers må de flyttes til et andet hold "
            "af samme kursus."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    accepted_run = models.ForeignKey(
        "PlanRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkendt kørsel"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oprettet af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("planlægningsscenarie")
        verbose_name_plural = _("planlægningsscenarier")
        constraints = [
            models.CheckConstraint(
                name="scenario_own_budget_non_negative",
                violation_error_code="scenario_own_budget_non_negative",
                violation_error_message=_("Scenariets eget budget kan ikke være negativt."),
                condition=models.Q(own_budget__gte=0),
            ),
            models.CheckConstraint(
                name="scenario_horizon_after_start",
                violation_error_code="scenario_horizon_after_start",
                violation_error_message=_("Planens horisont slutter før dens startdato."),
                condition=models.Q(horizon_end__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="scenario_time_limit_range",
                violation_error_code="scenario_time_limit_range",
                violation_error_message=_("Tidsgrænsen for planlægningen skal være mellem 1 og 600 sekunder."),
                condition=models.Q(time_limit_s__gte=1, time_limit_s__lte=600),
            ),
        ]
        indexes = [
            # The scenario list: a municipality's scenarios, newest first.
            models.Index(fields=["municipality", "-created_at"], name="scenario_municipality_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def latest_run(self) -> PlanRun | None:
        return self.runs.order_by("-created_at", "-id").first()

    def first_day_for_new_seats(self, today: dt.date) -> dt.date:
        """The first day a run may put someone on a course: the scenario's start, but never a
        course that has begun. Tomorrow at the earliest: a plan accepted today is booked with the
        providers from tomorrow, and a planned seat on a course that has begun is one nobody booked."""
        return max(self.start_date, today + dt.timedelta(days=1))

    def is_over(self, today: dt.date) -> bool:
        """Whether no course in the scenario's period can be planned any more."""
        return self.first_day_for_new_seats(today) > self.horizon_end


class PlanRunQuerySet(models.QuerySet["PlanRun"]):
    def numbered(self) -> PlanRunQuerySet:
        """The runs with their ``number`` (see ``PlanRun.number``) in the same query."""
        return self.annotate(number=run_number("scenario", "pk"))


def run_number(scenario: str, run: str) -> Subquery:
    """A run's number within its scenario as a subquery, for a query whose rows reach the run's
    scenario and id by the paths ``scenario`` and ``run`` (``"scenario"``, ``"pk"`` for runs)."""
    earlier = (
        PlanRun.objects.filter(scenario=OuterRef(scenario), pk__lte=OuterRef(run))
        .order_by()
        .values("scenario")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(earlier)


class PlanRun(RuleFieldsMixin, models.Model):
    """One solver run of a scenario: the inputs it saw, its parameters, progress, and what came out."""

    objects = PlanRunQuerySet.as_manager()

    scope_paths = ScopePaths(municipality="scenario__municipality", facility="scenario__facilities")

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Regner")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="runs", verbose_name=_("scenarie"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("fremdrift (%)"), default=0)
    message = models.CharField(_("besked"), max_length=500, blank=True)
    parameters = models.JSONField(_("parametre"), default=dict, blank=True)
    inputs = models.JSONField(_("inddata"), default=dict, blank=True, help_text=_("Et øjebliksbillede af inddata."))
    result = models.JSONField(_("resultat"), default=dict, blank=True)
    solver_status = models.CharField(_("løserstatus"), max_length=20, blank=True)
    points = models.FloatField(_("point"), null=True, blank=True)
    greedy_points = models.FloatField(_("point (grådig plan)"), null=True, blank=True)
    bound = models.FloatField(_("øvre grænse"), null=True, blank=True)
    gap = models.FloatField(_("afstand til grænsen"), null=True, blank=True)
    cost = MoneyField(_("udgift"), null=True, blank=True)
    time_to_first_plan_s = models.FloatField(_("tid til første plan (s)"), null=True, blank=True)
    total_time_s = models.FloatField(_("samlet tid (s)"), null=True, blank=True)
    error = models.TextField(_("fejl"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("startet af"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("planlægningskørsel")
        verbose_name_plural = _("planlægningskørsler")
        constraints = [
            models.CheckConstraint(
                name="plan_run_progress_range",
                violation_error_code="plan_run_progress_range",
                violation_error_message=_("Fremdriften kan ikke være over 100 procent."),
                condition=models.Q(progress__lte=100),
            ),
        ]
        indexes = [
            # The scenario page: a scenario's runs, newest first.
            models.Index(fields=["scenario", "-created_at"], name="plan_run_scenario_created"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} #{self.number}"

    @cached_property
    def number(self) -> int:
        """The run's number within its scenario, as the pages name it ("plan #2"): the first run of
        a scenario is 1. Counted, not stored: the runs made before it in the same scenario, itself
        included (ids grow with time). ``PlanRunQuerySet.numbered`` gives it for a list in one query."""
        return PlanRun.objects.filter(scenario_id=self.scenario_id, pk__lte=self.pk).count()

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def progress_now(self, now: dt.datetime | None = None) -> int:
        """The progress to show: the solver reports only when it finds something, and between
        reports it works towards its time limit, so a running run's bar follows the clock too
        (at most 95 % until it is done)."""
        elapsed = self.seconds_running(now)
        if elapsed is None:
            return self.progress
        limit = float((self.parameters or {}).get("time_limit_s") or 20)
        return max(self.progress, min(95, int(5 + 90 * elapsed / max(limit, 1.0))))

    def seconds_running(self, now: dt.datetime | None = None) -> int | None:
        """Whole seconds since a running run started (None unless it is running)."""
        if self.status != self.Status.RUNNING or self.started_at is None:
            return None
        return max(0, int(((now or timezone.now()) - self.started_at).total_seconds()))

    @property
    def targets_met(self) -> tuple[int, int] | None:
        """How many of the plan's targets it meets, and of how many (None before a result)."""
        targets = (self.result or {}).get("targets")
        if not targets:
            return None
        return sum(1 for t in targets if t.get("met")), len(targets)

    @property
    def gap_pct(self) -> float | None:
        """How far the plan may be from the best possible, in percent of the bound."""
        return None if self.gap is None else 100 * self.gap


class PlanAssignment(RuleFieldsMixin, models.Model):
    """One seat of a run's plan: a person's employment on a session, what it costs, who pays."""

    scope_paths = ScopePaths(facility="employment__facility", employee="employee")

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("kørsel"))
    employee = models.ForeignKey(
        "staff.Employee", on_delete=models.PROTECT, related_name="plan_assignments", verbose_name=_("medarbejder")
    )
    employment = models.ForeignKey(
        "staff.Employment", on_delete=models.PROTECT, related_name="plan_assignments", verbose_name=_("ansættelse")
    )
    session = models.ForeignKey(
        "training.Session", on_delete=models.PROTECT, related_name="plan_assignments", verbose_name=_("hold")
    )
    cost = MoneyField(_("udgift"), default=Decimal("0.00"))
    existing = models.BooleanField(_("eksisterende booking"), default=False)
    charges = models.JSONField(
        _("finansiering"), default=list, blank=True, help_text=_("Liste af {grant, category, amount} (kr.).")
    )
    booking = models.ForeignKey(
        "training.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_assignments",
        verbose_name=_("booking"),
    )

    class Meta:
        ordering = ["run", "session__first_day", "id"]
        verbose_name = _("planlagt plads")
        verbose_name_plural = _("planlagte pladser")
        constraints = [
            models.UniqueConstraint(name="plan_assignment_unique_seat", fields=["run", "employee", "session"]),
            models.CheckConstraint(
                name="plan_assignment_cost_non_negative",
                violation_error_code="plan_assignment_cost_non_negative",
                violation_error_message=_("Udgiften til en plads i planen kan ikke være negativ."),
                condition=models.Q(cost__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.run_id})"
