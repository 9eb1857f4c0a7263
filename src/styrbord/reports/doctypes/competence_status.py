"""Status on competence development (orientering), like seed 003.

For a municipality or one facility and a period: the topics trained per facility (from course
bookings), coverage against each requirement's target (the requirements coverage engine), grant
spending (the funding ledger), and the facilities singled out by the supervisory authority
(requirements sourced from an order or recommendation) with what is being done about it
(booked and planned course places that give the required competence).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from styrbord.accounts.models import Role
from styrbord.funding.models import Grant
from styrbord.funding.services.balances import Balances, balances_by_grant
from styrbord.lib import charts as lib_charts
from styrbord.lib.collation import collated, sort_key
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date, format_percent
from styrbord.lib.money import ZERO
from styrbord.organisations.models import Facility
from styrbord.reports.doctypes.base import DocumentType, Progress, ReportError, ReportRequest, ScopeKind, register
from styrbord.reports.doctypes.text import join_da, mio, people
from styrbord.reports.documents.charts import document_chart
from styrbord.reports.documents.structure import (
    BulletList,
    CaseType,
    CellKind,
    Column,
    CommitteeItem,
    Paragraph,
    Row,
    RowKind,
    Section,
    SubHeading,
    Table,
)
from styrbord.requirements import coverage
from styrbord.requirements.models import Requirement, SourceKind
from styrbord.requirements.planned import planned_completions
from styrbord.training.models import Booking, BookingStatus

SUPERVISORY = (SourceKind.ORDER, SourceKind.RECOMMENDATION)
# People on courses in the period (a no-show was not), and of them those who completed ("heraf
# gennemført"): taking part without completing, or a course still running, is not completed.
ACTIVE_BOOKINGS = (
    BookingStatus.PLANNED,
    BookingStatus.BOOKED,
    BookingStatus.ATTENDED,
    BookingStatus.COMPLETED,
    BookingStatus.INCOMPLETE,
)
DONE_BOOKINGS = (BookingStatus.COMPLETED,)
UPCOMING_BOOKINGS = (BookingStatus.PLANNED, BookingStatus.BOOKED)
MAX_TOPIC_FACILITIES = 8  # more than this: topics as a table instead of a list per facility
MAX_TOPICS = 6
PER_FACILITY_ROWS_IN_TEXT = 8  # a longer facility x requirement table goes to the XLSX appendix
HISTORY_MONTHS_MAX = 36  # a longer period's coverage history is cut to its last three years
STATUS_TEXT = {
    "ok": "Opfyldt",
    "warn": "Tæt på målet",
    "bad": "Under målet",
    "none": "Ingen i målgruppen",
    "pending": "Endnu ingen at måle",
}
# The coverage engine's share leaves out people not yet due (new staff without the competence whose
# own deadline after hire has not come): they neither meet nor miss the requirement yet.
NOT_YET_DUE_NOTE = (
    "Nyansatte uden kompetencen, hvis frist efter ansættelsen ikke er nået, tæller ikke med i dækningen; "
    "de står for sig som endnu ikke forfaldne."
)


def _facilities(request: ReportRequest) -> tuple[QuerySet[Facility], str]:
    obj = request.scope.obj
    if request.scope.kind == ScopeKind.FACILITY:
        return Facility.objects.filter(pk=obj.pk), str(obj)
    if request.scope.kind == ScopeKind.MUNICIPALITY:
        qs = Facility.objects.filter(municipality_id=obj.pk).exclude(operator_kind=Facility.OperatorKind.REGION)
        return qs, str(obj)
    raise ReportError(_("Status på kompetenceudvikling laves for en kommune eller et tilbud."))


# --- topics per facility -----------------------------------------------------------------


def _topics(facilities: QuerySet[Facility], start: dt.date, end: dt.date) -> dict[str, list[tuple[str, int, int]]]:
    """Per facility: (competence, people on courses in the period, of whom completed), most first."""
    rows = (
        Booking.objects.filter(
            employment__facility__in=facilities,
            status__in=ACTIVE_BOOKINGS,
            session__first_day__gte=start,
            session__first_day__lte=end,
            session__cancelled=False,
        )
        .values("employment__facility__name", "session__course__grants__competence__name", "session__course__name")
        .annotate(
            people=Count("employee", distinct=True),
            done=Count("employee", distinct=True, filter=Q(status__in=DONE_BOOKINGS)),
        )
        .order_by()
    )
    per: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        topic = row["session__course__grants__competence__name"] or row["session__course__name"]
        counts = per[row["employment__facility__name"]][topic]
        counts[0] = max(counts[0], row["people"])
        counts[1] = max(counts[1], row["done"])
    return {
        facility: sorted(((t, c[0], c[1]) for t, c in topics.items()), key=lambda x: (-x[1], x[0]))
        for facility, topics in sorted(per.items())
    }


def _topic_blocks(topics: dict[str, list[tuple[str, int, int]]], period_label: str) -> list[Any]:
    if not topics:
        return [Paragraph(f"Der er ikke registreret kursusdeltagelse i {period_label}.")]
    blocks: list[Any] = [
        Paragraph(
            f"I {period_label} anvendes kompetencemidlerne til at styrke tilbuddenes kompetencer i forhold til "
            "bl.a. følgende emner (medarbejdere på kursus, heraf gennemført):"
        )
    ]
    if len(topics) <= MAX_TOPIC_FACILITIES:
        for facility, items in topics.items():
            blocks.append(SubHeading(facility))
            blocks.append(
                BulletList([f"{topic} ({people(n)}, heraf {done} gennemført)" for topic, n, done in items[:MAX_TOPICS]])
            )
        return blocks
    rows = [Row([facility, topic, people, done]) for facility, items in topics.items() for topic, people, done in items]
    blocks.append(
        Table(
            columns=[
                Column("Tilbud"),
                Column("Emne"),
                Column("Medarbejdere", CellKind.NUMBER),
                Column("Gennemført", CellKind.NUMBER),
            ],
            rows=rows,
            caption="Emner for kompetenceudviklingen pr. tilbud",
            sheet_name="Emner",
        )
    )
    return blocks


# --- coverage ----------------------------------------------------------------------------


def _aggregate(rows: list[coverage.CoverageRow]) -> list[tuple[Requirement, coverage.Counts, Decimal | None]]:
    per: dict[int, tuple[Requirement, coverage.Counts]] = {}
    for row in rows:
        _req, counts = per.setdefault(row.requirement.pk, (row.requirement, coverage.Counts()))
        counts.add(row.counts)
    result = [(req, counts, coverage.share_of(counts, req.is_fte_based)) for req, counts in per.values()]
    result.sort(key=lambda r: (r[0].priority, r[0].name))
    return result


def _history_months(start: dt.date, on: dt.date) -> int:
    """How many months back the history line goes: the period asked for, at least a year, at most three."""
    months = (on.year - start.year) * 12 + on.month - start.month
    return max(12, min(HISTORY_MONTHS_MAX, months))


def _coverage_chart(
    requirement: Requirement, label: str, facilities: QuerySet[Facility], on: dt.date, start: dt.date, today: dt.date
) -> Any:
    """Coverage over the period up to ``on`` (its end, or the document date while it runs) as history; a
    forecast only from the document date on. A period already over has no forecast: the months after
    it have happened, and the history of the period ends where the table's "pr." date does."""
    history = coverage.history(requirement, facilities, on, months=_history_months(start, on))
    points = [{"month": p.on, "share": p.share, "series": "Historik"} for p in history]
    if on >= today:
        # With the courses booked and planned, as the requirement's page forecasts it (without them the
        # paper's line stayed flat while the page's rose with nine seats booked).
        planned = planned_completions(requirement, facilities, today)
        ahead = coverage.forecast(requirement, facilities, today, planned=planned)
        points += [{"month": p.on, "share": p.share, "series": "Prognose"} for p in ahead]
        chart = lib_charts.coverage_chart(points, requirement.target, width=560, height=230)
    else:
        chart = _history_only(lib_charts.coverage_chart(points, requirement.target, width=560, height=230))
    return document_chart(chart, f"Dækning over tid: {label}")


