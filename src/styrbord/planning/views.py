"""Planning pages: scenarios, a run with live progress, side-by-side comparison, accepting a plan.

Thin views over ``planning.services``. Permissions: policy "scenario" / "plan_run" and the
user's scope (outside it answers 404); the planned seats list names people, so it is shown
only to roles that may see employees, filtered to their scope, and the access is logged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from styrbord.accounts.permissions import (
    CREATE,
    EXPORT,
    LIST,
    RETRIEVE,
    UPDATE,
    can,
    get_scoped_or_404,
    is_administrator,
    scope,
    scoped_for,
)
from styrbord.accounts.route_policy import requires
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.organisations.models import Municipality
from styrbord.planning import services
from styrbord.planning.compare import (
    comparison,
    for_reader,
    hidden_targets_note,
    new_seats_by_facility,
    present,
    reader_for,
)
from styrbord.planning.forms import ScenarioForm
from styrbord.planning.models import PlanAssignment, PlanRun, Scenario
from styrbord.web.downloads import attachment, file_name

MAX_COMPARED = 4


def _require(request: HttpRequest, action: str, object_type: str) -> None:
    if not can(request.user, action, object_type):
        raise PermissionDenied


def _municipality_for(request: HttpRequest) -> Municipality:
    """The municipality a new scenario belongs to: the user's own (an administrator picks one)."""
    user: Any = request.user
    if user.municipality_id is not None:
        return user.municipality  # type: ignore[no-any-return]
    code = request.GET.get("kommune") or request.POST.get("kommune")
    if code and is_administrator(user):
        found = Municipality.objects.filter(code=code).first()
        if found is not None:
            return found
    raise PermissionDenied


@require_GET
@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    """The user's scenarios with the run their figures come from: an accepted scenario's accepted
    run (a newer draft run is named beside it), otherwise the latest run."""
    _require(request, LIST, "scenario")
    scenarios = scoped_for(request.user, LIST, "scenario", Scenario.objects.all()).select_related("municipality")
    scenarios = scenarios.prefetch_related(
        Prefetch(
            "runs",
            # Every run of every scenario: without their snapshots, which the list shows nothing of.
            queryset=PlanRun.objects.numbered().defer("inputs", "result").order_by("-created_at", "-id"),
            to_attr="run_list",
        )
    )
    rows = []
    for scenario in scenarios:
        run_list: list[PlanRun] = scenario.run_list  # type: ignore[attr-defined]
        latest = run_list[0] if run_list else None
        accepted = next((run for run in run_list if run.pk == scenario.accepted_run_id), None)
        shown = accepted or latest
        newer = latest if latest is not None and shown is not None and latest.pk != shown.pk else None
        rows.append({"scenario": scenario, "run": shown, "accepted": accepted is not None, "newer": newer})
    user: Any = request.user
    context = {
        "rows": rows,
        "can_create": can(user, CREATE, "scenario") and user.municipality_id is not None,
        # A scenario plans for one municipality's facilities (see _municipality_for): a user with no
        # municipality of their own (a regional coordinator) is told so instead of "none yet".
        "plans_elsewhere": user.municipality_id is None and not is_administrator(user),
    }
    return render(request, "planning/scenario_list.html", context)


def _warn_spent_grants(request: HttpRequest, form: ScenarioForm) -> None:
    spent = form.spent_grants()
    if spent:
        messages.warning(
            request,
            ngettext(
                "Tilsagnet %(grants)s har intet tilbage, så planen kan ikke bruge af det.",
                "Tilsagnene %(grants)s har intet tilbage, så planen kan ikke bruge af dem.",
                len(spent),
            )
            % {"grants": "; ".join(str(g) for g in spent)},
        )


@require_http_methods(["GET", "POST"])
@login_required
def scenario_create(request: HttpRequest) -> HttpResponse:
    _require(request, CREATE, "scenario")
    municipality = _municipality_for(request)
    form = ScenarioForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        scenario = form.save(commit=False)
        scenario.created_by = request.user  # type: ignore[assignment]
        scenario.save()
        form.save_m2m()
        if not scenario.facilities.exists():
            scenario.facilities.set(form.fields["facilities"].queryset)  # type: ignore[attr-defined]
        log_action(scenario, "planning.scenario.created", request.user, {"name": scenario.name})
        messages.success(request, _("Scenariet er oprettet. Kør det for at få en plan."))
        _warn_spent_grants(request, form)
        return redirect("planning:scenario_detail", pk=scenario.pk)
    return render(request, "planning/scenario_form.html", {"form": form, "municipality": municipality})


