"""The course catalogue, a course with its sessions, a session with its participants."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from styrbord.accounts.permissions import CREATE, LIST, RETRIEVE, UPDATE, can, scope, scoped_for
from styrbord.accounts.route_policy import requires
from styrbord.audit.services import log_access, log_action
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today, public_holiday
from styrbord.lib.formatting import format_date
from styrbord.staff.models import Employment
from styrbord.training.forms import (
    AttendanceForm,
    BookForm,
    GroupBookForm,
    InterestForm,
    SessionCancelForm,
    SessionChangeForm,
    SessionForm,
)
from styrbord.training.models import (
    SEAT_STATUSES,
    Booking,
    BookingStatus,
    Course,
    CourseInterest,
    Session,
    SessionDay,
)
from styrbord.training.permissions import catalogue_for, get_catalogue_or_404
from styrbord.training.services import (
    BookingCandidate,
    BookingError,
    book,
    book_group,
    employed_today,
    open_interests,
    outcomes_for,
    register_attendance,
    seats_taken,
    staffing_warnings,
)
from styrbord.training.services import withdraw_interest as withdraw_interest_service
from styrbord.training.services.attendance import AWAITING_STATUSES
from styrbord.training.services.checks import group_obstacles
from styrbord.training.services.sessions import (
    SessionUnderstaffedError,
    cancel_session,
    live_bookings,
    update_session,
    why_not_manage,
)

from .common import require


def _say_who_is_on_leave(request: HttpRequest, employments: Any) -> None:
    """HR says "on leave" without the dates (those are absences): the person is booked, but it is
    said, on a single booking and a group booking alike."""
    for employment in employments:
        if employment.status == Employment.Status.LEAVE:
            messages.warning(
                request,
                _("%(name)s står som på orlov i HR-data. Tjek, at vedkommende er tilbage, når holdet begynder.")
                % {"name": employment.employee.name},
            )


@requires("course", LIST)
@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    """The catalogue, filterable by course type and competence."""
    require(request, LIST, "course")
    courses = catalogue_for(request.user, LIST, "course", Course.objects.filter(active=True))
    kind = request.GET.get("type", "")
    if kind in Course.Kind.values:
        courses = courses.filter(kind=kind)
    query = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL text holds no NUL
    if query:
        courses = courses.filter(
            Q(name__folded_contains=query) | Q(competences__name__folded_contains=query)
        ).distinct()
    # "Kurser, der giver …": from the 90-day list, a certificate nobody has booked a renewal for.
    competences = Competence.objects.filter(course_grants__course__in=courses).distinct().order_by(collated("name"))
    competence = None
    chosen = request.GET.get("kompetence", "")
    if chosen.isdigit():
        competence = Competence.objects.filter(pk=int(chosen)).first()
        courses = courses.filter(grants__competence_id=int(chosen)).distinct()
    today = local_today()
    courses = (
        courses.select_related("provider")
        .prefetch_related("grants__competence")
        .annotate(
            upcoming=Count(
                "sessions", filter=Q(sessions__first_day__gte=today, sessions__cancelled=False), distinct=True
            ),
            demand=Count(
                "interests",
                filter=Q(
                    interests__fulfilled_by__isnull=True,
                    interests__employee_id__in=employed_today().values("employee_id"),
                ),
                distinct=True,
            ),
        )
        .order_by(collated("name"))
    )
    return render(
        request,
        "training/course_list.html",
        {
            "courses": courses,
            "kinds": Course.Kind.choices,
            "kind": kind,
            "query": query,
            "competences": competences,
            "competence": competence,
            "can_create": can(request.user, CREATE, "course"),
        },
    )


@requires("course", RETRIEVE)
@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A course: what it grants and requires, its price, its sessions and the demand for it."""
    require(request, RETRIEVE, "course")
    course = get_catalogue_or_404(
        request.user,
        RETRIEVE,
        "course",
        Course.objects.select_related("provider").prefetch_related("grants__competence", "prerequisites"),
        pk=pk,
    )
    sessions = catalogue_for(request.user, LIST, "session", course.sessions.all()).annotate(
        seats=Count("bookings", filter=Q(bookings__status__in=SEAT_STATUSES)),
        planned=Count("bookings", filter=Q(bookings__status=BookingStatus.PLANNED)),
    )
    # Upcoming sessions (and those still running) soonest first, then those that are over, newest first.
    today = local_today()
    upcoming = sorted(
        (s for s in sessions if s.last_day is None or s.last_day >= today),
        key=lambda s: (s.first_day is None, s.first_day or today, s.pk),
    )
    past = sorted(
        (s for s in sessions if s.last_day is not None and s.last_day < today),
        key=lambda s: (s.first_day, s.pk),
        reverse=True,
    )
    for session in upcoming:
        # A plan's seats hold no place with the provider yet, but booking others into them would
        # leave the plan without: free is what neither booked nor planned seats take.
        session.free = max(0, session.capacity - session.seats - session.planned)  # type: ignore[attr-defined]
    interests = scoped_for(request.user, LIST, "booking", open_interests().filter(course=course)).select_related(
        "employee"
    )
    own_interest = None
    employee_id = getattr(request.user, "employee_id", None)
    if employee_id:
        own_interest = CourseInterest.objects.filter(
            course=course, employee_id=employee_id, fulfilled_by__isnull=True
        ).first()
    if interests:
        log_access(request.user, "training.course.demand_viewed", [i.employee_id for i in interests])
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "upcoming": upcoming,
            "past": past,
            "interests": interests,
            "own_interest": own_interest,
            "interest_form": InterestForm(),
            "can_create_session": can(request.user, CREATE, "session"),
            "can_edit": can(request.user, UPDATE, "course"),
            "can_express_interest": bool(employee_id),
        },
    )