def _history_only(chart: Any) -> Any:
    """The legend without "Prognose" for a chart that has none (``lib.charts.coverage_chart`` always lists
    both series); left as it is should the chart be built differently."""
    try:
        encoding = chart.layer[0].encoding
        for channel in (encoding.color, encoding.strokeDash):
            scale = channel["scale"]
            scale["domain"] = list(scale["domain"])[:1]
            scale["range"] = list(scale["range"])[:1]
    except (AttributeError, KeyError, IndexError, TypeError):  # pragma: no cover - another chart layout
        pass
    return chart


def _coverage_blocks(
    aggregated: list[tuple[Requirement, coverage.Counts, Decimal | None]],
    rows: list[coverage.CoverageRow],
    facilities: QuerySet[Facility],
    request: ReportRequest,
    appendix: list[Table],
) -> list[Any]:
    today = request.today or local_today()
    on = min(request.period.end, today)
    single_facility = request.scope.kind == ScopeKind.FACILITY
    if not aggregated:
        return [Paragraph("Der er ikke fastsat kompetencekrav, som gælder for tilbuddene.")]
    met = sum(1 for req, _counts, share in aggregated if share is not None and share >= req.target)
    pending = sum(1 for req, counts, share in aggregated if share is None and counts.not_yet_due)
    intro = f"Pr. {format_date(on)} er målet nået for {met} af {len(aggregated)} kompetencekrav."
    if pending:
        intro += (
            f" {pending} kompetencekrav kan endnu ikke gøres op, fordi ingen i målgruppen har nået deres frist "
            "efter ansættelsen eller har kompetencen."
        )
    blocks: list[Any] = [Paragraph(f"{intro} Tabellen viser andelen, der opfylder hvert krav, mod kravets mål.")]
    # Two facilities often have a requirement of the same name: such names say whose it is.
    names = Counter(req.name for req, _counts, _share in aggregated)
    labels = {
        req.pk: f"{req.name} ({req.scope_text()})" if names[req.name] > 1 else req.name for req, _c, _s in aggregated
    }
    table_rows = []
    for req, counts, share in aggregated:
        status = coverage.status_for(share, req.target, counts.not_yet_due)
        table_rows.append(Row([labels[req.pk], req.target, share, _complying(counts), STATUS_TEXT[status]]))
    any_pending = any(counts.not_yet_due for _req, counts, _share in aggregated)
    blocks.append(
        Table(
            columns=[
                Column("Kompetencekrav"),
                Column("Mål", CellKind.PERCENT),
                Column("Dækning", CellKind.PERCENT, 1),
                Column("Opfylder", CellKind.TEXT),
                Column("Status"),
            ],
            rows=table_rows,
            caption=f"Dækning af kompetencekravene pr. {format_date(on)}",
            note="Kilde: Styrbord, kompetencekrav og medarbejdernes kompetencer. Mål og dækning i procent af "
            "personer (eller årsværk, hvor kravet er sat i årsværk)." + (f" {NOT_YET_DUE_NOTE}" if any_pending else ""),
            sheet_name="Dækning",
        )
    )
    main = next((req for req, counts, _share in aggregated if counts.in_scope), None)
    if main is not None:
        blocks.append(_coverage_chart(main, labels[main.pk], facilities, on, request.period.start, today))
    if not single_facility and rows:
        # Those not yet due get a column of their own only where there are any (the share is without them).
        pending_column = any(r.not_yet_due for r in rows)
        columns = [
            Column("Tilbud"),
            Column("Kompetencekrav"),
            Column("Mål", CellKind.PERCENT),
            Column("Dækning", CellKind.PERCENT, 1),
            Column("I målgruppen", CellKind.NUMBER),
            Column("Opfylder", CellKind.NUMBER),
        ]
        if pending_column:
            columns.append(Column("Endnu ikke forfaldne", CellKind.NUMBER))
        per_facility = Table(
            columns=columns,
            rows=[
                Row(
                    [r.facility.name, r.requirement.name, r.target, r.share, r.in_scope, r.compliant]
                    + ([r.not_yet_due] if pending_column else [])
                )
                for r in rows
            ],
            caption="Dækning pr. tilbud og krav",
            note=NOT_YET_DUE_NOTE if pending_column else "",
            sheet_name="Dækning pr. tilbud",
        )
        if len(rows) <= PER_FACILITY_ROWS_IN_TEXT:
            blocks.append(per_facility)
        else:
            blocks.append(
                Paragraph("Dækningen pr. tilbud og krav fremgår af bilag 1 (regnearket med de underliggende tal).")
            )
            appendix.append(per_facility)
    return blocks