@require_http_methods(["GET", "POST"])
@login_required
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scoped_or_404(request.user, UPDATE, "scenario", Scenario.objects.all(), pk=pk)
    form = ScenarioForm(request.POST or None, instance=scenario, municipality=scenario.municipality)
    if request.method == "POST" and form.is_valid():
        form.save()
        log_action(scenario, "planning.scenario.updated", request.user, {"name": scenario.name})
        messages.success(request, _("Scenariet er gemt. Kør det igen for at se virkningen."))
        _warn_spent_grants(request, form)
        return redirect("planning:scenario_detail", pk=scenario.pk)
    return render(
        request,
        "planning/scenario_form.html",
        {"form": form, "municipality": scenario.municipality, "scenario": scenario},
    )


@require_GET
@login_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scoped_or_404(
        request.user,
        RETRIEVE,
        "scenario",
        Scenario.objects.select_related("municipality").prefetch_related("facilities", "grants__pool"),
        pk=pk,
    )
    runs = list(scenario.runs.numbered().order_by("-created_at", "-id")[:20])
    today = local_today()
    context = {
        "scenario": scenario,
        # A start that has passed: a new run plans courses from this day only (none at all when over).
        "plans_from": scenario.first_day_for_new_seats(today),
        "start_passed": scenario.start_date < today,
        # A start of today has not passed, but a plan books courses from tomorrow (see the model).
        "start_is_today": scenario.start_date == today,
        "is_over": scenario.is_over(today),
        "runs": runs,
        "latest": runs[0] if runs else None,
        "can_run": can(request.user, UPDATE, "scenario"),
    }
    return render(request, "planning/scenario_detail.html", context)


@require_POST
@login_required
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = get_scoped_or_404(request.user, UPDATE, "scenario", Scenario.objects.all(), pk=pk)
    _require(request, CREATE, "plan_run")
    try:
        run = services.start_run(scenario, request.user)  # type: ignore[arg-type]
    except services.PlanningError as error:
        messages.error(request, str(error))
        return redirect("planning:scenario_detail", pk=scenario.pk)
    return redirect("planning:run_detail", pk=run.pk)


def _run(request: HttpRequest, pk: int, action: str = RETRIEVE) -> PlanRun:
    return get_scoped_or_404(
        request.user, action, "plan_run", PlanRun.objects.numbered().select_related("scenario__municipality"), pk=pk
    )


@require_GET
@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    seats: list[PlanAssignment] = []
    show_people = can(request.user, LIST, "employee")
    if show_people and run.status == PlanRun.Status.DONE:
        seats = list(
            scope(request.user, run.assignments.all()).select_related(
                "employee", "employment__facility", "session__course"
            )
        )
        if seats:
            log_access(request.user, "planning.plan.viewed", sorted({s.employee_id for s in seats}))
    # The button only where accepting would be taken; otherwise why not (a newer run, a session
    # cancelled or begun since, seats taken), as the confirmation page would say.
    refusal = None
    may_accept = (
        can(request.user, UPDATE, "scenario")
        and run.status == PlanRun.Status.DONE
        and run.scenario.accepted_run_id != run.pk
    )
    if may_accept:
        refusal = services.acceptance_refusal(run)
    result = _result_for(request, run)
    context = {
        "run": run,
        "scenario": run.scenario,
        "result": result,
        "hidden_targets_note": hidden_targets_note(result["hidden_targets"]) if result["hidden_targets"] else "",
        "seats": seats,
        "show_people": show_people,
        "can_export": can(request.user, EXPORT, "plan_run") and run.status == PlanRun.Status.DONE,
        "can_accept": may_accept and refusal is None,
        "refusal": refusal,
    }
    return render(request, "planning/run_detail.html", context)


def _result_for(request: HttpRequest, run: PlanRun) -> dict[str, Any]:
    """The run's result as the user may see it: a facility manager sees their own facilities'
    figures and the others' summed in one row (``compare.for_reader``); the page and the export
    both come from here."""
    return for_reader(present(run.result or {}, new_seats_by_facility(run)), reader_for(request.user, [run]))


