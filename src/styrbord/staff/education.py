"""A person's education over time (``models.EducationPeriod``): recording changes, set-based.

``Employee.education`` and ``Employee.education_relevant`` are what holds today; each person also
has a chain of periods, the open one (``valid_to`` None) equal to those columns. The periods are
half-open (``valid_from`` inclusive, None since always; ``valid_to`` exclusive, None open), so the
period in force on day D is the one with ``valid_from <= D < valid_to`` (``in_force_on``). The
workforce figures count a year's relevant education from the period in force at its end.

Every writer of the two columns records afterwards with ``record_education`` (``Employee.save``
does it for the profile, the API and the admin; the HR import and *Uddannelser* call it for
everyone they changed), a handful of queries whatever the number of people.

The *Uddannelser* page's yes/no classifies an education text, so it is not a change from a day
on: ``reclassify`` sets the mark of every period with that text, earlier years' included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from styrbord.lib import lookups  # noqa: F401  (registers field__any_of)
from styrbord.lib.dates import local_today, start_of_local_day
from styrbord.staff.models import EducationPeriod, Employee

__all__ = ["forget_education", "in_force_on", "reclassify", "record_education", "relevant_on"]


def in_force_on(day: dt.date, prefix: str = "") -> Q:
    """The periods in force on ``day``: begun (or since always) and not yet ended (``valid_to``
    is the first day it no longer holds). ``prefix`` is a path to EducationPeriod, without ``__``."""
    p = f"{prefix}__" if prefix else ""
    return (Q(**{f"{p}valid_from__isnull": True}) | Q(**{f"{p}valid_from__lte": day})) & (
        Q(**{f"{p}valid_to__isnull": True}) | Q(**{f"{p}valid_to__gt": day})
    )


def relevant_on(day: dt.date, employee: str = "employee_id", current: str = "employee__education_relevant") -> Any:
    """Whether a person's education was marked relevant on ``day``, as an expression over a query
    whose rows have the person's id at ``employee``: the period in force that day, and for a
    person without one (people written without the history, say by a bulk load) the mark held
    today (``current``)."""
    held = EducationPeriod.objects.filter(in_force_on(day), employee_id=OuterRef(employee)).order_by()
    return Coalesce(Subquery(held.values("education_relevant")[:1]), F(current), output_field=BooleanField())


def _differs() -> Q:
    """Periods whose values are not the person's columns."""
    same = Employee.objects.filter(
        pk=OuterRef("employee_id"), education=OuterRef("education"), education_relevant=OuterRef("education_relevant")
    )
    return ~Q(Exists(same))


def record_education(employee_ids: Iterable[int], on: dt.date | None = None) -> int:
    """Bring the history of ``employee_ids`` in line with their ``Employee`` columns as of ``on``
    (default today). Returns how many periods were written. Three statements, whatever the number
    of people:

    1. an open period opened on ``on`` (begun that day or later, or a person's first period,
       "since always", written that day) that differs is updated in place: a second change the
       same day replaces the first, and a new person corrected on the day they came in still
       holds the corrected education since always;
    2. any other open period that differs is closed (``valid_to = on``);
    3. every person without an open period gets one with their values, from ``on``, or since
       always (``valid_from`` None) when they have no period at all: a new person (created by
       hand, the API or an HR import) holds the education HR gives from before they came.
    """
    ids = {int(pk) for pk in employee_ids}
    if not ids:
        return 0
    on = local_today() if on is None else on
    open_periods = EducationPeriod.objects.filter(employee__pk__any_of=ids, valid_to__isnull=True).filter(_differs())
    person = Employee.objects.filter(pk=OuterRef("employee_id")).order_by()
    # Opened on ``on``: begun that day, or a first period ("since always") written that day.
    opened_that_day = Q(valid_from__gte=on) | Q(
        valid_from__isnull=True,
        created_at__gte=start_of_local_day(on),
        created_at__lt=start_of_local_day(on + dt.timedelta(days=1)),
    )
    written = open_periods.filter(opened_that_day).update(
        education=Subquery(person.values("education")[:1]),
        education_relevant=Subquery(person.values("education_relevant")[:1]),
    )
    open_periods.exclude(opened_that_day).update(valid_to=on)
    return written + _open_missing(ids, on)


def _open_missing(ids: set[int], on: dt.date) -> int:
    """INSERT ... SELECT an open period for each of ``ids`` without one (one statement)."""
    periods = EducationPeriod.objects.filter(employee_id=OuterRef("pk")).order_by()
    rows = (
        Employee.objects.filter(pk__any_of=ids)
        .filter(~Q(Exists(periods.filter(valid_to__isnull=True))))
        .order_by()
        .annotate(
            since=Case(
                When(Exists(periods), then=Value(on, output_field=DateField())), default=None, output_field=DateField()
            ),
        )
        .values_list("pk", "education", "education_relevant", "since")
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(EducationPeriod._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("employee_id", "education", "education_relevant", "valid_from", "valid_to", "created_at")
    )
    # The SELECT's four columns, then the open end and the time of writing.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = f"INSERT INTO {table} ({columns}) SELECT *, NULL, %s FROM ({select}) AS missing"
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])
        return max(cursor.rowcount, 0)


def reclassify(people: QuerySet[Employee], education: str, relevant: bool) -> list[int]:
    """Mark every period of ``people`` with the text ``education`` as relevant or not, earlier
    ones included (*Uddannelser*: the mark classifies the text, it is not a change from a day on).
    Returns the ids of the people with a period changed. Two statements."""
    due = EducationPeriod.objects.filter(employee__in=people.values("pk"), education=education).exclude(
        education_relevant=relevant
    )
    ids = sorted(set(due.values_list("employee_id", flat=True)))
    if ids:
        EducationPeriod.objects.filter(employee__pk__any_of=set(ids), education=education).update(
            education_relevant=relevant
        )
    return ids


def forget_education(employee_id: int) -> int:
    """Anonymisation: clear the education texts of a person's history and merge the periods next
    to each other that are then alike (same mark), so the history no longer tells when their
    education changed, only what the figures need: the mark on each day. Returns how many periods
    remain. A few statements (a person has a handful of periods)."""
    periods = list(
        EducationPeriod.objects.filter(employee_id=employee_id).order_by(F("valid_from").asc(nulls_first=True))
    )
    kept: list[EducationPeriod] = []
    for period in periods:
        if kept and kept[-1].education_relevant == period.education_relevant and kept[-1].valid_to == period.valid_from:
            kept[-1].valid_to = period.valid_to
        else:
            kept.append(period)
    gone = {p.pk for p in periods} - {p.pk for p in kept}
    if gone:
        EducationPeriod.objects.filter(pk__in=gone).delete()
    for period in kept:
        period.education = ""
    # valid_to last: a merged period takes over the open end only once the others are gone.
    EducationPeriod.objects.bulk_update(kept, ["education", "valid_to"])
    return len(kept)