def _complying(counts: coverage.Counts) -> str:
    """The table's "Opfylder": "3 af 5" of those measured, and those not yet due apart ("1 af 2 (3 endnu
    ikke forfaldne)"; "3 endnu ikke forfaldne" when nobody is measured yet)."""
    if not counts.not_yet_due:
        return f"{counts.compliant} af {counts.measured}"
    pending = f"{counts.not_yet_due} endnu ikke {'forfalden' if counts.not_yet_due == 1 else 'forfaldne'}"
    if not counts.measured:
        return pending
    return f"{counts.compliant} af {counts.measured} ({pending})"


# --- spending ----------------------------------------------------------------------------


def _grants(request: ReportRequest, facilities: QuerySet[Facility]) -> list[Grant]:
    q = Q(facility__in=facilities)
    if request.scope.kind == ScopeKind.MUNICIPALITY:
        q |= Q(municipality=request.scope.obj)
    return list(
        Grant.objects.filter(q, status__in=(Grant.Status.APPROVED, Grant.Status.CLOSED))
        .filter(pool__period_start__lte=request.period.end, pool__period_end__gte=request.period.start)
        .select_related("pool", "pool__grantor", "facility", "municipality")
        .order_by(collated("pool__name"), collated("facility__name"), "id")
    )


def _pool_span(grants: list[Grant]) -> str:
    """The pools' whole project period in years ("2025–2027"): what the spending figures cover."""
    first = min(g.pool.period_start.year for g in grants)
    last = max(g.pool.period_end.year for g in grants)
    return str(first) if first == last else f"{first}–{last}"