def _seat_status(seat: PlanAssignment) -> str:
    if seat.existing:
        return _("Findes allerede")
    return _("Planlagt") if seat.booking_id else _("Ny")


@require_GET
@login_required
def run_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A finished plan as XLSX to hand on: the requirements before and with the plan, the
    facilities' load, the funding and (for roles that see staff) the seats in the user's scope.
    Seats name people: the export is logged."""
    _require(request, EXPORT, "plan_run")
    run = _run(request, pk, EXPORT)
    if run.status != PlanRun.Status.DONE:
        raise Http404
    result = _result_for(request, run)
    pct = lambda share: round(Decimal(str(share)), 1)  # noqa: E731 - a percentage with one decimal
    sheets = [
        Sheet(
            pgettext("plan export sheet", "Krav"),
            [
                pgettext("plan export column", "Krav"),
                _("Regel"),
                _("Gælder for"),
                _("Frist"),
                _("Uden planen (% af målet)"),
                _("Med planen (% af målet)"),
                _("Nås"),
                _("Det, der holder tilbage"),
            ],
            [
                [
                    t["name"],
                    t.get("rule", ""),
                    t.get("scope", ""),
                    t["deadline_date"],
                    pct(t["baseline_pct"]),
                    pct(t["attainment_pct"]),
                    _("ja") if t["met"] else _("nej"),
                    t.get("reason_label") or "",
                ]
                for t in result["targets"]
            ]
            + ([[hidden_targets_note(result["hidden_targets"])]] if result["hidden_targets"] else []),
            column_widths=[48, 28, 24, 12, 14, 14, 8, 30],
        ),
        Sheet(
            pgettext("plan export sheet", "Tilbud"),
            [
                pgettext("plan export column", "Tilbud"),
                _("Medarbejdere"),
                _("Minimumsbemanding"),
                _("Nye kursuspladser"),
                _("Allerede bookede kursuspladser"),
                _("Kursusdage væk"),
                _("Flest væk samme dag"),
                _("Mindste margin"),
                _("Udgift (kr.)"),
            ],
            [
                [
                    f["name"],
                    f.get("staff"),
                    f.get("minimum"),
                    f.get("new_seats"),
                    f.get("existing_seats"),
                    f.get("days_away"),
                    f.get("peak"),
                    f.get("margin"),
                    f.get("cost"),
                ]
                for f in result["facilities"]
            ],
            money_columns={8},
            column_widths=[32, 12, 12, 12, 14, 12, 12, 12, 14],
        ),
        Sheet(
            pgettext("plan export sheet", "Finansiering"),
            [_("Tilsagn"), _("Restbeløb før planen (kr.)"), _("Planlagt forbrug (kr.)")],
            [[g["name"], g.get("remaining"), g.get("planned")] for g in result["grants"]],
            money_columns={1, 2},
            column_widths=[60, 18, 18],
        ),
    ]
    employee_ids: list[int] = []
    if can(request.user, LIST, "employee"):
        seats = list(
            scope(request.user, run.assignments.all())
            .select_related("employee", "employment__facility", "session__course")
            .order_by("session__first_day", collated("session__course__name"), "session_id", collated("employee__name"))
        )
        employee_ids = sorted({s.employee_id for s in seats})
        sheets.append(
            Sheet(
                pgettext("plan export sheet", "Pladser"),
                [
                    _("Kursus"),
                    pgettext("plan export column", "Hold"),
                    _("Første dag"),
                    _("Sidste dag"),
                    _("Medarbejder"),
                    pgettext("plan export column", "Tilbud"),
                    _("Udgift (kr.)"),
                    _("Booking"),
                ],
                [
                    [
                        s.session.course.name,
                        s.session.name,
                        s.session.first_day,
                        s.session.last_day,
                        s.employee.name,
                        s.employment.facility.name,
                        s.cost,
                        _seat_status(s),
                    ]
                    for s in seats
                ],
                money_columns={6},
                column_widths=[40, 28, 12, 12, 28, 28, 12, 16],
            )
        )
    content = write_xlsx(sheets)
    log_access(
        request.user,
        "planning.plan.exported",
        employee_ids,
        {"run": run.pk, "scenario": run.scenario_id},
        kind=AuditEntry.Kind.EXPORT,
    )
    return attachment(content, file_name(f"plan-{run.number}-{run.scenario.name}", "xlsx"))


@require_GET
@login_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the run page polls; when the run ends, HTMX reloads the page."""
    run = _run(request, pk)
    response = render(request, "planning/_run_status.html", {"run": run})
    if not run.is_active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