@requires("course", RETRIEVE)
@login_required
@require_POST
def add_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """Put oneself on the course's demand list."""
    require(request, RETRIEVE, "course")
    course = get_catalogue_or_404(request.user, RETRIEVE, "course", Course.objects.all(), pk=pk)
    employee_id = getattr(request.user, "employee_id", None)
    form = InterestForm(request.POST)
    if employee_id is None or not form.is_valid():
        messages.error(request, _("Kun en medarbejder kan ønske et kursus."))
        return redirect("training:course_detail", pk=course.pk)
    with transaction.atomic():
        interest, created = CourseInterest.objects.get_or_create(
            employee_id=employee_id,
            course=course,
            fulfilled_by__isnull=True,
            defaults={"note": form.cleaned_data["note"]},
        )
        if created:
            log_action(interest, "training.interest.created", request.user, {"course": course.pk})
    messages.success(
        request,
        _(
            "Dit ønske om kurset er noteret. Det er ikke en plads: din leder og koordinatoren ser ønsket, når de booker hold."
        ),
    )
    return redirect("training:course_detail", pk=course.pk)


@requires("course", RETRIEVE)
@login_required
@require_POST
def withdraw_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one's own open course wish off the demand list, from "Mine kurser" or the course page.

    Only the person who made it can: another person's wish, or one a booking has met, is a 404."""
    employee_id = getattr(request.user, "employee_id", None)
    interest = get_object_or_404(
        CourseInterest.objects.select_related("course"), pk=pk, employee_id=employee_id, fulfilled_by__isnull=True
    )
    course = interest.course
    withdraw_interest_service(interest, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Dit ønske om %(course)s er trukket tilbage.") % {"course": course.name})
    if request.POST.get("tilbage") == "kursus":
        return redirect("training:course_detail", pk=course.pk)
    return redirect("training:my_bookings")


@requires("session", CREATE)
@login_required
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a session of a course; afterwards the session page shows who asked for it."""
    require(request, CREATE, "session")
    course = get_catalogue_or_404(request.user, CREATE, "course", Course.objects.all(), pk=pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            session = Session.objects.create(
                course=course,
                name=data["name"],
                place=data["place"],
                capacity=data["capacity"],
                fee_per_participant=data["fee_per_participant"],
                municipality_id=getattr(request.user, "municipality_id", None),
            )
            session.set_days(data["days"])
            log_action(
                session, "training.session.created", request.user, {"course": course.pk, "days": len(data["days"])}
            )
        messages.success(request, _("Holdet er oprettet."))
        for problem in _off_days(data["days"]):
            messages.warning(request, problem)
        return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_form.html", {"course": course, "form": form})


def _say_told(request: HttpRequest, told: int) -> None:
    if told:
        messages.info(
            request,
            ngettext(
                "%(count)s deltager har fået besked på e-mail.",
                "%(count)s deltagere har fået besked på e-mail.",
                told,
            )
            % {"count": told},
        )


def _off_days(days: list[tuple[Any, Any]]) -> list[str]:
    """A word on each course day that falls on a public holiday or a weekend: kept (weekend
    courses happen), but most are typing errors, and staff must be covered on those days too."""
    words = []
    for day, _hours in days:
        holiday = public_holiday(day)
        if holiday is not None:
            words.append(
                _("Kursusdagen %(day)s er en helligdag (%(holiday)s). Ret holdets dage, hvis det er en fejl.")
                % {"day": format_date(day), "holiday": holiday}
            )
        elif day.weekday() >= 5:
            words.append(
                _("Kursusdagen %(day)s er en %(weekday)s. Ret holdets dage, hvis det er en fejl.")
                % {"day": format_date(day), "weekday": _("lørdag") if day.weekday() == 5 else _("søndag")}
            )
    return words


@requires("session", UPDATE)
@login_required
def session_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a session's name, place, seats, price or days (all or nothing; see the service)."""
    require(request, UPDATE, "session")
    session = get_catalogue_or_404(request.user, UPDATE, "session", Session.objects.select_related("course"), pk=pk)
    refused = why_not_manage(request.user, session)
    form = SessionChangeForm(request.POST or None, initial=SessionChangeForm.initial_for(session))
    warnings: list[Any] = []
    if request.method == "POST" and refused is None and form.is_valid():
        data = form.cleaned_data
        try:
            change = update_session(
                session,
                request.user,
                name=data["name"],
                place=data["place"],
                capacity=data["capacity"],
                fee_per_participant=data["fee_per_participant"],
                days=data["days"],
                confirm_understaffing=form.understaffing_confirmed,
            )
        except SessionUnderstaffedError as error:
            warnings = error.warnings
            key = form.confirmation_key()
            form = SessionChangeForm(
                {**request.POST.dict(), "confirm_understaffing": key}, initial=SessionChangeForm.initial_for(session)
            )
            form.is_valid()
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Holdet er ændret."))
            if change.promoted:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s fra ventelisten har fået en plads.",
                        "%(count)s fra ventelisten har fået en plads.",
                        len(change.promoted),
                    )
                    % {"count": len(change.promoted)},
                )
            if change.days_changed:
                for problem in _off_days(data["days"]):
                    messages.warning(request, problem)
            _say_told(request, change.told)
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/session_change.html",
        {
            "session": session,
            "form": form,
            "refused": refused,
            "live": live_bookings(session).count(),
            "warnings": warnings,
        },
    )