def _spending_period(grants: list[Grant], today: dt.date) -> str:
    """ "i hele projektperioden 2025–2027 til og med 23-11-2026": the ledger is not cut at the asked
    period. A project period that has not begun says so ("... 2027 til og med 06-12-2026" read as
    if 2027 were over)."""
    first_start = min(g.pool.period_start for g in grants)
    if today < first_start:
        return (
            f"i projektperioden {_pool_span(grants)}, der begynder {format_date(first_start)} "
            f"(opgjort {format_date(today)})"
        )
    return f"i hele projektperioden {_pool_span(grants)} til og med {format_date(today)}"


def _spending_blocks(grants: list[Grant], balances: dict[int, Balances], today: dt.date) -> list[Any]:
    if not grants:
        return [Paragraph("Der er ingen tilsagn om puljemidler til kompetenceudvikling i perioden.")]
    total = Balances()
    rows: list[Row] = []
    current_pool = None
    for grant in grants:
        if grant.pool_id != current_pool:
            current_pool = grant.pool_id
            grantor = f" ({grant.pool.grantor.name})" if grant.pool.grantor_id else ""  # type: ignore[union-attr]
            rows.append(Row([f"{grant.pool.name}{grantor}"], RowKind.GROUP))
        b = balances[grant.pk]
        total = total + b
        rows.append(Row([grant.recipient_name, b.amount, b.actual, b.open_commitments, b.remaining, b.used_percent]))
    used_percent = (total.used * 100 / total.amount).quantize(Decimal("0.1")) if total.amount else ZERO
    rows.append(
        Row(["I alt", total.amount, total.actual, total.open_commitments, total.remaining, used_percent], RowKind.TOTAL)
    )
    text = (
        f"Der er givet tilsagn om i alt {mio(total.amount)}, hvoraf {mio(total.actual)} er brugt og "
        f"{mio(total.open_commitments)} disponeret og planlagt til tilmeldte og planlagte kurser "
        f"{_spending_period(grants, today)}. Der er således {mio(total.remaining)} tilbage."
    )
    if total.remaining < 0:
        text += " Tilsagnene er dermed overskredet."
    # Whole kroner when every amount is; else kroner and øre, so the rows add up to the total as
    # printed (11.721 + 100.784 read 112.505 against a total of 112.504, each rounded on its own).
    amounts = [v for row in rows if row.kind != RowKind.GROUP for v in row.cells[1:5]]
    places = 0 if all(v == v.to_integral_value() for v in amounts) else 2
    return [
        Paragraph(text),
        Table(
            columns=[
                Column("Pulje og modtager"),
                Column("Tilsagn (kr.)", CellKind.AMOUNT, places),
                Column("Brugt (kr.)", CellKind.AMOUNT, places),
                # The ledger's planned (forecast) and committed balances, as the grantor package's
                # "Disponeret og planlagt": the pool page shows them apart.
                Column("Disponeret og planlagt (kr.)", CellKind.AMOUNT, places),
                Column("Rest (kr.)", CellKind.AMOUNT, places),
                Column("Anvendt", CellKind.PERCENT, 1),
            ],
            rows=rows,
            caption="Forbrug af puljemidler",
            note="Kilde: Styrbord, puljernes regnskab (bogførte udgifter, disponeringer og planlagte udgifter "
            f"{_spending_period(grants, today)}). Anvendt: brugt, disponeret og planlagt i procent af tilsagnet.",
            sheet_name="Forbrug",
        ),
    ]


