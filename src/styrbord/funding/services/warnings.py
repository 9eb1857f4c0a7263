"""Funding warnings: what a finance officer should act on before the grantor asks.

- repayment risk: spending projected linearly to the period end leaves money unspent
  (unspent funds are repaid; under the pool's waiver limit, 500 kr., they are not);
- overspend: actual + open commitments above the grant;
- a budget line deviating more than the grantor allows without prior approval (10 % / 100.000 kr.);
- report deadlines within 30 days, or overdue;
- costs in a category the pool does not cover;
- money committed for seats of people whose employment ends before their course does;
- money still held for seats that will not be used: cancelled bookings not posted yet, and
  planned bookings on courses that have begun without them being booked;
- seats whose costs changed while the grant could not take the new amount: the grant still holds
  the old charge (the grant's page lists them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from styrbord.accounts.permissions import LIST, can
from styrbord.funding.models import FundingSplit, Grant, LedgerEntry, Pool, ReportingDeadline
from styrbord.funding.services.balances import Balances, balances_for, budget_vs_actual
from styrbord.funding.services.ledger import category_label
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date, format_kr, format_ore, format_percent
from styrbord.lib.money import ZERO, round_money, to_money

DEADLINE_NOTICE_DAYS = 30
# Projecting the spending rate needs some history: no repayment forecast in the first three months.
MIN_DAYS_FOR_PROJECTION = 90


class Severity(models.TextChoices):
    """Matches the badge classes: badge-info, badge-warn, badge-bad."""

    INFO = "info", gettext_lazy("Til orientering")
    WARNING = "warn", gettext_lazy("Advarsel")
    CRITICAL = "bad", gettext_lazy("Kritisk")


class WarningKind(models.TextChoices):
    REPAYMENT_RISK = "repayment_risk", gettext_lazy("Risiko for tilbagebetaling")
    OVERSPEND = "overspend", gettext_lazy("Overforbrug")
    BUDGET_DEVIATION = "budget_deviation", gettext_lazy("Budgetafvigelse")
    DEADLINE = "deadline", gettext_lazy("Rapporteringsfrist")
    INELIGIBLE_COST = "ineligible_cost", gettext_lazy("Udgift puljen ikke dækker")
    AFTER_EMPLOYMENT = "after_employment", gettext_lazy("Booking efter ansættelsens ophør")
    UNUSED_SEATS = "unused_seats", gettext_lazy("Penge bundet til pladser, der ikke bruges")
    OVERPAID = "overpaid", gettext_lazy("Modtaget mere end tilsagnet")
    RECHARGE_REFUSED = "recharge_refused", gettext_lazy("Nye udgifter tilsagnet ikke kunne tage")


@dataclass(frozen=True)
class FundingWarning:
    """One warning: what kind, how serious, a Danish message, and the object it is about."""

    kind: str
    severity: str
    message: str
    obj: Any

    @property
    def kind_label(self) -> str:
        return str(WarningKind(self.kind).label)

    @property
    def about(self) -> str:
        """What the warning is about, short enough to lead a line in a list of warnings from
        several grants: the grant's recipient (and pool), or the deadline's pool."""
        if isinstance(self.obj, Grant):
            return f"{self.obj.recipient_name} ({self.obj.pool.name})"
        if isinstance(self.obj, ReportingDeadline):
            return str(self.obj.pool.name)
        return ""

    @property
    def recipient(self) -> str:
        """The grant's recipient, to tell a pool's warnings apart; "" for a pool's own deadline."""
        return str(self.obj.recipient_name) if isinstance(self.obj, Grant) else ""

    @property
    def about_url(self) -> str:
        if isinstance(self.obj, Grant):
            return reverse("funding:grant_detail", args=[self.obj.pk])
        if isinstance(self.obj, ReportingDeadline):
            return reverse("funding:pool_detail", args=[self.obj.pool_id])
        return ""


