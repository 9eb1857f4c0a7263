"""Courses and sessions (the shared catalogue) and bookings (scoped to the employment's facility).

Bookings are made and moved through ``training.services.bookings`` (capacity, clashes,
prerequisites, waiting list, costs), and every booking shows whether it breaks the facility's
minimum staffing; the warnings themselves are one call away, also before booking.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status
from pydantic import Field

from styrbord.accounts.permissions import CREATE, RETRIEVE, UPDATE, can, scope, scoped_for
from styrbord.api import choices as C  # noqa: N812
from styrbord.api import schemas
from styrbord.api.crud import ConflictError, Resource, VersionedOut, field_error, item_errors, register
from styrbord.api.registry import declare
from styrbord.lib.formatting import format_date
from styrbord.staff.models import Employee, Employment
from styrbord.training.models import Booking, BookingStatus, Course, Provider, Session
from styrbord.training.services import attendance as attendance_services
from styrbord.training.services import bookings as booking_services
from styrbord.training.services.errors import BookingError
from styrbord.training.services.staffing import BookingCandidate, staffing_warnings

TAG = "Kurser"


class CourseOut(VersionedOut):
    id: int
    code: str
    name: str
    provider: int
    kind: str
    description: str
    amu_number: str
    duration_days: int
    duration_hours: Decimal
    fee_per_participant: Decimal
    fee_per_inhouse_day: Decimal
    vat_liable: bool
    veu_eligible: bool
    target_job_groups: list[str]
    active: bool

    @staticmethod
    def resolve_provider(obj: Course) -> int:
        return obj.provider_id


class CourseCreate(schemas.Input):
    code: schemas.Slug
    name: schemas.Required200
    provider: schemas.Id
    kind: C.CourseKind
    description: schemas.Text2000 = ""
    amu_number: schemas.Text40 = ""
    duration_days: schemas.SmallCount = 1
    duration_hours: schemas.Hours = Decimal("7.40")
    fee_per_participant: schemas.Money = Decimal("0.00")
    fee_per_inhouse_day: schemas.Money = Decimal("0.00")
    vat_liable: bool = False
    veu_eligible: bool = False
    target_job_groups: list[C.JobGroupValue] = []
    active: bool = True


class CourseUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None
    description: schemas.Text2000 | None = None
    amu_number: schemas.Text40 | None = None
    duration_days: schemas.SmallCount | None = None
    duration_hours: schemas.Hours | None = None
    fee_per_participant: schemas.Money | None = None
    fee_per_inhouse_day: schemas.Money | None = None
    vat_liable: bool | None = None
    veu_eligible: bool | None = None
    target_job_groups: list[C.JobGroupValue] | None = None
    active: bool | None = None


class SessionDayOut(Schema):
    date: dt.date
    hours: Decimal
    start_time: str  # "08:30" (local time)

    @staticmethod
    def resolve_start_time(obj: Any) -> str:
        return obj.start_time.isoformat(timespec="minutes")


SEATS_TAKEN = "_api_seats_taken"  # the attribute ``prepare_sessions`` leaves each session's seats in


def prepare_sessions(user: Any, sessions: list[Session]) -> None:
    """The seats taken on each session of a page, in one query (``seats_taken_by_session``)."""
    taken = booking_services.seats_taken_by_session(s.pk for s in sessions)
    for session in sessions:
        setattr(session, SEATS_TAKEN, taken[session.pk])


class SessionOut(VersionedOut):
    id: int
    course: int
    name: str
    place: str
    capacity: int
    facility: int | None
    municipality: int | None
    first_day: dt.date | None
    last_day: dt.date | None
    cancelled: bool
    cancellation_reason: str
    days: list[SessionDayOut]
    free_seats: int = Field(
        description=(
            "Ledige pladser: kapaciteten minus de tagne pladser (tilmeldt, deltaget, gennemført, ikke "
            "gennemført, udeblevet). Er der ingen, kommer en ny booking med status booked på venteliste "
            "(waitlisted). Planlagte bookinger tager ingen plads."
        )
    )

    @staticmethod
    def resolve_course(obj: Session) -> int:
        return obj.course_id

    @staticmethod
    def resolve_free_seats(obj: Session) -> int:
        taken = getattr(obj, SEATS_TAKEN, None)
        return booking_services.free_seats(obj, taken)

    @staticmethod
    def resolve_facility(obj: Session) -> int | None:
        return obj.facility_id

    @staticmethod
    def resolve_municipality(obj: Session) -> int | None:
        return obj.municipality_id

    @staticmethod
    def resolve_days(obj: Session) -> list[Any]:
        return list(obj.days.all())


class BookingOut(VersionedOut):
    id: int
    session: int
    employee: int
    employment: int
    facility: int
    status: str
    cancellation_fee: Decimal
    travel_amount: Decimal
    materials_amount: Decimal
    staffing_warning: bool
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_session(obj: Booking) -> int:
        return obj.session_id

    @staticmethod
    def resolve_employee(obj: Booking) -> int:
        return obj.employee_id

    @staticmethod
    def resolve_employment(obj: Booking) -> int:
        return obj.employment_id

    @staticmethod
    def resolve_facility(obj: Booking) -> int:
        return obj.employment.facility_id


class BookingCreate(schemas.Input):
    session: schemas.Id
    employee: schemas.Id
    employment: schemas.Id | None = None
    # A new booking is planned or booked (a full session puts a booked one on the waiting list);
    # the later statuses come through PATCH as the course goes on.
    status: Literal["planned", "booked"] = "planned"
    travel_amount: schemas.Money | None = None
    materials_amount: schemas.Money | None = None
    note: schemas.Text300 = ""
    # As on the session page: a booking that leaves a facility under its minimum staffing is made
    # only when confirmed (else 422 at this field, naming the days).
    confirm_understaffing: bool = False


class BookingUpdate(schemas.Input):
    version: schemas.Version
    status: C.BookingStatusValue | None = None
    reason: schemas.Text300 = ""


class StaffingWarningOut(Schema):
    date: dt.date
    facility: int
    remaining: int
    minimum: int


class StaffingCheckIn(schemas.Input):
    session: schemas.Id
    employment: schemas.Id


class GroupBookingIn(schemas.Input):
    session: schemas.Id
    employments: Annotated[list[schemas.Id], Field(min_length=1, max_length=200)]
    status: Literal["planned", "booked"] = "booked"
    confirm_understaffing: bool = False


class GroupBookingOut(Schema):
    booked: bool
    bookings: list[BookingOut]
    warnings: list[StaffingWarningOut]
    waitlisted: int


class AttendanceItemIn(schemas.Input):
    booking: schemas.Id
    outcome: Literal["completed", "incomplete", "attended", "no_show"]
    version: schemas.Version


class AttendanceIn(schemas.Input):
    bookings: Annotated[list[AttendanceItemIn], Field(min_length=1, max_length=500)]


class AttendanceOut(Schema):
    completed: int
    incomplete: int
    attended: int
    no_show: int
    holdings: int


def _booking_error(exc: BookingError, field: str = "__all__") -> Exception:
    """A refusal of the booking workflow; ``field`` where one field asked for it (the status a
    booking was to be moved to), else the whole request."""
    return field_error(field, exc.message, "booking_error")


def create_booking(user: Any, data: dict[str, Any]) -> Booking:
    employment = data.get("employment")
    if employment is not None and employment.employee_id != data["employee"].pk:
        raise field_error("employment", _("Ansættelsen tilhører ikke medarbejderen."))
    try:
        booking = booking_services.book(
            data["employee"],
            data["session"],
            employment,
            data["status"],
            user,
            travel_amount=data.get("travel_amount"),
            materials_amount=data.get("materials_amount"),
            note=data.get("note", ""),
        )
    except BookingError as exc:
        raise _booking_error(exc) from None
    if booking.staffing_warning and not data.get("confirm_understaffing"):
        # Raised inside the create's transaction: the booking is rolled back.
        days = "; ".join(
            _("%(day)s: %(remaining)s på arbejde, mindst %(minimum)s")
            % {"day": format_date(w.date), "remaining": w.remaining, "minimum": w.minimum}
            for w in staffing_warnings(booking)
        )
        raise field_error(
            "confirm_understaffing",
            _(
                "Bookingen bringer tilbuddet under minimumsbemandingen (%(days)s). Send confirm_understaffing: true "
                "for at booke alligevel."
            )
            % {"days": days},
            "understaffing",
        )
    return booking


# The status a booking may be moved to through the API, and the workflow that does it.
TRANSITIONS = {
    BookingStatus.BOOKED: lambda b, u, v, r: booking_services.confirm(b, u, expected_version=v),
    BookingStatus.CANCELLED: lambda b, u, v, r: booking_services.cancel(b, u, expected_version=v, reason=r).booking,
    BookingStatus.ATTENDED: lambda b, u, v, r: booking_services.mark_attended(b, u, expected_version=v),
    BookingStatus.NO_SHOW: lambda b, u, v, r: booking_services.mark_no_show(b, u, expected_version=v),
    BookingStatus.COMPLETED: lambda b, u, v, r: (booking_services.complete(b, u, expected_version=v), b)[1],
    BookingStatus.INCOMPLETE: lambda b, u, v, r: booking_services.mark_incomplete(b, u, expected_version=v),
}


def update_booking(user: Any, booking: Booking, data: dict[str, Any]) -> Booking:
    """Move a booking on through its workflow; the workflow locks session then booking."""
    expected = data["version"]
    status = data.get("status")
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=booking.session_id)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.version != expected:
            raise ConflictError(_("Bookingen er ændret siden du læste den. Hent den igen."), current.version)
        if status is None or status == current.status:
            return current
        move = TRANSITIONS.get(status)
        if move is None:
            raise field_error("status", _("Bookingen kan ikke sættes til denne status."))
        try:
            move(current, user, expected, data.get("reason", ""))
        except BookingError as exc:
            raise _booking_error(exc, "status") from None
    return Booking.objects.get(pk=booking.pk)


def _warning_out(warnings: list[Any]) -> list[dict[str, Any]]:
    return [
        {"date": w.date, "facility": w.facility_id, "remaining": w.remaining, "minimum": w.minimum} for w in warnings
    ]


COURSES = Resource(
    name="courses",
    object_type="course",
    model=Course,
    out=CourseOut,
    tag=TAG,
    create_in=CourseCreate,
    update_in=CourseUpdate,
    delete=True,
    tenant_scoped=False,
    refs={"provider": Provider},
    filters={"kind": (C.CourseKind, "kind"), "provider": (int, "provider_id"), "active": (bool, "active")},
)

SESSIONS = Resource(
    name="sessions",
    object_type="session",
    model=Session,
    out=SessionOut,
    tag=TAG,
    tenant_scoped=False,
    prefetch_related=("days",),
    prepare=prepare_sessions,
    filters={"course": (int, "course_id"), "starts_from": (dt.date, "first_day__gte")},
    csv_labels={"days": gettext_lazy("kursusdage"), "free_seats": gettext_lazy("ledige pladser")},
)

BOOKINGS = Resource(
    name="bookings",
    object_type="booking",
    model=Booking,
    out=BookingOut,
    tag=TAG,
    create_in=BookingCreate,
    update_in=BookingUpdate,
    select_related=("employment",),
    refs={"session": Session, "employee": Employee, "employment": Employment},
    creator=create_booking,
    updater=update_booking,
    service_audits=frozenset({"create", "update"}),
    locks_itself=True,
    filters={
        "session": (int, "session_id"),
        "employee": (int, "employee_id"),
        "facility": (int, "employment__facility_id"),
        "status": (C.BookingStatusValue, "status"),
        # With status=planned: a plan's seats on sessions that have begun without being booked.
        "session_starts_to": (dt.date, "session__first_day__lte"),
    },
    subject=lambda b: b.employee_id,
    csv_labels={"facility": gettext_lazy("tilbud")},
)


def build() -> Router:
    router = Router()
    register(router, COURSES)
    register(router, SESSIONS)

    op_warnings = declare("booking_staffing_warnings", "booking", RETRIEVE, "bookings")

    @router.get(
        "/bookings/{pk}/staffing-warnings",
        response={200: list[StaffingWarningOut], **schemas.ERRORS},
        operation_id=op_warnings,
        url_name=op_warnings,
        summary="Days on which the booking takes the facility below its minimum staffing",
        tags=[TAG],
    )
    def booking_warnings(request: HttpRequest, pk: schemas.Id):  # type: ignore[valid-type]
        booking = BOOKINGS.visible(request.user, RETRIEVE).filter(pk=pk).first()
        if booking is None:
            raise Http404
        return Status(200, _warning_out(staffing_warnings(booking)))

    op_check = declare("booking_staffing_check", "booking", CREATE, "bookings")

    @router.post(
        "/bookings/staffing-check",
        response={200: list[StaffingWarningOut], **schemas.ERRORS},
        operation_id=op_check,
        url_name=op_check,
        summary="Staffing warnings for a booking before it is made",
        tags=[TAG],
    )
    def staffing_check(request: HttpRequest, payload: StaffingCheckIn):
        user = request.user
        if not can(user, CREATE, "booking"):
            raise PermissionDenied
        employment = scope(user, Employment.objects.select_related("facility")).filter(pk=payload.employment).first()
        if employment is None:
            raise field_error("employment", _("Ansættelsen findes ikke eller er uden for dit omfang."))
        session = Session.objects.filter(pk=payload.session).first()
        if session is None:
            raise field_error("session", _("Holdet findes ikke."))
        return Status(200, _warning_out(staffing_warnings(BookingCandidate(employment, session))))

    op_group = declare("booking_group_create", "booking", CREATE, "bookings")

    @router.post(
        "/bookings/group",
        response={200: GroupBookingOut, 201: GroupBookingOut, **schemas.ERRORS},
        operation_id=op_group,
        url_name=op_group,
        summary="Book several people on one session, all or none",
        description=(
            "Each person is checked as a single booking is; a refusal for one books no one (422, one error per "
            "refused person at their place in `employments`, naming them and why). Minimum staffing is checked for the group together: when it breaks and "
            "`confirm_understaffing` is false, nothing is booked and the answer is 200 with `booked` false and "
            "the days; otherwise 201 with the bookings."
        ),
        tags=[TAG],
    )
    def group_booking(request: HttpRequest, payload: GroupBookingIn):  # type: ignore[no-untyped-def]
        user = request.user
        if not can(user, CREATE, "booking"):
            raise PermissionDenied
        wanted = list(dict.fromkeys(payload.employments))
        employments = list(scope(user, Employment.objects.select_related("facility", "employee")).filter(pk__in=wanted))
        if len(employments) != len(wanted):
            found = {e.pk for e in employments}
            raise item_errors(
                "employments",
                {
                    index: _("Ansættelse %(id)s findes ikke eller er uden for dit omfang.") % {"id": pk}
                    for index, pk in enumerate(payload.employments)
                    if pk not in found
                },
            )
        session = Session.objects.filter(pk=payload.session).first()
        if session is None:
            raise field_error("session", _("Holdet findes ikke."))
        try:
            outcome = booking_services.book_group(
                session, employments, payload.status, user, confirm_understaffing=payload.confirm_understaffing
            )
        except BookingError as exc:
            if not exc.refused:
                raise _booking_error(exc) from None
            # Each refused person at their place in the list (the first, if sent twice).
            place = {pk: index for index, pk in reversed(list(enumerate(payload.employments)))}
            raise item_errors(
                "employments", {place[pk]: reason for pk, reason in exc.refused.items()}, kind="booking_error"
            ) from None
        body = {
            "booked": outcome.booked,
            "bookings": outcome.bookings,
            "warnings": _warning_out(outcome.warnings),
            "waitlisted": outcome.waitlisted,
        }
        return Status(201 if outcome.booked else 200, body)

    op_attendance = declare("session_attendance", "booking", UPDATE, "bookings")

    @router.post(
        "/sessions/{pk}/attendance",
        response={200: AttendanceOut, **schemas.ERRORS},
        operation_id=op_attendance,
        url_name=op_attendance,
        summary="Register attendance for a session's bookings, all or none",
        description=(
            "Per booking: `completed` (from the session's last day; registers the competences the course "
            "gives, dated that day), `attended` or `no_show` (from its first day; a booked seat). Every "
            "booking must be on the session and in your scope. If one cannot take its outcome (changed "
            "since its version, or not open), nothing is registered (422, naming the person)."
        ),
        tags=[TAG],
    )
    def session_attendance(request: HttpRequest, pk: schemas.Id, payload: AttendanceIn):  # type: ignore[no-untyped-def,valid-type]
        user = request.user
        if not can(user, UPDATE, "booking"):
            raise PermissionDenied
        session = SESSIONS.visible(user, RETRIEVE).filter(pk=pk).first()
        if session is None:
            raise Http404
        wanted = [item.booking for item in payload.bookings]
        if len(set(wanted)) != len(wanted):  # each repetition, at the item that repeats an earlier one
            raise item_errors(
                "bookings",
                {i: _("En booking står flere gange.") for i, pk in enumerate(wanted) if pk in wanted[:i]},
                key="booking",
            )
        found = set(
            scoped_for(user, UPDATE, "booking", Booking.objects.filter(session=session, pk__in=wanted)).values_list(
                "pk", flat=True
            )
        )
        if len(found) != len(wanted):
            raise item_errors(
                "bookings",
                {
                    i: _("Booking %(id)s findes ikke på holdet eller er uden for dit omfang.") % {"id": pk}
                    for i, pk in enumerate(wanted)
                    if pk not in found
                },
                key="booking",
            )
        outcomes = {item.booking: (item.outcome, item.version) for item in payload.bookings}
        try:
            result = attendance_services.register_attendance(session, outcomes, user)
        except BookingError as exc:
            raise _booking_error(exc) from None
        return Status(
            200,
            {
                "completed": result.completed,
                "incomplete": result.incomplete,
                "attended": result.attended,
                "no_show": result.no_show,
                "holdings": result.holdings,
            },
        )

    # After the custom routes: /bookings/{pk} would otherwise catch /bookings/staffing-check.
    register(router, BOOKINGS)
    return router