# --- the supervisory authority's findings ---------------------------------------------------


def _supervisory_blocks(
    requirements: list[Requirement], rows: list[coverage.CoverageRow], facilities: QuerySet[Facility], on: dt.date
) -> list[Any]:
    singled_out = [r for r in requirements if r.source_kind in SUPERVISORY]
    if not singled_out:
        return [
            Paragraph("Ingen tilbud har aktuelt påbud eller henstillinger fra Socialtilsynet om kompetenceudvikling.")
        ]
    blocks: list[Any] = []
    for req in singled_out:
        req_rows = [r for r in rows if r.requirement.pk == req.pk]
        names = join_da(sorted({r.facility.name for r in req_rows}, key=sort_key)) or req.scope_text()
        kind = "et påbud" if req.source_kind == SourceKind.ORDER else "en henstilling"
        competence_ids = [c.pk for c in req.competences.all()]
        upcoming = (
            Booking.objects.filter(
                employment__facility__in=facilities.filter(pk__in=[r.facility.pk for r in req_rows]),
                status__in=UPCOMING_BOOKINGS,
                session__course__grants__competence__in=competence_ids,
                session__first_day__gte=on,
                session__cancelled=False,
            )
            .values("session__course__name", "status")
            .annotate(people=Count("employee", distinct=True))
            .order_by(collated("session__course__name"))
        )
        booked = sum(u["people"] for u in upcoming if u["status"] == BookingStatus.BOOKED)
        planned = sum(u["people"] for u in upcoming if u["status"] == BookingStatus.PLANNED)
        courses = sorted({u["session__course__name"] for u in upcoming}, key=sort_key)
        counts = coverage.Counts()
        for r in req_rows:
            counts.add(r.counts)
        share = coverage.share_of(counts, req.is_fte_based)
        source = f" ({req.source_reference.rstrip('.')})" if req.source_reference else ""
        text = (
            f"I prioriteringen af kompetencemidler er der et særligt fokus på {names}. Det bunder i {kind} fra "
            f"Socialtilsynet{source}, som ligger til grund for kravet ”{req.name}”."
        )
        status = _status_sentence(req, counts, share, on)
        if booked or planned:
            action = f"For at indfri kravet er {_signed_up(booked, planned)} {join_da(courses)}."
        else:
            action = (
                "Der er endnu ikke tilmeldt eller planlagt kurser, der giver kompetencen; det indgår i den "
                "videre planlægning."
            )
        blocks.append(Paragraph(f"{text} {status} {action}"))
    return blocks


def _status_sentence(req: Requirement, counts: coverage.Counts, share: Decimal | None, on: dt.date) -> str:
    """How many comply, of those measured, against the target and its deadline; people not yet due
    (lacking the competence before their own deadline after hire) are told apart, never as complying."""
    day = format_date(on)
    if not counts.measured and counts.not_yet_due:
        if counts.not_yet_due == 1:
            who = "den ene medarbejder i målgruppen har ikke kompetencen endnu, men har heller ikke nået sin frist"
        else:
            who = (
                f"ingen af de {people(counts.not_yet_due)} i målgruppen har kompetencen endnu, men ingen af dem "
                "har nået deres frist"
            )
        ahead = req.deadline is not None and req.deadline >= on
        return f"Pr. {day} kan kravet endnu ikke gøres op: {who} efter ansættelsen" + (
            f", og fristen er {format_date(req.deadline)}." if ahead and req.deadline else "."
        )
    status = f"Pr. {day} opfylder {counts.compliant} af {people(counts.measured)} kravet"
    if share is not None:
        status += f" ({format_percent(share, 1)} mod et mål på {format_percent(req.target)})"
    status += _deadline_text(req.deadline, on, share is not None and share >= req.target)
    if counts.not_yet_due:
        n = counts.not_yet_due
        status += (
            f" Desuden har {people(n)} endnu ikke kompetencen, men har heller ikke nået "
            f"{'sin' if n == 1 else 'deres'} frist efter ansættelsen og tæller ikke med i andelen."
        )
    return status


def _deadline_text(deadline: dt.date | None, on: dt.date, met: bool) -> str:
    """The sentence's end: a deadline still ahead, one passed with the target met, or one missed."""
    if deadline is None:
        return "."
    if deadline >= on:
        return f", og fristen er {format_date(deadline)}."
    if met:
        return f". Fristen var {format_date(deadline)}."
    return f", og fristen {format_date(deadline)} er overskredet."


