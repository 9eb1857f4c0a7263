"""The grantor package: a status report and the grant accounts in the approved budget lines, with
the participant list and hours, as XLSX and DOCX. Only costs dated inside the project period count.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from styrbord.funding.ledger_export import AUTHOR_RELATIONS, entries_with_reversal_flag, ledger_sheet_by_recipient
from styrbord.funding.models import Grant, LedgerEntry, Pool
from styrbord.funding.services.balances import Balances, BudgetRow, balances_for, budget_vs_actual, period_filter
from styrbord.lib.collation import collated
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date, format_kr, format_number, format_percent
from styrbord.lib.money import ZERO, to_money
from styrbord.lib.spreadsheets import Sheet, write_xlsx
from styrbord.staff.models import JobGroup

DOCX_TEMPLATE = Path(__file__).parent / "templates" / "funding" / "docx" / "grantor_package.docx"


@dataclass(frozen=True)
class Participant:
    """One person on one course paid (in part) by the pool."""

    employee_id: int
    name: str
    job_group: str
    facility: str
    course: str
    first_day: dt.date | None
    last_day: dt.date | None
    hours: Decimal  # course hours inside the project period
    status: str
    amount: Decimal  # charged to the pool's grants inside the period
    took_part: bool  # attended or completed: planned, booked and no-shows list but do not count as taken part


@dataclass
class GrantAccount:
    """One grant's accounts: balances inside the period and budget vs actual per line and year."""

    grant: Grant
    balances: Balances
    rows: list[BudgetRow]

    @property
    def audit_level(self) -> str:
        return str(Pool.audit_level_for(self.grant.amount).label)

    @property
    def budget_total(self) -> Decimal:
        return sum((r.budget for r in self.rows), ZERO)

    @property
    def actual_total(self) -> Decimal:
        return sum((r.actual for r in self.rows), ZERO)

    @property
    def committed_total(self) -> Decimal:
        return sum((r.committed for r in self.rows), ZERO)

    @property
    def deviation_total(self) -> Decimal:
        """Spent and committed minus the budget, over the account's lines (as each line's deviation)."""
        return self.actual_total + self.committed_total - self.budget_total

    @property
    def unspent(self) -> Decimal:
        """The grant less what it has used, even if everything committed and planned is posted (0 at least)."""
        return max(self.grant.amount - self.balances.used, ZERO)


@dataclass
class GrantorPackage:
    pool: Pool
    accounts: list[GrantAccount]
    participants: list[Participant]
    generated_on: dt.date
    entries: list[LedgerEntry] = field(default_factory=list)

    @property
    def totals(self) -> Balances:
        total = Balances()
        for account in self.accounts:
            total = total + account.balances
        return total

    @property
    def period(self) -> str:
        return f"{format_date(self.pool.period_start)} – {format_date(self.pool.period_end)}"

    @property
    def hours(self) -> Decimal:
        """Course hours in the period of those who took part (attended or completed)."""
        return sum((p.hours for p in self.participants if p.took_part), Decimal("0"))

    @property
    def took_part_count(self) -> int:
        return len({p.employee_id for p in self.participants if p.took_part})

    @property
    def granted(self) -> Decimal:
        return sum((a.grant.amount for a in self.accounts), ZERO)

    @property
    def period_ended(self) -> bool:
        return self.generated_on > self.pool.period_end

    @property
    def unspent(self) -> Decimal:
        """What is left even if everything committed and planned is posted, over the grants."""
        return sum((a.unspent for a in self.accounts), ZERO)

    @property
    def own_money(self) -> bool:
        """The municipality's own budget pool: there is no grantor to repay."""
        return self.pool.kind == Pool.Kind.MUNICIPAL_BUDGET or self.pool.grantor_id is None

    @property
    def to_repay(self) -> Decimal:
        """What goes back to the grantor of that: per grant, as the pool's rule says (an amount under
        its waiver limit is waived); nothing from the municipality's own budget pool."""
        if self.own_money:
            return ZERO
        return sum((self.pool.repayment_due(a.unspent) for a in self.accounts), ZERO)

    def repayment_text(self) -> str:
        """The package's sentence on repayment once the period is over (Danish, as the package is)."""
        end = format_date(self.pool.period_end)
        if self.own_money:
            return f"Projektperioden sluttede {end}. Puljen er kommunens egne midler, så intet tilbagebetales."
        if self.to_repay > 0:
            return (
                f"Projektperioden sluttede {end}. Selv om alt disponeret og planlagt bogføres, "
                f"skal {format_kr(self.to_repay, 2)} tilbagebetales til tilskudsgiver."
            )
        if self.unspent > 0:
            return (
                f"Projektperioden sluttede {end}. Der er {format_kr(self.unspent, 2)} tilbage, men intet skal "
                f"tilbagebetales: puljen frafalder beløb under {format_kr(self.pool.repayment_waiver_limit, 2)}."
            )
        return f"Projektperioden sluttede {end}. Hele tilsagnet er brugt, så intet skal tilbagebetales."

    @property
    def employee_ids(self) -> list[int]:
        return sorted({p.employee_id for p in self.participants})