@requires("session", UPDATE)
@login_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a session (aflys holdet) after showing whose seats go with it."""
    require(request, UPDATE, "session")
    session = get_catalogue_or_404(request.user, UPDATE, "session", Session.objects.select_related("course"), pk=pk)
    refused = why_not_manage(request.user, session)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and refused is None and form.is_valid():
        try:
            result = cancel_session(session, request.user, reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Holdet er aflyst, og %(count)s booking er afbestilt uden gebyr.",
                    "Holdet er aflyst, og %(count)s bookinger er afbestilt uden gebyr.",
                    len(result.cancelled),
                )
                % {"count": len(result.cancelled)},
            )
            if result.waived:
                messages.info(
                    request,
                    ngettext(
                        "Afbestillingsgebyret for %(count)s tidligere afbestilling er frafaldet.",
                        "Afbestillingsgebyrerne for %(count)s tidligere afbestillinger er frafaldet.",
                        result.waived,
                    )
                    % {"count": result.waived},
                )
            _say_told(request, result.told)
            return redirect("training:session_detail", pk=session.pk)
    affected = scope(request.user, live_bookings(session)).select_related("employee", "employment__facility")
    affected = affected.order_by(collated("employee__name"))
    if affected:
        log_access(request.user, "training.session.participants_viewed", sorted({b.employee_id for b in affected}))
    return render(
        request,
        "training/session_cancel.html",
        {"session": session, "form": form, "refused": refused, "affected": affected},
    )


def _bookable_employments(request: HttpRequest) -> QuerySet[Employment]:
    return scope(request.user, Employment.objects.all())


@requires("session", RETRIEVE)
@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: its days, participants, waiting list, demand list and (for managers) a booking form.

    Booking is two-step when it matters: if the booking would leave the facility under its minimum
    staffing, the warning is shown and the user must confirm before the booking is made.
    """
    require(request, RETRIEVE, "session")
    session = get_catalogue_or_404(
        request.user, RETRIEVE, "session", Session.objects.select_related("course__provider"), pk=pk
    )
    # Not on a cancelled session. One that is over may still get a seat for someone who took part
    # without being booked (then registered as attended), as the booking rules allow.
    can_book = can(request.user, CREATE, "booking") and not session.cancelled
    form = None
    warnings = []
    if can_book:
        form = BookForm(
            request.POST or None,
            employments=_bookable_employments(request),  # type: ignore[arg-type]
            on=session.first_day,
            begun=session.has_started(local_today()),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            employment = data["employment"]
            warnings = staffing_warnings(BookingCandidate(employment, session))
            if warnings and not form.understaffing_confirmed:
                form.data = form.data.copy()  # type: ignore[attr-defined]
                form.data["confirm_understaffing"] = form.confirmation_key()  # type: ignore[index]
                messages.warning(
                    request, _("Bookingen bringer tilbuddet under minimumsbemandingen. Bekræft for at booke alligevel.")
                )
            else:
                try:
                    booking = book(
                        employment.employee,
                        session,
                        employment=employment,
                        status=data["status"],
                        user=request.user,  # type: ignore[arg-type]
                        travel_amount=data["travel_amount"],
                        materials_amount=data["materials_amount"],
                        note=data["note"],
                    )
                except BookingError as error:
                    messages.error(request, error.message)
                else:
                    if booking.status == BookingStatus.WAITLISTED:
                        messages.warning(request, _("Holdet er fuldt. Medarbejderen er sat på venteliste."))
                    else:
                        messages.success(request, _("Bookingen er oprettet."))
                    _say_who_is_on_leave(request, [employment])
                    return redirect("training:session_detail", pk=session.pk)
    bookings = list(
        scoped_for(request.user, LIST, "booking", session.bookings.all())
        .select_related("employee", "employment__facility")
        .order_by("status", "waitlisted_at", collated("employee__name"))
    )
    participants = [b for b in bookings if b.status != BookingStatus.WAITLISTED]
    waiting_ids = list(
        session.bookings.filter(status=BookingStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("pk", flat=True)
    )
    waiting = sorted(
        [(waiting_ids.index(b.pk) + 1, b) for b in bookings if b.status == BookingStatus.WAITLISTED], key=lambda p: p[0]
    )
    interests = scoped_for(
        request.user,
        LIST,
        "booking",
        open_interests()
        .filter(course=session.course)
        .exclude(employee_id__in=session.bookings.exclude(status=BookingStatus.CANCELLED).values("employee_id")),
    ).select_related("employee")
    days = list(SessionDay.objects.filter(session=session))
    shown = [b.employee_id for b in bookings] + [i.employee_id for i in interests]
    if shown:
        log_access(request.user, "training.session.participants_viewed", sorted(set(shown)))
    # Planned bookings (from an accepted plan) hold no seat with the provider yet, but will want one.
    counts = session.bookings.aggregate(
        seats=Count("pk", filter=Q(status__in=SEAT_STATUSES)),
        planned=Count("pk", filter=Q(status=BookingStatus.PLANNED)),
    )
    seats, planned = counts["seats"], counts["planned"]
    today = local_today()
    registrable = _registrable(request, session, today) if can(request.user, UPDATE, "booking") else []
    # Change and cancel only for those the pages behind would let; another's session says whose it is.
    manages_sessions = can(request.user, UPDATE, "session") and not session.cancelled
    manage_refusal = why_not_manage(request.user, session) if manages_sessions else None
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "days": days,
            "participants": participants,
            "waiting": waiting,
            "waiting_total": len(waiting_ids),
            "interests": interests,
            "seats": seats,
            "planned": planned,
            "free": max(0, session.capacity - seats),
            "form": form,
            "warnings": warnings,
            "Booking": Booking,
            "can_manage": manages_sessions and manage_refusal is None,
            "manage_refusal": manage_refusal,
            "registrable": len(registrable),
            # The course is over and these still wait (the rule of services.awaiting_attendance).
            "awaiting": len(registrable) if session.last_day is not None and session.last_day < today else 0,
            # The rule of services.planned_after_start, for the bookings in the user's scope.
            "planned_after_start": (
                sum(1 for b in participants if b.status == BookingStatus.PLANNED)
                if can(request.user, UPDATE, "booking") and not session.cancelled and session.has_started(today)
                else 0
            ),
            "planned_list_query": urlencode(
                {
                    "begyndt": "on",
                    "fra": session.first_day.isoformat() if session.first_day else "",
                    "q": session.course.name,
                }
            ),
        },
    )