CONFIRM_FIELD = "bekraeft"


@requires("scenario", UPDATE)
@require_GET
@login_required
def run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The step before accepting: what the plan books and what it costs, and who pays, with the
    button that accepts it (a plan may commit several hundred thousand kroner): the sessions with
    their new seats (and the people on them), and what each grant has left now. A grant spent or
    changed since the run would refuse the acceptance: the page says so instead of the button."""
    run = _run(request, pk)
    get_scoped_or_404(request.user, UPDATE, "scenario", Scenario.objects.all(), pk=run.scenario_id)
    refusal = services.acceptance_refusal(run)
    sessions: list[services.SessionSeats] = []
    # The people on the new seats, as the run's page shows them: to roles that see staff, in their
    # scope, and the access is logged.
    show_people = can(request.user, LIST, "employee")
    if refusal is None:
        visible = scope(request.user, run.assignments.all()) if show_people else None
        sessions = services.acceptance_sessions(run, visible)
        named = sorted({seat.employee_id for row in sessions for seat in row.people})
        if named:
            log_access(request.user, "planning.plan.viewed", named)
    context = {
        "run": run,
        "scenario": run.scenario,
        "summary": services.acceptance_summary(run),
        "refusal": refusal,
        "sessions": sessions,
        "show_people": show_people,
        "confirm_field": CONFIRM_FIELD,
    }
    return render(request, "planning/run_confirm.html", context)


@require_POST
@login_required
def run_accept(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    get_scoped_or_404(request.user, UPDATE, "scenario", Scenario.objects.all(), pk=run.scenario_id)
    if request.POST.get(CONFIRM_FIELD) != "1":  # not from the confirmation page: show it first
        return redirect("planning:run_confirm", pk=run.pk)
    try:
        bookings = services.accept_run(run, request.user)  # type: ignore[arg-type]
    except services.PlanningError as error:
        messages.error(request, str(error))
    else:
        from styrbord.funding.models import LedgerEntry

        count = len(bookings)
        if LedgerEntry.objects.filter(booking__in=[b.pk for b in bookings]).exists():
            done = ngettext(
                "Planen er godkendt: %(count)s planlagt booking er oprettet og fordelt på tilsagnene.",
                "Planen er godkendt: %(count)s planlagte bookinger er oprettet og fordelt på tilsagnene.",
                count,
            )
        else:  # a plan on the facilities' own budgets: nothing was charged to a grant
            done = ngettext(
                "Planen er godkendt: %(count)s planlagt booking er oprettet. Planen bruger ingen tilsagn; "
                "den betales af tilbuddenes egne midler.",
                "Planen er godkendt: %(count)s planlagte bookinger er oprettet. Planen bruger ingen tilsagn; "
                "de betales af tilbuddenes egne midler.",
                count,
            )
        messages.success(request, done % {"count": count})
    return redirect("planning:run_detail", pk=run.pk)


@require_GET
@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Runs side by side: coverage by deadline, cost, staffing impact per facility."""
    _require(request, LIST, "plan_run")
    choices = list(
        scoped_for(request.user, LIST, "plan_run", PlanRun.objects.numbered().select_related("scenario"))
        .filter(status=PlanRun.Status.DONE)
        .defer("inputs", "result")  # 50 runs' snapshots, of which the choices show none
        .order_by("-created_at", "-pk")[:50]
    )
    if "koersel" in request.GET:
        ids = [int(v) for v in request.GET.getlist("koersel") if v.isdigit()][:MAX_COMPARED]
    else:  # nothing chosen yet: the newest finished run of each scenario, newest scenarios first
        latest: dict[int, int] = {}
        for run in choices:
            latest.setdefault(run.scenario_id, run.pk)
        ids = list(latest.values())[:MAX_COMPARED]
    runs = list(
        scoped_for(request.user, RETRIEVE, "plan_run", PlanRun.objects.numbered().select_related("scenario")).filter(
            pk__in=ids, status=PlanRun.Status.DONE
        )
    )
    runs.sort(key=lambda r: ids.index(r.pk))
    context = {
        "runs": runs,
        "table": comparison(runs, reader_for(request.user, runs)),
        "choices": choices,
        "chosen": ids,
    }
    return render(request, "planning/compare.html", context)