def _signed_up(booked: int, planned: int) -> str:
    """ "1 medarbejder tilmeldt", "2 medarbejdere planlagt til", or both, never "0 planlagt"."""
    parts = []
    if booked:
        parts.append(f"{people(booked)} tilmeldt")
    if planned:
        parts.append(f"{people(planned) if not booked else planned} planlagt")
    return join_da(parts) + " til"


def build(request: ReportRequest, progress: Progress) -> CommitteeItem:
    """The status item: topics, coverage, spending and the supervisory authority's findings."""
    facilities, scope_name = _facilities(request)
    today = request.today or local_today()
    on = min(request.period.end, today)
    period = request.period.label

    progress(10, _("Finder kursusaktiviteten"))
    topics = _topics(facilities, request.period.start, request.period.end)
    progress(30, _("Beregner dækningen af kompetencekravene"))
    requirements = list(coverage.requirements_for(facilities))
    rows = coverage.coverage_for(requirements, on=on, facilities=facilities)
    aggregated = _aggregate(rows)
    progress(60, _("Henter forbruget af puljemidler"))
    grants = _grants(request, facilities)
    balances = balances_by_grant(grants)
    progress(75, _("Skriver dokumentet"))

    appendix: list[Table] = []
    sections = [
        Section("Beskrivelse af sagen").add(
            f"Sagen giver status på kompetenceudviklingen i {scope_name} i {period}: hvilke emner der arbejdes med, "
            "hvor langt tilbuddene er fra målene i kompetencekravene, hvordan puljemidlerne er brugt, og hvad der "
            "gøres ved Socialtilsynets påbud og henstillinger.",
            *_topic_blocks(topics, period),
        ),
        Section("Dækning af kompetencekrav").add(*_coverage_blocks(aggregated, rows, facilities, request, appendix)),
        Section("Forbrug af puljemidler").add(*_spending_blocks(grants, balances, today)),
        Section("Tilbud med påbud eller henstillinger fra Socialtilsynet").add(
            *_supervisory_blocks(requirements, rows, facilities, on)
        ),
    ]
    met = sum(1 for req, _counts, share in aggregated if share is not None and share >= req.target)
    summary = (
        f"Status på kompetenceudviklingen i {scope_name} i {period}. Målet er nået for {met} af {len(aggregated)} "
        "kompetencekrav"
    )
    total_amount = sum((balances[g.pk].amount for g in grants), ZERO)
    if grants:
        used = sum((balances[g.pk].used for g in grants), ZERO)
        summary += (
            f", og {mio(used)} af {mio(total_amount)} i puljemidler er brugt, disponeret eller planlagt "
            f"{_spending_period(grants, today)}"
        )
    summary += "."
    committee = request.option("committee")
    return CommitteeItem(
        heading=request.option("heading", f"Orientering om status på kompetenceudvikling i {scope_name} {period}"),
        municipality=str(request.scope.municipality or ""),
        department=request.option("department"),
        case_number=request.option("case_number"),
        case_type=CaseType.INFORMATION,
        route=request.option("route", committee),
        committee=committee,
        document_date=request.today,
        summary=[summary],
        sections=sections,
        economy=Section("Økonomiske konsekvenser").add(
            "Der er ingen økonomiske konsekvenser ud over det, der er anført ovenfor. Kompetenceudviklingen "
            "finansieres af puljemidlerne og tilbuddenes egne budgetter."
        ),
        recommender=request.option("recommender", "Administrationen"),
        recommendations=["orienteringen om status på kompetenceudvikling tages til efterretning."],
        appendices=[_("Underliggende tal (regneark)")],
        extra_sheets=appendix,
        document_type="competence_status",
        file_stem="kompetencestatus",
    )


COMPETENCE_STATUS = register(
    DocumentType(
        key="competence_status",
        name=gettext_lazy("Status på kompetenceudvikling"),
        description=gettext_lazy(
            "Orientering til udvalget: emner, dækning af kompetencekrav, forbrug af puljemidler og opfølgning på "
            "Socialtilsynets påbud og henstillinger."
        ),
        scope_kinds=(ScopeKind.MUNICIPALITY, ScopeKind.FACILITY),
        roles=frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE, Role.FACILITY_MANAGER}),
        role_scope_kinds={Role.FACILITY_MANAGER: (ScopeKind.FACILITY,)},
        build=build,
    )
)
