"""What needs attention now, for the landing page: targets, lapsing competences, understaffed days,
courses, money; and the staff's key figures.

Each panel is built only when the user's role may list what it shows, and from querysets
scoped through the one permission helper, so the landing page shows no more than the pages
it links to. Analysts and grantors get no person-level panels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import LIST, RETRIEVE, UPDATE, can, scoped_for
from styrbord.accounts.suppression import reference_date
from styrbord.competences.services import lapsing_holdings
from styrbord.lib.collation import collated, sort_key
from styrbord.organisations.models import Facility
from styrbord.organisations.services import current_employments
from styrbord.requirements.aggregate import aggregate_coverage, aggregate_requirements
from styrbord.requirements.coverage import CoverageRow, coverage_for, requirements_for
from styrbord.requirements.models import ScopeLevel
from styrbord.workforce.services import KeyFigures, key_figures, suppresses

EXPIRY_DAYS = 90
UPCOMING_DAYS = 60
STAFFING_DAYS = UPCOMING_DAYS  # days ahead checked against each day's minimum: those of the upcoming sessions
MAX_ROWS = 5


@dataclass
class CoveragePanel:
    met: int = 0
    near: int = 0
    far: int = 0
    furthest: list[CoverageRow] = field(default_factory=list)
    short: int = 0  # rows below target, of which ``furthest`` are the first
    one_facility: bool = False  # every row is of the same one facility: the name need not repeat


@dataclass
class CoursePanel:
    sessions: list[Any] = field(default_factory=list)  # with next_day and ours (bookings in scope)
    own: bool = False  # an employee's own courses, not their staff's


@dataclass
class FundingPanel:
    warnings: list[Any] = field(default_factory=list)
    total: int = 0


@dataclass
class StaffingPanel:
    """Days ahead on which a facility has fewer at work than that day's minimum."""

    days: list[Any] = field(default_factory=list)  # StaffingWarning, by date
    total: int = 0
    days_ahead: int = STAFFING_DAYS


@dataclass
class TargetsPanel:
    """National and regional targets summed over the user's scope (analysts: aggregates only)."""

    rows: list[tuple[Any, Any]] = field(default_factory=list)  # (Requirement, AggregateRow total)
    total: int = 0  # shared targets in scope, of which ``rows`` are the first
    on: dt.date | None = None  # the day the figures describe (a month end for aggregate-only users)


@dataclass
class Dashboard:
    today: dt.date
    coverage: CoveragePanel | None = None
    expiring: int | None = None
    staffing: StaffingPanel | None = None
    courses: CoursePanel | None = None
    funding: FundingPanel | None = None
    workforce: KeyFigures | None = None  # staff figures in scope, for every role that may see them
    to_confirm: int | None = None  # planned bookings on coming sessions, for roles that confirm them
    beyond_employment: int = 0  # open bookings on sessions that last beyond the booked employment
    awaiting_attendance: int = 0  # bookings on courses held whose attendance is not registered
    planned_after_start: int = 0  # planned bookings on courses that have begun (never booked)
    targets: TargetsPanel | None = None  # shared targets in the region or country, for analysts

    @property
    def has_counts(self) -> bool:
        """Whether any panel has a count for the row of figures at the top."""
        return bool(
            self.coverage or self.expiring is not None or self.staffing or self.funding or self.to_confirm is not None
        )

    @property
    def empty(self) -> bool:
        """No attention panel (the key figures are not one: they need no action)."""
        return (
            self.coverage is None
            and self.expiring is None
            and self.staffing is None
            and self.courses is None
            and self.funding is None
            and self.to_confirm is None
            and self.targets is None
        )


def _coverage(facilities: QuerySet[Facility], today: dt.date) -> CoveragePanel:
    rows = coverage_for(requirements_for(facilities), on=today, facilities=facilities)
    panel = CoveragePanel()
    for row in rows:
        status = row.status
        if status == "ok":
            panel.met += 1
        elif status == "warn":
            panel.near += 1
        elif status == "bad":
            panel.far += 1
    short = [r for r in rows if r.share is not None and r.meets_target is False]
    short.sort(key=lambda r: (r.share - r.target, sort_key(r.facility.name)))  # type: ignore[operator]
    panel.furthest = short[:MAX_ROWS]
    panel.short = len(short)
    panel.one_facility = len({r.facility.pk for r in rows}) == 1
    return panel


def _expiring(facilities: QuerySet[Facility], today: dt.date) -> int:
    """Holdings of people in these facilities that lapse within 90 days and are not yet renewed:
    the rows of the page the tile opens."""
    return lapsing_holdings(current_employments(today).filter(facility__in=facilities), today, EXPIRY_DAYS).count()


def _staffing(user: Any, today: dt.date) -> StaffingPanel | None:
    """Understaffed days within 60 days in the facilities whose absence page the user may open."""
    if not can(user, RETRIEVE, "facility"):
        return None
    from styrbord.training.services.staffing import understaffed_days

    facilities = list(scoped_for(user, RETRIEVE, "facility", Facility.objects.all()).order_by(collated("name"), "pk"))
    found = understaffed_days(facilities, today, today + dt.timedelta(days=STAFFING_DAYS - 1))
    return StaffingPanel(days=found[:MAX_ROWS], total=len(found))