def _participants(pool: Pool, grants: list[Grant], today: dt.date) -> list[Participant]:
    from styrbord.training.models import Booking, BookingStatus

    charged = (
        LedgerEntry.objects.filter(grant__in=grants, balance__in=LedgerEntry.SPENDING, booking__isnull=False)
        .filter(period_filter())
        .values_list("booking_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    amounts = {booking_id: to_money(total) for booking_id, total in charged if total}
    in_period = Q(session__days__date__gte=pool.period_start, session__days__date__lte=pool.period_end)
    bookings = (
        Booking.objects.filter(pk__in=list(amounts))
        .select_related("employee", "employment__facility", "session__course")
        .annotate(hours=Sum("session__days__hours", filter=in_period))
        .order_by(collated("employment__facility__name"), collated("employee__name"), "session__first_day")
    )
    job_groups = dict(JobGroup.choices)
    return [
        Participant(
            employee_id=b.employee_id,
            name=b.employee.name,
            job_group=str(job_groups.get(b.employment.job_group, b.employment.job_group)),
            facility=b.employment.facility.name,
            course=str(b.session),
            first_day=b.session.first_day,
            last_day=b.session.last_day,
            hours=b.hours or Decimal("0"),  # type: ignore[attr-defined]
            status=b.status_on(today),  # "Tilmeldt, deltagelse ikke registreret" for a seat on a course held
            amount=amounts[b.pk],
            took_part=b.status in (BookingStatus.ATTENDED, BookingStatus.COMPLETED, BookingStatus.INCOMPLETE),
        )
        for b in bookings
    ]


def build_package(pool: Pool, grants: Iterable[Grant] | None = None, today: dt.date | None = None) -> GrantorPackage:
    """Collect the package for the pool's grants (or the given ones, e.g. those in a user's scope)."""
    grant_list = list(grants if grants is not None else pool.grants.all())
    grant_list = [g for g in grant_list if g.status != Grant.Status.REJECTED]
    accounts = [GrantAccount(g, balances_for(g, within_period=True), budget_vs_actual(g)) for g in grant_list]
    # Grouped by grant, in the accounts' order, each grant's entries oldest first.
    order = {g.pk: n for n, g in enumerate(grant_list)}
    entries = sorted(
        entries_with_reversal_flag(LedgerEntry.objects.filter(grant__in=grant_list))
        .filter(period_filter())
        .select_related(*AUTHOR_RELATIONS)
        .order_by("posted_on", "pk"),
        key=lambda e: order[e.grant_id],
    )
    today = today or local_today()
    return GrantorPackage(pool, accounts, _participants(pool, grant_list, today), today, entries)


# --- XLSX ------------------------------------------------------------------------------------


def _status_rows(pkg: GrantorPackage) -> list[list[Any]]:
    pool, totals = pkg.pool, pkg.totals
    rows: list[list[Any]] = [
        [_("Pulje"), pool.name],
        [_("Sagsnummer"), pool.case_number],
        [_("Tilskudsgiver"), pool.grantor.name if pool.grantor else ""],
        [_("Projektperiode"), pkg.period],
        [_("Formål"), pool.purpose],
        [_("Tilsagn i alt"), pkg.granted],
        [_("Forbrug (bogført)"), totals.actual],
        [_("Disponeret"), totals.committed],
        [_("Planlagt"), totals.forecast],
        [_("Modtaget fra tilskudsgiver"), totals.income],
        [_("Tilbage"), pkg.granted - totals.used],
        [_("Deltagere, der har gennemført eller deltaget"), pkg.took_part_count],
        [_("Kursustimer i perioden, gennemført eller deltaget"), pkg.hours],
        [_("Projektperioden er afsluttet"), _("Ja") if pkg.period_ended else _("Nej")],
    ]
    if pkg.period_ended:
        rows.append([_("Tilbagebetales, selv om alt disponeret og planlagt bogføres"), pkg.to_repay])
    rows.append([_("Dannet"), pkg.generated_on])
    for account in pkg.accounts:
        rows.append(
            [
                _("Tilsagn til %(recipient)s") % {"recipient": account.grant.recipient_name},
                account.grant.amount,
            ]
        )
        rows.append(
            [_("Revisionskrav for %(recipient)s") % {"recipient": account.grant.recipient_name}, account.audit_level]
        )
    return rows


def _account_rows(pkg: GrantorPackage) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for account in pkg.accounts:
        name = account.grant.recipient_name
        for row in account.rows:
            pct = (row.deviation * 100 / row.budget).quantize(Decimal("0.1")) if row.budget else None
            needs = account.grant.pool.needs_prior_approval(row.budget, row.used)
            rows.append(
                [
                    name,
                    row.label,
                    row.year,
                    row.budget,
                    row.actual,
                    row.committed,
                    row.deviation,
                    pct,
                    _("Ja") if needs else _("Nej"),
                ]
            )
        rows.append(
            [
                name,
                _("I alt"),
                None,
                account.budget_total,
                account.actual_total,
                account.committed_total,
                account.deviation_total,
                None,
                None,
            ]
        )
    return rows


def package_xlsx(pkg: GrantorPackage) -> bytes:
    """The package as a workbook: status, grant accounts, participants, and the entries with the
    balance each counts in and a total per balance per grant (the status report's figures)."""
    sheets = [
        Sheet(
            _("Statusrapport"), [_("Punkt"), _("Værdi")], _status_rows(pkg), money_columns={1}, column_widths=[40, 60]
        ),
        Sheet(
            _("Tilskudsregnskab"),
            [
                _("Modtager"),
                _("Budgetlinje"),
                _("År"),
                _("Budget"),
                _("Forbrug"),
                _("Disponeret og planlagt"),
                _("Afvigelse"),
                _("Afvigelse %"),
                _("Over grænsen for budgetændringer"),
            ],
            _account_rows(pkg),
            money_columns={3, 4, 5, 6},
        ),
        Sheet(
            _("Deltagere"),
            [
                _("Navn"),
                _("Faggruppe"),
                pgettext("one facility", "Tilbud"),
                _("Kursus"),
                _("Fra"),
                _("Til"),
                _("Timer"),
                _("Status"),
                _("Tilskud"),
            ],
            [
                [p.name, p.job_group, p.facility, p.course, p.first_day, p.last_day, p.hours, p.status, p.amount]
                for p in pkg.participants
            ],
            money_columns={8},
        ),
        # The municipality's bookkeeping goes to the grantor: who posted is the municipality.
        ledger_sheet_by_recipient(pkg.entries, people=False),
    ]
    return write_xlsx(sheets)


# --- DOCX ------------------------------------------------------------------------------------


def docx_context(pkg: GrantorPackage) -> dict[str, Any]:
    """Plain, already formatted values for the Word template: an account to the grantor, so every
    amount to the øre, and each table with its totals."""
    pool, totals = pkg.pool, pkg.totals
    granted = pkg.granted

    def kr(amount: Decimal) -> str:
        return format_kr(amount, 2)

    status_rows = [
        {
            "recipient": a.grant.recipient_name,
            "amount": kr(a.grant.amount),
            "actual": kr(a.balances.actual),
            "committed": kr(a.balances.open_commitments),
            "remaining": kr(a.grant.amount - a.balances.used),
            "audit": a.audit_level,
        }
        for a in pkg.accounts
    ]
    if len(pkg.accounts) > 1:
        status_rows.append(
            {
                "recipient": "I alt",
                "amount": kr(granted),
                "actual": kr(totals.actual),
                "committed": kr(totals.open_commitments),
                "remaining": kr(granted - totals.used),
                "audit": "",
            }
        )
    account_rows = []
    for a in pkg.accounts:
        for r in a.rows:
            account_rows.append(
                {
                    "recipient": a.grant.recipient_name,
                    "line": r.label,
                    "year": str(r.year),
                    "budget": kr(r.budget),
                    "actual": kr(r.actual),
                    "committed": kr(r.committed),
                    "deviation": kr(r.deviation),
                    "deviation_percent": format_percent((r.deviation * 100 / r.budget).quantize(Decimal("1")))
                    if r.budget
                    else "–",
                }
            )
        if a.rows:  # each recipient's account ends with its total, as in the XLSX
            account_rows.append(
                {
                    "recipient": a.grant.recipient_name,
                    "line": "I alt",
                    "year": "",
                    "budget": kr(a.budget_total),
                    "actual": kr(a.actual_total),
                    "committed": kr(a.committed_total),
                    "deviation": kr(a.deviation_total),
                    "deviation_percent": format_percent(
                        (a.deviation_total * 100 / a.budget_total).quantize(Decimal("1"))
                    )
                    if a.budget_total
                    else "–",
                }
            )
    participants = [
        {
            "name": p.name,
            "job_group": p.job_group,
            "facility": p.facility,
            "course": p.course,
            "dates": format_date(p.first_day)
            if p.first_day == p.last_day
            else f"{format_date(p.first_day)} – {format_date(p.last_day)}",
            "hours": format_number(p.hours, 1),
            "status": p.status,
        }
        for p in pkg.participants
    ]
    return {
        "pool_name": pool.name,
        "case_number": pool.case_number or "–",
        "grantor": pool.grantor.name if pool.grantor else "–",
        "period": pkg.period,
        "purpose": pool.purpose,
        "granted": kr(granted),
        "actual": kr(totals.actual),
        "committed": kr(totals.open_commitments),
        "income": kr(totals.income),
        "remaining": kr(granted - totals.used),
        "participant_count": str(pkg.took_part_count),
        # The Word template is Danish, as the grantor's forms are.
        "participants_text": f"{pkg.took_part_count} medarbejder{'' if pkg.took_part_count == 1 else 'e'}",
        "hours": format_number(pkg.hours, 1),
        "period_ended": pkg.period_ended,
        "period_end": format_date(pool.period_end),
        "to_repay": kr(pkg.to_repay),
        "repayment_text": pkg.repayment_text(),
        "generated_on": format_date(pkg.generated_on),
        "status_rows": status_rows,
        "account_rows": account_rows,
        "participants": participants,
    }


def package_docx(pkg: GrantorPackage) -> bytes:
    """The package as a Word document, filled from the template in templates/funding/docx/."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(DOCX_TEMPLATE))
    document.render(docx_context(pkg), autoescape=True)
    core = document.docx.core_properties  # not the template's ("python-docx", 2013)
    core.title = f"Statusrapport og tilskudsregnskab – {pkg.pool.name}"
    core.author = core.last_modified_by = "Styrbord"
    core.language = "da-DK"
    core.created = core.modified = timezone.now()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def by_recipient(pkg: GrantorPackage) -> dict[str, list[BudgetRow]]:
    """Budget rows per recipient name (for pages)."""
    grouped: dict[str, list[BudgetRow]] = defaultdict(list)
    for account in pkg.accounts:
        grouped[account.grant.recipient_name].extend(account.rows)
    return dict(grouped)