def projected_spend(grant: Grant, balances: Balances, today: dt.date) -> Decimal | None:
    """Expected spending at the period end: the spending rate so far, continued in a straight line,
    but never less than what is already spent or committed. None while there is too little history."""
    pool = grant.pool
    elapsed = (min(today, pool.period_end) - pool.period_start).days + 1
    if elapsed < MIN_DAYS_FOR_PROJECTION:
        return None
    total_days = (pool.period_end - pool.period_start).days + 1
    to_date = (
        LedgerEntry.objects.filter(grant=grant, balance__in=LedgerEntry.SPENDING, posted_on__lte=today).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    linear = round_money(to_money(to_date) * total_days / elapsed)
    return max(linear, balances.used)


def _after_period(grant: Grant) -> list[FundingWarning]:
    """After the period: what is not spent is repaid. Costs of the period that are committed or
    planned but not yet posted (invoices arrive after the period) are not counted as repaid: they
    are to be posted, or released, before the grant accounts."""
    pool = grant.pool
    period = balances_for(grant, within_period=True)
    unspent = grant.amount - period.actual
    if pool.repayment_due(unspent) <= 0:
        return []
    values = {"end": format_date(pool.period_end), "unspent": format_kr(unspent)}
    pending = min(period.open_commitments, unspent) if period.open_commitments > 0 else ZERO
    if not pending:
        message = _("Projektperioden sluttede %(end)s. %(unspent)s af tilsagnet er ikke brugt og skal tilbagebetales.")
        return [FundingWarning(WarningKind.REPAYMENT_RISK, Severity.CRITICAL, message % values, grant)]
    due = pool.repayment_due(unspent - pending)
    values |= {"pending": format_kr(pending), "due": format_kr(due)}
    if due > 0:
        message = _(
            "Projektperioden sluttede %(end)s. %(unspent)s af tilsagnet er ikke bogført som forbrug. Heraf er "
            "%(pending)s disponeret eller planlagt i perioden: bogfør de udgifter, der er afholdt, og frigiv "
            "resten før tilskudsregnskabet. Selv hvis alt det disponerede bogføres, skal %(due)s tilbagebetales."
        )
    else:
        message = _(
            "Projektperioden sluttede %(end)s. %(unspent)s af tilsagnet er ikke bogført som forbrug, men "
            "disponeret eller planlagt i perioden: bogfør de udgifter, der er afholdt, før tilskudsregnskabet. "
            "Det, der ikke bogføres, skal tilbagebetales."
        )
    severity = Severity.CRITICAL if due > 0 else Severity.WARNING
    return [FundingWarning(WarningKind.REPAYMENT_RISK, severity, message % values, grant)]


def _repayment(grant: Grant, balances: Balances, today: dt.date) -> list[FundingWarning]:
    pool = grant.pool
    if pool.kind == Pool.Kind.MUNICIPAL_BUDGET:
        return []  # the municipality's own money: nothing is repaid to anyone
    if today > pool.period_end:
        return _after_period(grant)
    projected = projected_spend(grant, balances, today)
    if projected is None:
        return []
    unspent = grant.amount - projected
    due = pool.repayment_due(unspent)
    if due <= 0:
        return []
    share = (due * 100 / grant.amount) if grant.amount else ZERO
    severity = Severity.CRITICAL if share >= 25 else Severity.WARNING
    message = _(
        "Med det nuværende forbrug ventes %(due)s (%(share)s) af tilsagnet at være ubrugt ved periodens slut "
        "%(end)s og skal i så fald tilbagebetales."
    ) % {
        "due": format_kr(due),
        "share": format_percent(share.quantize(Decimal("1"))),
        "end": format_date(pool.period_end),
    }
    return [FundingWarning(WarningKind.REPAYMENT_RISK, severity, message, grant)]


def _overspend(grant: Grant, balances: Balances) -> list[FundingWarning]:
    if balances.used <= grant.amount:
        return []
    message = _("Tilsagnet er overtrukket: forbrug og disponeringer er %(used)s mod et tilsagn på %(amount)s") % {
        "used": format_kr(balances.used),
        "amount": format_kr(grant.amount),
    }
    return [FundingWarning(WarningKind.OVERSPEND, Severity.CRITICAL, message, grant)]


def _overpaid(grant: Grant, balances: Balances) -> list[FundingWarning]:
    """More received from the grantor than the grant: a payment typed twice, or money to send back."""
    if balances.income <= grant.amount:
        return []
    message = _(
        "Der er modtaget %(income)s fra tilskudsgiver mod et tilsagn på %(amount)s: %(excess)s for meget. "
        "Ret indtægten, hvis den er bogført forkert, ellers skal beløbet tilbagebetales."
    ) % {
        "income": format_ore(balances.income),
        "amount": format_ore(grant.amount),
        "excess": format_ore(balances.income - grant.amount),
    }
    return [FundingWarning(WarningKind.OVERPAID, Severity.WARNING, message, grant)]


def _budget_deviation(grant: Grant, today: dt.date) -> list[FundingWarning]:
    rows = budget_vs_actual(grant)
    if not any(row.budget for row in rows):
        return []  # no approved budget by line to deviate from
    pool = grant.pool
    warnings = []
    for row in rows:
        # Above the line at any time; below it only once the year is over.
        over = row.deviation > 0
        if not over and row.year >= today.year:
            continue
        if not pool.needs_prior_approval(row.budget, row.used):
            continue
        percent = (abs(row.deviation) * 100 / row.budget).quantize(Decimal("1")) if row.budget else None
        if row.year >= today.year:
            # Still open (and over: an open year's underspend may yet be spent): the change can be
            # approved before the money is spent.
            text = _(
                "Budgetlinjen %(line)s %(year)s bruger %(amount)s%(percent)s mere end det godkendte budget "
                "(%(budget)s). Ændringer over %(limit_pct)s eller %(limit_kr)s kræver tilskudsgivers "
                "forudgående godkendelse."
            )
        elif over:
            text = _(
                "Budgetlinjen %(line)s %(year)s blev overskredet med %(amount)s%(percent)s i forhold til det "
                "godkendte budget (%(budget)s). Det er over grænsen på %(limit_pct)s eller %(limit_kr)s: "
                "afvigelsen skal godkendes af tilskudsgiver og forklares i tilskudsregnskabet."
            )
        else:
            # A closed year's underspend: nothing to approve beforehand, but the accounts explain it.
            text = _(
                "Budgetlinjen %(line)s %(year)s brugte %(amount)s%(percent)s mindre end det godkendte budget "
                "(%(budget)s). Det er over grænsen på %(limit_pct)s eller %(limit_kr)s: afvigelsen skal "
                "forklares i tilskudsregnskabet."
            )
        message = text % {
            "line": row.label,
            "year": row.year,
            "amount": format_kr(abs(row.deviation)),
            "percent": f" ({format_percent(percent)})" if percent is not None else "",
            "budget": format_kr(row.budget),
            "limit_pct": format_percent(pool.budget_change_percent.normalize()),
            "limit_kr": format_kr(pool.budget_change_amount),
        }
        severity = Severity.CRITICAL if over else Severity.WARNING
        warnings.append(FundingWarning(WarningKind.BUDGET_DEVIATION, severity, message, grant))
    return warnings


def _ineligible(grant: Grant) -> list[FundingWarning]:
    pool = grant.pool
    warnings = []
    charged = (
        LedgerEntry.objects.filter(grant=grant, balance__in=LedgerEntry.SPENDING)
        .values_list("category")
        .annotate(total=Sum("amount"))
        .order_by("category")
    )
    for category, total in charged:
        if total and not pool.covers(category):
            message = _("Tilsagnet er belastet med %(amount)s til %(category)s, som puljen ikke dækker.") % {
                "amount": format_kr(total),
                "category": category_label(category),
            }
            warnings.append(FundingWarning(WarningKind.INELIGIBLE_COST, Severity.CRITICAL, message, grant))
    # Costs of bookings funded by the grant that the pool does not cover fall on the facility's own budget.
    from styrbord.training.models import BookingCost

    booked = (
        BookingCost.objects.filter(booking__in=FundingSplit.objects.filter(grant=grant).values("booking"))
        .values_list("category")
        .annotate(total=Sum("amount"))
        .order_by("category")
    )
    for category, total in booked:
        if total and not pool.covers(category):
            message = _(
                "Bookinger finansieret af tilsagnet har udgifter til %(category)s på %(amount)s, som puljen ikke "
                "dækker. De betales af tilbuddets eget budget."
            ) % {"amount": format_kr(total), "category": category_label(category)}
            warnings.append(FundingWarning(WarningKind.INELIGIBLE_COST, Severity.INFO, message, grant))
    return warnings


def _after_employment(grant: Grant) -> list[FundingWarning]:
    """Money committed on the grant for seats on sessions that last beyond the employment they are
    booked for: the person has resigned (or moved) since; the seat should be cancelled or passed on."""
    from styrbord.training.models import Booking
    from styrbord.training.services import after_employment_ends

    found = (
        LedgerEntry.objects.filter(
            grant=grant,
            balance__in=LedgerEntry.OPEN_COMMITMENTS,
            booking__in=after_employment_ends(Booking.objects.all()).values("pk"),
        )
        .values("booking")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
    )
    count, amount = 0, ZERO
    for row in found:
        count += 1
        amount += row["total"]
    if not count:
        return []
    message = ngettext(
        "%(amount)s er disponeret til %(count)s booking på et hold, der slutter efter ansættelsens ophør. "
        "Afbestil pladsen i tide, eller giv den til en anden.",
        "%(amount)s er disponeret til %(count)s bookinger på hold, der slutter efter ansættelsens ophør. "
        "Afbestil pladserne i tide, eller giv dem til andre.",
        count,
    ) % {"amount": format_kr(amount), "count": count}
    return [FundingWarning(WarningKind.AFTER_EMPLOYMENT, Severity.WARNING, message, grant)]


def _unused_seats(grant: Grant, today: dt.date) -> list[FundingWarning]:
    """Money still held on the grant (forecast or committed, not posted) for seats that will not be
    used: bookings cancelled since they were charged, and planned bookings on sessions that have
    begun without being booked with the provider. Until it is posted or released, the money looks
    spent, and the grant looks fuller than it is."""
    from styrbord.training.models import Booking, BookingStatus
    from styrbord.training.services import planned_after_start

    unused = models.Q(booking__status=BookingStatus.CANCELLED) | models.Q(
        booking__in=planned_after_start(Booking.objects.all(), today).values("pk")
    )
    found = (
        LedgerEntry.objects.filter(unused, grant=grant, balance__in=LedgerEntry.OPEN_COMMITMENTS)
        .values("booking", "booking__status")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
    )
    cancelled, planned, amount = 0, 0, ZERO
    for row in found:
        if row["booking__status"] == BookingStatus.CANCELLED:
            cancelled += 1
        else:
            planned += 1
        amount += row["total"]
    if not cancelled + planned:
        return []
    parts = []
    if cancelled:
        parts.append(
            ngettext(
                "%(count)s afbestilt booking, der ikke er bogført (bogfør den, så afbestillingsgebyret står som "
                "forbrug og resten frigives)",
                "%(count)s afbestilte bookinger, der ikke er bogført (bogfør dem, så afbestillingsgebyrerne står "
                "som forbrug og resten frigives)",
                cancelled,
            )
            % {"count": cancelled}
        )
    if planned:
        parts.append(
            ngettext(
                "%(count)s planlagt booking på et hold, der er begyndt uden at den er tilmeldt (tilmeld den, hvis "
                "medarbejderen deltager, ellers afbestil den)",
                "%(count)s planlagte bookinger på hold, der er begyndt uden at de er tilmeldt (tilmeld dem, der "
                "deltager, og afbestil resten)",
                planned,
            )
            % {"count": planned}
        )
    message = _("%(amount)s er stadig disponeret til pladser, der ikke bruges: %(what)s.") % {
        "amount": format_kr(amount),
        "what": _(" og ").join(parts),
    }
    return [FundingWarning(WarningKind.UNUSED_SEATS, Severity.WARNING, message, grant)]


def _recharge_refused(grant: Grant) -> list[FundingWarning]:
    """Seats whose costs changed while the grant could not take the new amount (closed, full): it
    still holds their old charge until they are charged again (``follow_cost_change``)."""
    count = FundingSplit.objects.filter(grant=grant, recharge_refused_at__isnull=False).count()
    if not count:
        return []
    message = ngettext(
        "Tilsagnet holder stadig den gamle udgift for %(count)s plads, hvis udgifter er ændret, fordi "
        "tilsagnet ikke kunne tage de nye. Fordel pladsen igen fra tilsagnets side.",
        "Tilsagnet holder stadig de gamle udgifter for %(count)s pladser, hvis udgifter er ændret, fordi "
        "tilsagnet ikke kunne tage de nye. Fordel pladserne igen fra tilsagnets side.",
        count,
    ) % {"count": count}
    return [FundingWarning(WarningKind.RECHARGE_REFUSED, Severity.WARNING, message, grant)]


def grant_warnings(
    grant: Grant, today: dt.date | None = None, balances: Balances | None = None, *, user: Any = None
) -> list[FundingWarning]:
    """Every warning about one grant the reader may act on, most serious first.

    The warnings about bookings (a seat after the employment ends, money held for unused seats,
    seats whose new costs the grant refused) are the municipality's own housekeeping about its
    staff: only a reader who may see bookings gets them, so a grantor reads the grant's
    compliance, not who resigned (``user`` None: all)."""
    today = today or local_today()
    if grant.status != Grant.Status.APPROVED:
        return []
    balances = balances or balances_for(grant)
    found = _overspend(grant, balances) + _overpaid(grant, balances) + _repayment(grant, balances, today)
    found += _budget_deviation(grant, today) + _ineligible(grant)
    if user is None or can(user, LIST, "booking"):
        found += _after_employment(grant) + _unused_seats(grant, today) + _recharge_refused(grant)
    return sort_warnings(found)


def deadline_warnings(pools: Iterable[Pool], today: dt.date | None = None) -> list[FundingWarning]:
    """Open reporting deadlines that are overdue or due within 30 days."""
    today = today or local_today()
    horizon = today + dt.timedelta(days=DEADLINE_NOTICE_DAYS)
    deadlines = ReportingDeadline.objects.filter(
        pool__in=list(pools), done_on__isnull=True, due_date__lte=horizon
    ).select_related("pool")
    warnings = []
    for deadline in deadlines:
        values = {
            "kind": deadline.get_kind_display(),
            "pool": deadline.pool.name,
            "due": format_date(deadline.due_date),
        }
        if deadline.due_date < today:
            message = _("%(kind)s for %(pool)s skulle have været indsendt %(due)s.") % values
            warnings.append(FundingWarning(WarningKind.DEADLINE, Severity.CRITICAL, message, deadline))
        else:
            values["days"] = str((deadline.due_date - today).days)
            message = _("%(kind)s for %(pool)s skal indsendes senest %(due)s (om %(days)s dage).") % values
            warnings.append(FundingWarning(WarningKind.DEADLINE, Severity.WARNING, message, deadline))
    return warnings


def pool_warnings(
    pool: Pool, today: dt.date | None = None, grants: Iterable[Grant] | None = None
) -> list[FundingWarning]:
    """The pool's deadline warnings and the warnings of its grants (or the given ones)."""
    today = today or local_today()
    found = deadline_warnings([pool], today)
    for grant in grants if grants is not None else pool.grants.select_related("pool", "facility", "municipality"):
        found += grant_warnings(grant, today)
    return sort_warnings(found)


_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def sort_warnings(warnings: list[FundingWarning]) -> list[FundingWarning]:
    return sorted(warnings, key=lambda w: _ORDER.get(w.severity, 3))  # type: ignore[call-overload]
