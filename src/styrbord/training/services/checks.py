"""Checks a booking must pass: employment in force, no clashes with other bookings or leave,
prerequisites held. Each raises BookingError with a Danish message naming the date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from styrbord.competences.models import CompetenceHolding
from styrbord.lib.formatting import format_date
from styrbord.staff.models import Absence, Employee, Employment
from styrbord.training.models import AWAY_STATUSES, Booking, BookingStatus, Session, SessionDay

from .errors import BookingError

# A waitlisted booking may become a seat at any time, so it blocks the same days as a seat.
CLASH_STATUSES = AWAY_STATUSES | {BookingStatus.WAITLISTED}


def session_dates(session: Session) -> list[dt.date]:
    """The session's teaching days in order; a session without days cannot be booked."""
    dates = list(session.days.values_list("date", flat=True).order_by("date"))
    if not dates:
        raise BookingError(_("Holdet har ingen kursusdage endnu."))
    return dates


def resolve_employment(employee: Employee, session: Session, employment: Employment | None) -> Employment:
    """The employment the booking is for: the given one, else the person's primary one in force."""
    first = session.first_day
    if employment is not None:
        if employment.employee_id != employee.pk:
            raise BookingError(_("Ansættelsen tilhører en anden medarbejder."))
        return employment
    candidates = (
        Employment.objects.filter(employee=employee, start_date__lte=first)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .exclude(status=Employment.Status.ENDED)
        .select_related("facility")
        .order_by("-is_primary", "start_date", "pk")
    )
    found = candidates.first()
    if found is None:
        raise BookingError(
            _("Medarbejderen har ingen aktiv ansættelse, når holdet starter den %(date)s.")
            % {"date": format_date(first)}
        )
    return found


def check_employment(employment: Employment, dates: list[dt.date]) -> None:
    """The employment must be in force on every session day."""
    if employment.status == Employment.Status.ENDED:
        raise BookingError(_("Ansættelsen er afsluttet; der kan ikke bookes kurser på den."))
    if employment.start_date > dates[0]:
        raise BookingError(
            _("Ansættelsen begynder først den %(start)s, efter holdets første dag den %(first)s.")
            % {"start": format_date(employment.start_date), "first": format_date(dates[0])}
        )
    if employment.end_date is not None and employment.end_date < dates[-1]:
        raise BookingError(
            _("Ansættelsen ophører den %(end)s, før holdets sidste dag den %(last)s.")
            % {"end": format_date(employment.end_date), "last": format_date(dates[-1])}
        )


def check_internal_session(employment: Employment, session: Session) -> None:
    """An internal session of a facility (a team day priced for its group) is for that
    municipality's staff: another municipality's coordinator could put people on it through the
    shared catalogue, sharing the day price, and the arranging municipality saw none of them."""
    host = session.facility
    if host is None or employment.facility.municipality_id == host.municipality_id:
        return
    raise BookingError(
        _(
            "Holdet er et internt hold for %(facility)s i %(municipality)s og kan ikke bookes for ansatte i andre kommuner."
        )
        % {"facility": host.name, "municipality": host.municipality}
    )


def check_clashes(employee: Employee, session: Session, dates: list[dt.date], exclude: Booking | None = None) -> None:
    """No other live booking of the person may share a day with this session; nor may leave."""
    others = Booking.objects.filter(employee=employee, status__in=CLASH_STATUSES).exclude(session=session)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other_sessions = others.values("session_id")
    clash = (
        SessionDay.objects.filter(date__in=dates, session__in=other_sessions)
        .select_related("session__course")
        .order_by("date")
        .first()
    )
    if clash is not None:
        raise BookingError(
            _("Medarbejderen er allerede booket på %(course)s den %(date)s.")
            % {"course": clash.session.course.name, "date": format_date(clash.date)}
        )
    # A long programme can span a holiday that falls between its days: only the days count.
    absences = Absence.objects.filter(employee=employee, start_date__lte=dates[-1], end_date__gte=dates[0])
    for day in dates:
        for absence in absences:
            if absence.start_date <= day <= absence.end_date:
                raise BookingError(
                    _("Medarbejderen har fravær (%(kind)s) den %(date)s.")
                    % {"kind": absence.get_kind_display().lower(), "date": format_date(day)}
                )