def _courses(user: Any, today: dt.date) -> CoursePanel | None:
    """Sessions with a course day in the next 60 days on which people in the user's scope are
    booked, by their next day: a long programme that started months ago is listed while it runs."""
    if not can(user, LIST, "booking"):
        return None
    from styrbord.training.models import SEAT_STATUSES, Booking, BookingStatus, Session

    bookings = scoped_for(user, LIST, "booking", Booking.objects.all())
    # Seats (booked, attended, completed) and a plan's seats not booked yet; the waiting list and
    # cancelled or missed seats are nobody away from the floor.
    ours_q = Q(bookings__in=bookings)
    seat = ours_q & Q(bookings__status__in=SEAT_STATUSES)
    planned = ours_q & Q(bookings__status=BookingStatus.PLANNED)
    sessions = (
        Session.objects.filter(
            cancelled=False,
            days__date__gte=today,
            days__date__lte=today + dt.timedelta(days=UPCOMING_DAYS),
            bookings__in=bookings,
        )
        .select_related("course")
        .annotate(
            next_day=Min("days__date"),
            ours=Count("bookings", filter=seat, distinct=True),
            ours_planned=Count("bookings", filter=planned, distinct=True),
        )
        .filter(Q(ours__gt=0) | Q(ours_planned__gt=0))
        .order_by("next_day", collated("course__name"), "pk")[:MAX_ROWS]
    )
    return CoursePanel(sessions=list(sessions), own=getattr(user, "role", None) == Role.EMPLOYEE)


def _funding(user: Any, today: dt.date) -> FundingPanel | None:
    if not can(user, LIST, "grant"):
        return None
    from styrbord.funding.models import Grant, Pool
    from styrbord.funding.services.warnings import deadline_warnings, grant_warnings, sort_warnings

    grants = list(
        scoped_for(user, LIST, "grant", Grant.objects.select_related("pool", "facility", "municipality")).filter(
            status=Grant.Status.APPROVED
        )
    )
    found = []
    for grant in grants:
        found += grant_warnings(grant, today, user=user)
    pools = scoped_for(user, LIST, "pool", Pool.objects.filter(pk__in={g.pool_id for g in grants}))
    found += deadline_warnings(pools, today)
    ordered = sort_warnings(found)
    return FundingPanel(warnings=ordered[:MAX_ROWS], total=len(ordered))


def _to_confirm(user: Any, today: dt.date) -> int | None:
    """Planned bookings in the user's scope on sessions from today: still to be confirmed with the
    provider (the booking list's default view, which the tile opens)."""
    if not can(user, UPDATE, "booking"):
        return None
    from styrbord.training.models import Booking, BookingStatus

    planned = Booking.objects.filter(status=BookingStatus.PLANNED, session__first_day__gte=today)
    return scoped_for(user, UPDATE, "booking", planned).count()


def _beyond_employment(user: Any) -> int:
    """Open bookings in the user's scope on sessions that last beyond the end of the employment they
    are booked for (the booking list's filter "Kun efter ansættelsens ophør", which the tile opens)."""
    from styrbord.training.models import Booking
    from styrbord.training.services import after_employment_ends

    return scoped_for(user, UPDATE, "booking", after_employment_ends(Booking.objects.all())).count()


def _awaiting_attendance(user: Any, today: dt.date) -> int:
    """Bookings in the user's scope on courses held (over, not cancelled) still booked or only
    attended: the certificates wait for the registration (the booking list's filter "Kun afholdte
    hold, hvor deltagelsen mangler", which the tile opens)."""
    from styrbord.training.models import Booking
    from styrbord.training.services import awaiting_attendance

    return scoped_for(user, UPDATE, "booking", awaiting_attendance(Booking.objects.all(), today)).count()


def _planned_after_start(user: Any, today: dt.date) -> int:
    """Planned bookings in the user's scope on courses that have begun: a plan's seats nobody booked
    with the provider (the booking list's filter "Kun planlagte på hold, der er begyndt")."""
    from styrbord.training.models import Booking
    from styrbord.training.services import planned_after_start

    return scoped_for(user, UPDATE, "booking", planned_after_start(Booking.objects.all(), today)).count()


def _targets(user: Any, today: dt.date) -> TargetsPanel | None:
    """The shared (national and regional) targets and how far the scope is from each, as on /krav/samlet/."""
    facilities = scoped_for(user, LIST, "coverage_aggregate", Facility.objects.all())
    shared = aggregate_requirements(facilities).filter(scope_level__in=(ScopeLevel.NATIONAL, ScopeLevel.REGION))
    total = shared.count()
    if not total:
        return None
    suppress = suppresses(user)
    # As on /krav/samlet/: an analyst's figures are a month end's, so two days cannot be subtracted.
    on = reference_date(today, suppress)
    rows = [(r, aggregate_coverage(r, facilities, on, suppress=suppress).total) for r in shared[:MAX_ROWS]]
    return TargetsPanel(rows=rows, total=total, on=on)


def dashboard_for(user: Any, today: dt.date) -> Dashboard:
    board = Dashboard(
        today=today, courses=_courses(user, today), funding=_funding(user, today), workforce=key_figures(user, today)
    )
    if can(user, LIST, "coverage_gap"):  # person-level panels: not for analysts or grantors
        facilities = scoped_for(user, LIST, "coverage", Facility.objects.all())
        board.coverage = _coverage(facilities, today)
        board.expiring = _expiring(facilities, today)
        board.staffing = _staffing(user, today)
        board.to_confirm = _to_confirm(user, today)
        if board.to_confirm is not None:  # the roles that handle bookings
            board.beyond_employment = _beyond_employment(user)
            board.awaiting_attendance = _awaiting_attendance(user, today)
            board.planned_after_start = _planned_after_start(user, today)
    elif can(user, LIST, "coverage_aggregate"):
        board.targets = _targets(user, today)
    return board
