"""Employees and their employments. No CPR number is ever stored: only a keyed pseudonym."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import DateField, F, Q, Value
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.lib.cpr import no_cpr_in_name, no_cpr_in_text
from styrbord.lib.dates import local_today
from styrbord.lib.fields import CalendarDateField
from styrbord.lib.formatting import format_date
from styrbord.lib.money import MoneyField
from styrbord.lib.rules import RuleFieldsMixin
from styrbord.lib.scoping import ScopePaths
from styrbord.organisations.models import Facility, Municipality, Unit

FULL_TIME_HOURS = Decimal("37")


class JobGroup(models.TextChoices):
    """The job-group code list (stillingskategori) used across Styrbord."""

    SOCIAL_EDUCATOR = "social_educator", _("Socialpædagog/pædagog")
    PEDAGOGICAL_ASSISTANT = "pedagogical_assistant", _("Pædagogisk assistent")
    SOSU_ASSISTANT = "sosu_assistant", _("SOSU-assistent")
    SOSU_HELPER = "sosu_helper", _("SOSU-hjælper")
    NURSE = "nurse", _("Sygeplejerske")
    THERAPIST = "therapist", _("Ergo-/fysioterapeut")
    SOCIAL_WORKER = "social_worker", _("Socialrådgiver/-formidler")
    PSYCHOLOGIST = "psychologist", _("Psykolog")
    CARE_ASSISTANT = "care_assistant", _("Omsorgs-/pædagogmedhjælper (ufaglært)")
    PEER_WORKER = "peer_worker", _("Peer-medarbejder")
    MANAGER = "manager", _("Leder")
    SUBSTITUTE = "substitute", _("Vikar")


class JobCode(models.Model):
    """A payroll job code (stillingskode) and the job group it belongs to."""

    code = models.CharField(_("stillingskode-id"), max_length=20, unique=True)
    name = models.CharField(_("stillingskode"), max_length=200)
    job_group = models.CharField(_("faggruppe"), max_length=30, choices=JobGroup.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("stillingskode")
        verbose_name_plural = _("stillingskoder")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


PERSON_KEY_TAKEN = "employee_person_key_taken"
EMPLOYMENT_NUMBER_TAKEN = "employment_number_taken"


class Employee(models.Model):
    """A person. ``person_key`` is a keyed hash (or HR's own user id), never a CPR number.

    A person belongs to one municipality (``municipality``: the employer and data controller), and
    the person key is unique within it: another municipality may use the same key for its own
    person, who is another row. A person's employments are at the municipality's facilities.
    """

    scope_paths = ScopePaths(facility="employments__facility", employee="")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("kommune"),
        help_text=_("Kommunen, der er arbejdsgiver og dataansvarlig for personen."),
        db_index=False,  # employee_person_key_per_municipality starts with the municipality
    )
    person_key = models.CharField(
        _("personnøgle"),
        max_length=64,
        help_text=_("Pseudonym nøgle for personen. Aldrig et CPR-nummer i klar tekst."),
    )
    name = models.CharField(_("navn"), max_length=200, validators=[no_cpr_in_name])
    email = models.EmailField(_("e-mail"), blank=True)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"), null=True, blank=True)
    education = models.CharField(_("uddannelse"), max_length=200, blank=True, validators=[no_cpr_in_text])
    education_relevant = models.BooleanField(
        _("relevant uddannelse"),
        default=False,
        help_text=_("Om uddannelsen er relevant for arbejdet på tilbuddet (f.eks. pædagog, SOSU, sygeplejerske)."),
    )
    anonymised_at = models.DateTimeField(_("anonymiseret"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")
        constraints = [
            # Also the index of the HR import's and the API's look-ups by (municipality, key).
            models.UniqueConstraint(
                fields=["municipality", "person_key"],
                name="employee_person_key_per_municipality",
                violation_error_code=PERSON_KEY_TAKEN,
                violation_error_message=_("Der findes allerede en medarbejder med denne personnøgle."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.pk is None:
            return
        stored = Employee.objects.filter(pk=self.pk).values_list("municipality_id", flat=True).first()
        if stored is not None and stored != self.municipality_id and self.employments.exists():
            raise ValidationError(
                {
                    "municipality": _(
                        "Medarbejderen har ansættelser i sin kommune og kan ikke flyttes til en anden kommune: "
                        "den nye kommunes HR-udtræk opretter personen der."
                    )
                }
            )

    # The education and its mark as read from the database (``save`` records a change of them).
    _education_loaded: tuple[object, object] | None = None

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Employee:
        obj = super().from_db(*args, **kwargs)
        obj._education_loaded = (obj.__dict__.get("education"), obj.__dict__.get("education_relevant"))
        return obj

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and the education history (``EducationPeriod``) recorded when the education or
        its mark is new or changed: the profile, the API and the admin all save through here."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not EDUCATION_FIELDS.intersection(update_fields):
            return
        current = (self.education, self.education_relevant)
        if adding:
            # A new person has no history yet: their first period, "since always", in one INSERT
            # (what ``record_education`` writes for them, without building its three statements).
            EducationPeriod.objects.create(
                employee_id=self.pk, education=self.education, education_relevant=self.education_relevant
            )
        elif self._education_loaded != current:
            from styrbord.staff.education import record_education

            record_education([self.pk])
        self._education_loaded = current

    def validate_constraints(self, exclude: object = None) -> None:
        """A taken person key is an error at the person key (not "about the form")."""
        try:
            super().validate_constraints(exclude)  # type: ignore[arg-type]
        except ValidationError as exc:
            raise _at_field(exc, PERSON_KEY_TAKEN, "person_key") from None


EDUCATION_FIELDS = frozenset({"education", "education_relevant"})


class EducationPeriod(RuleFieldsMixin, models.Model):
    """A person's education and its relevant mark over a span of days: the history behind
    ``Employee.education`` and ``Employee.education_relevant``, which hold the open period's values.

    The span is half-open: the period is in force from ``valid_from`` (inclusive; None: since
    always) up to, not including, ``valid_to`` (exclusive; None: still in force). A change recorded
    on day D closes the old period with ``valid_to = D`` and opens the new one with ``valid_from =
    D``, so each day has exactly one period. A person's first period starts "since always": HR
    gives the education a person holds, not when it was earned. ``staff.education`` writes them.
    """

    scope_paths = ScopePaths(facility="employee__employments__facility", employee="employee")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="education_periods", verbose_name=_("medarbejder")
    )
    education = models.CharField(_("uddannelse"), max_length=200, blank=True, validators=[no_cpr_in_text])
    education_relevant = models.BooleanField(_("relevant uddannelse"), default=False)
    valid_from = models.DateField(_("gælder fra"), null=True, blank=True)
    valid_to = models.DateField(_("gælder til (ikke medregnet)"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        ordering = ["employee_id", F("valid_from").asc(nulls_first=True)]  # "since always" first
        verbose_name = _("uddannelsesperiode")
        verbose_name_plural = _("uddannelseshistorik")
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(valid_to__isnull=True),
                name="education_period_one_open",
                violation_error_code="education_period_one_open",
                violation_error_message=_("En medarbejder kan kun have én åben uddannelsesperiode."),
            ),
            models.CheckConstraint(
                name="education_period_ends_after_start",
                violation_error_code="education_period_ends_after_start",
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                violation_error_message=_("Uddannelsesperioden slutter, før den begynder."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.education} {self.valid_from}–{self.valid_to}"


def _at_field(exc: ValidationError, code: str, field: str) -> ValidationError:
    """``exc`` with its non-field errors of ``code`` moved to ``field``."""
    errors = dict(exc.error_dict)
    general = errors.pop(NON_FIELD_ERRORS, [])
    moved = [e for e in general if e.code == code]
    kept = [e for e in general if e.code != code]
    if kept:
        errors[NON_FIELD_ERRORS] = kept
    if moved:
        errors[field] = [*errors.get(field, []), *moved]
    return ValidationError(errors)


# --- "in force on a day": the one definition every count of staff uses ------------------------------
# The Q object, its raw-SQL text and the Python twin say the same; change them together.


def in_force_q(on: dt.date, prefix: str = "", *, today: dt.date | None = None) -> Q:
    """Employments in force on ``on``: the rule every page that counts staff uses (the facility
    pages, the workforce figures, the requirement coverage, *Uddannelser*).

    An employment is in force on day D when

    - it has begun: ``start_date <= D``;
    - it has not passed its end date: no end date, or ``end_date >= D``. A past end date ends it
      even while the status still says active (HR's next file ends it; ``Employment.status_now``
      already shows it as ended);
    - and, from today on, it is not marked ended. An employment HR has marked ended ("fratrådt",
      AktivStatus 0) no longer counts, even before its end date: the person is released from
      duty in the notice period, or left early, and is no longer staff to plan with. The status
      is what HR says now, so it decides today and the days ahead; a day before today is decided
      by the dates alone, as HR's dates say who worked then (a year's figures on 31 December and
      a coverage history keep the people who have left since). An ended employment without an
      end date (which the forms and the imports refuse) never counts.

    Leave ("orlov") counts: the person is still employed there.

    ``prefix`` is a single-valued path to Employment, without the trailing ``__``. ``today``
    (default: today in Copenhagen) is the day the status describes. It reaches the SQL as a value
    compared with ``on``, so the query has one shape for every day: a prepared query compiled
    once (``lib.prepared``) stays right after midnight when it is given ``today`` as a value too.
    """
    p = f"{prefix}__" if prefix else ""
    today = local_today() if today is None else today
    from_today = GreaterThanOrEqual(Value(on, output_field=DateField()), Value(today, output_field=DateField()))
    return (
        Q(**{f"{p}start_date__lte": on})
        & (Q(**{f"{p}end_date__isnull": True}) | Q(**{f"{p}end_date__gte": on}))
        & ~(Q(**{f"{p}status": Employment.Status.ENDED}) & (Q(**{f"{p}end_date__isnull": True}) | Q(from_today)))
    )


def in_force_sql(on: dt.date, alias: str = "", *, today: dt.date | None = None) -> tuple[str, list[Any]]:
    """``in_force_q`` as SQL text and its parameters, for a hand-written query (``alias``: the
    employment table's alias in it)."""
    c = f"{alias}." if alias else ""
    today = local_today() if today is None else today
    sql = (
        f"({c}start_date <= %s AND ({c}end_date IS NULL OR {c}end_date >= %s)"
        f" AND NOT ({c}status = %s AND ({c}end_date IS NULL OR %s >= %s)))"
    )
    return sql, [on, on, str(Employment.Status.ENDED), on, today]


def in_force(start: dt.date, end: dt.date | None, status: str, on: dt.date, today: dt.date | None = None) -> bool:
    """``in_force_q`` for one employment's values (the Python twins of the queries: gap lists,
    planned completions, requirement profiles)."""
    if start > on or (end is not None and end < on):
        return False
    if status == Employment.Status.ENDED:
        return end is not None and on < (local_today() if today is None else today)
    return True


class EmploymentQuerySet(models.QuerySet["Employment"]):
    def in_force(self, on: dt.date, *, today: dt.date | None = None) -> EmploymentQuerySet:
        """The employments in force on ``on`` (``in_force_q``)."""
        return self.filter(in_force_q(on, today=today))


class EmploymentManager(models.Manager["Employment"]):
    def get_queryset(self) -> EmploymentQuerySet:
        return EmploymentQuerySet(self.model, using=self._db)

    def in_force(self, on: dt.date, *, today: dt.date | None = None) -> EmploymentQuerySet:
        """The employments in force on ``on`` (``in_force_q``)."""
        return self.get_queryset().in_force(on, today=today)

    def bulk_create(self, objs: Iterable[Employment], *args: Any, **kwargs: Any) -> list[Employment]:  # type: ignore[override]
        """Each employment with its employer (``municipality``) from its facility, as ``save`` sets it."""
        objs = list(objs)
        wanted = {o.facility_id for o in objs if o.municipality_id is None and o.facility_id is not None}
        if wanted:
            known = {
                o.facility_id: o.facility.municipality_id
                for o in objs
                if o.facility_id in wanted and "facility" in o._state.fields_cache
            }
            missing = wanted - known.keys()
            if missing:
                known.update(Facility.objects.filter(pk__in=missing).values_list("pk", "municipality_id"))
            for o in objs:
                if o.municipality_id is None and o.facility_id is not None:
                    o.municipality_id = known[o.facility_id]
        return self.get_queryset().bulk_create(objs, *args, **kwargs)


class Employment(RuleFieldsMixin, models.Model):
    """One employment (engagement) of a person at a facility; a person can hold several."""

    objects = EmploymentManager()

    scope_paths = ScopePaths(facility="facility", employee="employee")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktiv")
        LEAVE = "leave", _("Orlov")
        ENDED = "ended", _("Fratrådt")

    class Kind(models.TextChoices):
        PERMANENT = "permanent", _("Fastansat")
        FIXED_TERM = "fixed_term", _("Tidsbegrænset")
        HOURLY = "hourly", _("Timelønnet")
        TRAINEE = "trainee", _("Elev")
        STUDENT = "student", _("Studerende")
        INTERN = "intern", _("Praktikant")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="employments", verbose_name=_("medarbejder")
    )
    employment_number = models.CharField(_("ansættelsesnummer"), max_length=40)
    # The employer: the facility's municipality, kept here (set on save, and by every bulk write)
    # so the employment number can be unique per municipality, as payroll numbers are per employer.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kommune"),
        editable=False,
        db_index=False,  # employment_number_per_municipality starts with the municipality
    )
    facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("tilbud"),
        db_index=False,  # employment_facility_current starts with the facility
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="employments", verbose_name=_("afdeling")
    )
    job_group = models.CharField(_("faggruppe"), max_length=30, choices=JobGroup.choices)
    job_code = models.ForeignKey(
        JobCode, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("stillingskode")
    )
    kind = models.CharField(_("ansættelsestype"), max_length=20, choices=Kind.choices, default=Kind.PERMANENT)
    title = models.CharField(_("stilling"), max_length=200, blank=True, validators=[no_cpr_in_text])
    weekly_hours = models.DecimalField(_("ugentlige timer"), max_digits=5, decimal_places=2, default=FULL_TIME_HOURS)
    fte = models.DecimalField(_("årsværk"), max_digits=6, decimal_places=4, default=1, editable=False)
    is_contact_person = models.BooleanField(_("kontaktperson"), default=False)
    is_primary = models.BooleanField(_("primær ansættelse"), default=True)
    start_date = CalendarDateField(_("startdato"))
    end_date = CalendarDateField(_("slutdato"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    hourly_wage = MoneyField(
        _("timeløn (lønomkostning)"),
        default=Decimal("0.00"),
        help_text=_("Lønomkostning pr. time inkl. pension, brugt til at beregne vikardækning."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["facility__name", "employee__name"]
        verbose_name = _("ansættelse")
        verbose_name_plural = _("ansættelser")
        constraints = [
            models.CheckConstraint(
                name="employment_hours_in_range",
                violation_error_code="employment_hours_in_range",
                violation_error_message=_("Timer pr. uge skal være mellem 0 og 80."),
                condition=models.Q(weekly_hours__gte=0, weekly_hours__lte=80),
            ),
            models.CheckConstraint(
                name="employment_wage_non_negative",
                violation_error_code="employment_wage_non_negative",
                violation_error_message=_("Timelønnen kan ikke være negativ."),
                condition=models.Q(hourly_wage__gte=0),
            ),
            models.CheckConstraint(
                name="employment_end_after_start",
                violation_error_code="employment_end_after_start",
                violation_error_message=_("Ansættelsen slutter, før den begynder."),
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
            ),
            # Also the index of the HR import's look-ups by (municipality, number).
            models.UniqueConstraint(
                fields=["municipality", "employment_number"],
                name="employment_number_per_municipality",
                violation_error_code=EMPLOYMENT_NUMBER_TAKEN,
                violation_error_message=_("Der findes allerede en ansættelse med dette ansættelsesnummer."),
            ),
        ]
        indexes = [
            # The facility pages and coverage engine: employments of a facility active on a date.
            # It also holds what the staff figures count (status, person, FTE, contact person, and the
            # primary flag and kind that decide who the relevant-education share is of), so SQLite
            # answers them from the index alone instead of reading every employment row.
            models.Index(
                fields=[
                    "facility",
                    "start_date",
                    "end_date",
                    "status",
                    "employee",
                    "fte",
                    "is_contact_person",
                    "is_primary",
                    "kind",
                ],
                name="employment_facility_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employment_number} {self.employee.name}"

    def clean(self) -> None:
        """Checks across fields (pages, admin and API; the HR import checks the same per row)."""
        super().clean()
        errors: dict[str, str] = {}
        unit = self.unit if self.unit_id is not None else None
        if unit is not None and self.facility_id is not None and unit.facility_id != self.facility_id:
            errors["unit"] = str(
                _("Afdelingen %(unit)s hører til et andet tilbud end ansættelsens.") % {"unit": unit.name}
            )
        if self.status == self.Status.ENDED and self.end_date is None:
            errors["end_date"] = str(_("En fratrådt ansættelse skal have en slutdato."))
        employee = self._employee_or_none()
        facility = self.facility if self.facility_id is not None else None
        if employee is not None and facility is not None and employee.municipality_id != facility.municipality_id:
            # Both are inside the writer's own scope, so this tells nothing about another municipality.
            errors["facility"] = str(
                _(
                    "Tilbuddet ligger i en anden kommune end medarbejderens. En ansættelse skal være på et "
                    "tilbud i den kommune, medarbejderen hører til."
                )
            )
        if errors:
            raise ValidationError(errors)

    def _employee_or_none(self) -> Employee | None:
        if "employee" in self._state.fields_cache:
            return self.employee
        if self.employee_id is None:
            return None
        return Employee.objects.filter(pk=self.employee_id).only("municipality_id").first()

    def set_municipality(self) -> None:
        """The employer from the facility (a facility moved to another municipality takes its
        employments' municipality along on their next save)."""
        if self.facility_id is None:
            return
        if "facility" in self._state.fields_cache and self.facility.pk == self.facility_id:
            self.municipality_id = self.facility.municipality_id
        else:
            self.municipality_id = Facility.objects.values_list("municipality_id", flat=True).get(pk=self.facility_id)

    def validate_constraints(self, exclude: object = None) -> None:
        """The number's uniqueness is checked in the facility's municipality; a taken number is an
        error at the number. ``municipality`` is on no form, so a form's exclusions would skip it."""
        self.set_municipality()
        skip = set(exclude or ())  # type: ignore[call-overload]
        if "facility" not in skip:
            skip.discard("municipality")
        try:
            super().validate_constraints(skip)
        except ValidationError as exc:
            raise _at_field(exc, EMPLOYMENT_NUMBER_TAKEN, "employment_number") from None

    @property
    def status_now(self) -> str:
        """The status as it stands today: an employment past its end date has ended, one not begun
        yet starts on its first day, whatever the last HR import said."""
        today = local_today()
        if self.end_date is not None and self.end_date < today:
            return str(self.Status.ENDED.label)
        if self.start_date > today and self.status != self.Status.ENDED:
            return str(_("Tiltræder %(day)s") % {"day": format_date(self.start_date)})
        return str(self.get_status_display())

    @staticmethod
    def fte_for(weekly_hours: Decimal) -> Decimal:
        """FTE from weekly hours (37 hours = 1,0 FTE), four decimals."""
        return (Decimal(weekly_hours) / FULL_TIME_HOURS).quantize(Decimal("0.0001"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.fte = self.fte_for(self.weekly_hours)
        self.set_municipality()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "facility" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "municipality"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Absence(RuleFieldsMixin, models.Model):
    """A period an employee is away (leave, holiday, sickness): bookings must not clash with it."""

    scope_paths = ScopePaths(facility="employee__employments__facility", employee="employee")

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Orlov")
        HOLIDAY = "holiday", _("Ferie")
        SICKNESS = "sickness", _("Sygdom")
        OTHER = "other", _("Andet")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="absences", verbose_name=_("medarbejder")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    start_date = CalendarDateField(_("fra"))
    end_date = CalendarDateField(_("til"))

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("fravær")
        verbose_name_plural = pgettext_lazy("plural", "fravær")
        constraints = [
            models.CheckConstraint(
                name="absence_end_after_start",
                violation_error_code="absence_end_after_start",
                violation_error_message=_("Fraværet slutter, før det begynder."),
                condition=models.Q(end_date__gte=models.F("start_date")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}"


from styrbord.staff.import_models import *  # noqa