def _registrable(request: HttpRequest, session: Session, today: Any) -> list[Booking]:
    """The session's bookings in the user's scope for which something can be registered today."""
    bookings = scoped_for(
        request.user, UPDATE, "booking", session.bookings.filter(status__in=AWAITING_STATUSES)
    ).select_related("employee", "employment__facility", "session")
    return [b for b in bookings.order_by(collated("employee__name"), "pk") if outcomes_for(b, today)]


@requires("booking", UPDATE, also=(("session", RETRIEVE),))
@login_required
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Register who completed, took part in or missed a course that has begun, for the whole session
    at once (all or nothing). Completing registers the competences the course grants."""
    require(request, UPDATE, "booking")
    session = get_catalogue_or_404(
        request.user, RETRIEVE, "session", Session.objects.select_related("course__provider"), pk=pk
    )
    today = local_today()
    bookings = _registrable(request, session, today)
    outcomes = {b.pk: outcomes_for(b, today) for b in bookings}
    form = AttendanceForm(request.POST if request.method == "POST" else None, bookings=bookings, outcomes=outcomes)
    if request.method == "POST" and form.is_valid():
        try:
            result = register_attendance(session, form.outcomes(), request.user)  # type: ignore[arg-type]
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            parts = [
                text % {"count": count}
                for count, text in (
                    (result.completed, _("%(count)s gennemført")),
                    (result.incomplete, _("%(count)s deltaget, ikke gennemført")),
                    (result.attended, _("%(count)s deltaget (kurset er i gang)")),
                    (result.no_show, _("%(count)s udeblevet")),
                )
                if count
            ]
            messages.success(
                request,
                _("Registreret for %(total)s: %(outcomes)s.") % {"total": result.total, "outcomes": ", ".join(parts)},
            )
            if result.holdings:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s kompetencebevis er registreret.",
                        "%(count)s kompetencebeviser er registreret.",
                        result.holdings,
                    )
                    % {"count": result.holdings},
                )
            return redirect("training:session_detail", pk=session.pk)
    if bookings:
        log_access(request.user, "training.session.participants_viewed", sorted({b.employee_id for b in bookings}))
    return render(
        request,
        "training/session_attendance.html",
        {
            "session": session,
            "form": form,
            "rows": form.rows(),
            "started": session.first_day is not None and session.first_day <= today,
            "can_complete": session.last_day is not None and session.last_day <= today,
            "gives": list(session.course.competences.order_by(collated("name")).values_list("name", flat=True)),
            "today": today,
        },
    )


def _holding_everything(session: Session, wanted: set[int], employee_ids: list[int]) -> set[int]:
    """Who already holds every one of ``wanted`` (the competences the course gives), valid on the
    session's first day."""
    day = session.first_day or local_today()
    if not wanted or not employee_ids:
        return set()
    held: dict[int, set[int]] = {}
    for employee_id, competence_id in (
        CompetenceHolding.objects.filter(employee_id__in=employee_ids, competence_id__in=wanted, acquired_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .values_list("employee_id", "competence_id")
    ):
        held.setdefault(employee_id, set()).add(competence_id)
    return {e for e, competences in held.items() if competences >= wanted}


@requires("booking", CREATE, also=(("session", RETRIEVE),))
@login_required
def session_book_group(request: HttpRequest, pk: int) -> HttpResponse:
    """Book several people on a session at once, all or none; minimum staffing is checked for the
    group together and, when it breaks, shown for confirmation before anything is booked."""
    require(request, CREATE, "booking")
    session = get_catalogue_or_404(
        request.user, RETRIEVE, "session", Session.objects.select_related("course__provider"), pk=pk
    )
    if session.cancelled:
        messages.error(request, _("Holdet er aflyst."))
        return redirect("training:session_detail", pk=session.pk)
    live = session.bookings.exclude(status=BookingStatus.CANCELLED).values("employee_id")
    form = GroupBookForm(
        request.POST or None,
        initial={"employments": request.GET.getlist("valgt")},  # from a gap list: the people missing it
        employments=_bookable_employments(request),
        on=session.first_day,
        until=session.last_day,
        begun=session.has_started(local_today()),
        booked=live,  # type: ignore[arg-type]
    )
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = book_group(
                session,
                list(data["employments"]),
                data["status"],
                request.user,  # type: ignore[arg-type]
                confirm_understaffing=form.understaffing_confirmed,
            )
        except BookingError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            if outcome.booked:
                made = len(outcome.bookings)
                messages.success(
                    request,
                    ngettext("%(count)s medarbejder er booket.", "%(count)s medarbejdere er booket.", made)
                    % {"count": made},
                )
                if outcome.waitlisted:
                    messages.warning(
                        request,
                        ngettext(
                            "Holdet blev fuldt: %(count)s står på venteliste.",
                            "Holdet blev fuldt: %(count)s står på venteliste.",
                            outcome.waitlisted,
                        )
                        % {"count": outcome.waitlisted},
                    )
                _say_who_is_on_leave(request, data["employments"])
                return redirect("training:session_detail", pk=session.pk)
            warnings = outcome.warnings
            form.data = form.data.copy()  # type: ignore[attr-defined]
            form.data["confirm_understaffing"] = form.confirmation_key()  # type: ignore[index]
    candidates = list(form.fields["employments"].queryset)  # type: ignore[attr-defined]
    employee_ids = [e.employee_id for e in candidates]
    if employee_ids:
        log_access(request.user, "training.session.candidates_viewed", sorted(set(employee_ids)))
    gives = set(session.course.competences.values_list("pk", flat=True))
    holding = _holding_everything(session, gives, employee_ids)
    # Who cannot go (leave, another course those days, a seat on another session of the course):
    # said on their row and left out of "Vælg de N", rather than refused after the submit.
    obstacles = group_obstacles(session, employee_ids, local_today())
    for e in candidates:  # on leave by HR's employment status (no dates): said, not ticked
        if e.status == Employment.Status.LEAVE:
            obstacles.setdefault(e.employee_id, _("Står som på orlov i HR-data"))
    missing = [e for e in candidates if e.employee_id not in holding and e.employee_id not in obstacles]
    chosen = {str(v) for v in form["employments"].value() or []}
    # Chosen on a gap list but not offered here (employed elsewhere by then, leaving before the
    # course is over, or booked already): named, not dropped silently.
    offered = {str(e.pk) for e in candidates}
    asked = [v for v in request.GET.getlist("valgt") if v.isdigit() and len(v) < 19 and v not in offered]
    not_offered = sorted(
        {
            e.employee.name
            for e in _bookable_employments(request).filter(pk__in=asked).select_related("employee")  # type: ignore[attr-defined]
        }
    )
    return render(
        request,
        "training/session_book_group.html",
        {
            "session": session,
            "form": form,
            "warnings": warnings,
            "rows": [
                (e, str(e.pk) in chosen, e.employee_id in holding, obstacles.get(e.employee_id)) for e in candidates
            ],
            "gives": bool(gives),
            "missing_query": urlencode([("valgt", e.pk) for e in missing]),
            "missing_count": len(missing) if gives else 0,
            "free": max(0, session.capacity - seats_taken(session)),
            "not_offered": not_offered,
        },
    )