def check_not_already_booked(employee: Employee, session: Session) -> None:
    if (
        Booking.objects.filter(employee=employee, session=session)
        .exclude(status__in=[BookingStatus.CANCELLED, BookingStatus.NO_SHOW])
        .exists()
    ):
        raise BookingError(_("Medarbejderen er allerede booket på dette hold."))


def check_not_booked_on_the_course(employee: Employee, session: Session, today: dt.date) -> None:
    """A seat on another session of the same course that is still to come or running (a second seat
    would be a second fee and a second cover for the same course). Planned and waitlisted
    bookings may overlap: a plan moves its seats, and a waiting list is no seat."""
    other = (
        Booking.objects.filter(employee=employee, session__course_id=session.course_id, status=BookingStatus.BOOKED)
        .exclude(session=session)
        .filter(Q(session__last_day__gte=today) | Q(session__last_day__isnull=True))
        .select_related("session")
        .order_by("session__first_day")
        .first()
    )
    if other is not None:
        raise BookingError(
            _(
                "Medarbejderen er allerede tilmeldt %(course)s på holdet %(session)s, der begynder %(date)s. "
                "Afbestil den booking først, hvis personen skal flyttes."
            )
            % {
                "course": session.course.name,
                "session": other.session.name or format_date(other.session.first_day),
                "date": format_date(other.session.first_day),
            }
        )


def check_prerequisites(employee: Employee, session: Session, first_day: dt.date) -> None:
    """Each prerequisite must be held on the first day, or be granted by a booking that ends before it."""
    required = list(session.course.prerequisites.all())
    if not required:
        return
    held = set(
        CompetenceHolding.objects.filter(employee=employee, competence__in=required, acquired_on__lte=first_day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=first_day))
        .values_list("competence_id", flat=True)
    )
    coming = set(
        Booking.objects.filter(
            employee=employee,
            status__in=AWAY_STATUSES,
            session__last_day__lt=first_day,
            session__course__grants__competence__in=required,
        ).values_list("session__course__grants__competence_id", flat=True)
    )
    missing = [c.name for c in required if c.pk not in held and c.pk not in coming]
    if missing:
        raise BookingError(
            _("Medarbejderen mangler forudsætningen: %(missing)s.") % {"missing": ", ".join(sorted(missing))}
        )


def group_obstacles(session: Session, employee_ids: list[int], today: dt.date) -> dict[int, str]:
    """For a list of candidates, what would stop booking each on the session, as the single-person
    checks say it (leave, another course the same day, a seat on another session of the course):
    one note per person, in a few queries, for a page that offers many people at once. People
    missing from the result have no such obstacle (prerequisites and staffing are checked on
    booking)."""
    dates = list(session.days.values_list("date", flat=True).order_by("date"))
    if not dates or not employee_ids:
        return {}
    notes: dict[int, str] = {}
    for absence in Absence.objects.filter(
        employee_id__in=employee_ids, start_date__lte=dates[-1], end_date__gte=dates[0]
    ).order_by("start_date"):
        day = next((d for d in dates if absence.start_date <= d <= absence.end_date), None)
        if day is not None and absence.employee_id not in notes:
            notes[absence.employee_id] = _("Fravær (%(kind)s) den %(date)s") % {
                "kind": absence.get_kind_display().lower(),
                "date": format_date(day),
            }
    on_course = (
        Booking.objects.filter(
            employee_id__in=employee_ids, session__course_id=session.course_id, status=BookingStatus.BOOKED
        )
        .exclude(session=session)
        .filter(Q(session__last_day__gte=today) | Q(session__last_day__isnull=True))
        .select_related("session")
        .order_by("session__first_day")
    )
    for booking in on_course:
        notes.setdefault(
            booking.employee_id,
            _("Tilmeldt kurset på holdet, der begynder %(date)s") % {"date": format_date(booking.session.first_day)},
        )
    clashes = (
        SessionDay.objects.filter(
            date__in=dates,
            session__bookings__employee_id__in=employee_ids,
            session__bookings__status__in=CLASH_STATUSES,
        )
        .exclude(session=session)
        .values_list("session__bookings__employee_id", "session__course__name", "date")
        .order_by("date")
    )
    for employee_id, course, day in clashes:
        notes.setdefault(
            employee_id, _("Booket på %(course)s den %(date)s") % {"course": course, "date": format_date(day)}
        )
    return notes
