"""Creating pools, grants (with budget lines) and appropriations (with their lines), with the checks
that span several rows: grants within the pool total, budget lines summing to the grant, and an
appropriation's lines within its pool (years in the period, the pool's own grants), a budget-neutral
one balancing in every year."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from styrbord.audit.services import log_action, snapshot
from styrbord.funding.models import (
    Appropriation,
    AppropriationLine,
    Grant,
    GrantBudgetLine,
    Pool,
    ReportingDeadline,
)
from styrbord.funding.models.pools import case_number_taken_message
from styrbord.funding.services.errors import FundingError
from styrbord.funding.services.ledger import used_amount
from styrbord.lib.dates import local_today
from styrbord.lib.formatting import format_date, format_kr
from styrbord.lib.money import ZERO, to_money

if TYPE_CHECKING:
    from styrbord.funding.services.ledger import AnyUser


def _validate(obj: object, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise FundingError(" ".join(error.messages)) from None


def create_pool(pool: Pool, user: AnyUser, deadlines: Sequence[ReportingDeadline] = ()) -> Pool:
    """Save a new pool with its reporting deadlines."""
    _validate(pool)
    with transaction.atomic():
        try:
            with transaction.atomic():
                pool.save()
        except IntegrityError:
            # Registered by someone else between the check above and the save: the same message.
            if pool.grantor_id is not None and pool.case_number and pool.case_number_taken():
                raise FundingError(case_number_taken_message(pool.case_number)) from None
            raise
        for deadline in deadlines:
            deadline.pool = pool
            _validate(deadline)
            deadline.save()
        log_action(pool, "funding.pool.created", user, after=snapshot(pool))
    return pool


POOL_EDITABLE = ("name", "case_number", "total", "purpose", "conditions")


def pool_state(pool: Pool) -> dict[str, object]:
    """What the pool's edit page changes: its editable facts and its open reporting deadlines. Two
    equal states mean nobody changed the pool meanwhile."""
    state: dict[str, object] = snapshot(pool, list(POOL_EDITABLE))
    state["deadlines"] = [
        [d.pk, d.kind, d.due_date.isoformat()] for d in pool.deadlines.filter(done_on__isnull=True).order_by("pk")
    ]
    return state


def update_pool(
    pool: Pool,
    user: AnyUser,
    *,
    before: dict[str, object],
    deadlines: Sequence[ReportingDeadline] = (),
    removed: Sequence[ReportingDeadline] = (),
) -> Pool:
    """Save a pool's edited facts (``POOL_EDITABLE``) and its open deadlines, in one transaction.

    The total may not go below what the pool has given in grants. Deadlines already marked as sent
    are the record of a duty done and are not changed or removed here. ``before`` is
    ``pool_state`` as the pool was read under lock (the caller locks it)."""
    pool.total = to_money(pool.total)
    _validate(pool)
    with transaction.atomic():
        granted = _granted(pool)
        if pool.total < granted:
            raise FundingError(
                _("Puljen har givet tilsagn for %(granted)s; det samlede beløb kan ikke sættes lavere (%(total)s).")
                % {"granted": format_kr(granted, 2), "total": format_kr(pool.total, 2)}
            ).at("total")
        for deadline in [*deadlines, *removed]:
            if deadline.pk is not None and deadline.done_on is not None:
                raise FundingError(_("En frist, der er markeret som indsendt, kan ikke ændres eller slettes."))
        try:
            with transaction.atomic():
                pool.save(update_fields=list(POOL_EDITABLE))
        except IntegrityError:
            if pool.grantor_id is not None and pool.case_number and pool.case_number_taken():
                raise FundingError(case_number_taken_message(pool.case_number)).at("case_number") from None
            raise
        for deadline in removed:
            deadline.delete()
        for deadline in deadlines:
            deadline.pool = pool
            _validate(deadline)
            deadline.save()
        after = pool_state(pool)
        if after != before:
            changed = sorted(name for name in after if after[name] != before.get(name))
            log_action(pool, "funding.pool.updated", user, {"fields": changed}, before=before, after=after)
    return pool


def create_grant(grant: Grant, user: AnyUser, budget_lines: Sequence[GrantBudgetLine] = ()) -> Grant:
    """Save a new grant. Grants may not exceed the pool total; budget lines must sum to the grant."""
    grant.amount = to_money(grant.amount)
    _validate(grant)
    if budget_lines:
        lines_total = sum((to_money(line.amount) for line in budget_lines), ZERO)
        if lines_total != grant.amount:
            raise FundingError(
                _("Budgetlinjerne summer til %(lines)s, men tilsagnet er på %(amount)s")
                % {"lines": format_kr(lines_total, 2), "amount": format_kr(grant.amount, 2)}
            )
        years = {line.year for line in budget_lines}
        pool = grant.pool
        outside = sorted(y for y in years if not pool.period_start.year <= y <= pool.period_end.year)
        if outside:
            raise FundingError(_("Budgetåret %(year)s ligger uden for puljens periode.") % {"year": outside[0]})
    with transaction.atomic():
        # Lock the pool row so two grants created at once cannot together exceed the pool total.
        pool = Pool.objects.select_for_update().get(pk=grant.pool_id)
        left = pool.total - _granted(pool)
        if grant.amount > left:
            raise FundingError(
                _("Puljen %(pool)s har %(left)s tilbage at give tilsagn for; tilsagnet er på %(amount)s")
                % {"pool": pool.name, "left": format_kr(left, 2), "amount": format_kr(grant.amount, 2)}
            )
        grant.save()
        for line in budget_lines:
            line.grant = grant
            _validate(line, exclude=["grant"])
        GrantBudgetLine.objects.bulk_create(list(budget_lines))
        log_action(
            grant,
            "funding.grant.created",
            user,
            {"budget_lines": [[line.category, line.year, line.amount] for line in budget_lines]},
            after=snapshot(grant),
        )
    return grant


def _granted(pool: Pool, excluding: Grant | None = None) -> Decimal:
    """What the pool has given in grants (rejected ones aside), leaving out ``excluding``."""
    grants = Grant.objects.filter(pool=pool).exclude(status=Grant.Status.REJECTED)
    if excluding is not None:
        grants = grants.exclude(pk=excluding.pk)
    return to_money(grants.aggregate(s=Sum("amount"))["s"] or ZERO)


def change_grant_amount(grant: Grant, new_amount: int | str, user: AnyUser) -> Grant:
    """Change the grant amount: never below what is already spent and committed, never so that
    the pool's grants exceed the pool total (as on create), and never away from the sum of the
    grant's approved budget lines."""
    from styrbord.funding.services.ledger import lock_grants

    amount = to_money(new_amount)
    with transaction.atomic():
        # The pool first, as create_grant locks it: two changes at once cannot together exceed it.
        pool = Pool.objects.select_for_update().get(pk=grant.pool_id)
        locked = lock_grants([grant.pk])[grant.pk]
        used = used_amount(locked)
        if amount < used:
            raise FundingError(
                _("Tilsagnet kan ikke sættes under forbrug og disponeringer (%(used)s).") % {"used": format_kr(used, 2)}
            )
        if locked.status != Grant.Status.REJECTED:
            left = pool.total - _granted(pool, excluding=locked)
            if amount > left:
                raise FundingError(
                    _("Puljen %(pool)s har %(left)s til dette tilsagn; det nye beløb er %(amount)s")
                    % {"pool": pool.name, "left": format_kr(left, 2), "amount": format_kr(amount, 2)}
                )
        lines = locked.budget_lines.aggregate(s=Sum("amount"))["s"]
        if lines is not None and to_money(lines) != amount:
            raise FundingError(
                _(
                    "Tilsagnets godkendte budget summer til %(lines)s. Beløbet kan ikke ændres til %(amount)s, "
                    "uden at budgetlinjerne ændres med."
                )
                % {"lines": format_kr(to_money(lines), 2), "amount": format_kr(amount, 2)}
            )
        before = snapshot(locked, ["amount"])
        Grant.objects.filter(pk=locked.pk).update(amount=amount)
        locked.amount = amount
        log_action(locked, "funding.grant.amount_changed", user, before=before, after={"amount": amount})
    return locked


def check_neutrality(appropriation: Appropriation, lines: Sequence[AppropriationLine] | None = None) -> None:
    """Raise a FundingError naming each year (and difference) where a budget-neutral appropriation does not balance."""
    if not appropriation.budget_neutral:
        return
    errors = appropriation.neutrality_errors(list(lines) if lines is not None else None)
    if errors:
        raise FundingError(" ".join(errors))


def appropriation_line_problems(pool: Pool | None, year: int | None, grant: Grant | None) -> dict[str, str]:
    """What is wrong with one line of an appropriation on ``pool`` (None: the municipality's own money,
    no pool), by the field it is about: a year outside the pool's period, a grant of another pool (or
    a grant at all when the appropriation names no pool). Empty when nothing is. The form shows each
    at the row's field; ``create_appropriation`` refuses them for every other caller."""
    problems: dict[str, str] = {}
    if pool is not None and year is not None and not pool.period_start.year <= year <= pool.period_end.year:
        problems["year"] = _("Året %(year)s ligger uden for puljens periode, %(start)s til %(end)s.") % {
            "year": year,
            "start": format_date(pool.period_start),
            "end": format_date(pool.period_end),
        }
    if grant is not None and pool is None:
        problems["grant"] = _(
            "Tilsagnet hører til puljen %(grant_pool)s. Vælg den pulje til bevillingen, eller fjern tilsagnet fra linjen."
        ) % {"grant_pool": grant.pool.name}
    elif grant is not None and pool is not None and grant.pool_id != pool.pk:
        problems["grant"] = _("Tilsagnet hører til puljen %(grant_pool)s, ikke til bevillingens pulje %(pool)s.") % {
            "grant_pool": grant.pool.name,
            "pool": pool.name,
        }
    return problems


def check_lines(appropriation: Appropriation, lines: Sequence[AppropriationLine]) -> None:
    """Raise a FundingError naming each line whose year or grant does not fit the appropriation's pool."""
    pool = appropriation.pool if appropriation.pool_id is not None else None
    errors = [
        _("Linje %(number)s: %(problem)s") % {"number": number, "problem": problem}
        for number, line in enumerate(lines, start=1)
        for problem in appropriation_line_problems(
            pool, line.year, line.grant if line.grant_id is not None else None
        ).values()
    ]
    if errors:
        raise FundingError(" ".join(errors))


def create_appropriation(
    appropriation: Appropriation, lines: Sequence[AppropriationLine], user: AnyUser
) -> Appropriation:
    """Save an appropriation with its income and expenditure lines: each line's year within the pool's
    period and its grant one of the pool's; a budget-neutral appropriation must balance every year."""
    if not lines:
        raise FundingError(_("Angiv mindst én linje med indtægt eller udgift."))
    _validate(appropriation)
    check_lines(appropriation, lines)
    check_neutrality(appropriation, lines)
    with transaction.atomic():
        appropriation.save()
        for line in lines:
            line.appropriation = appropriation
            _validate(line)
        AppropriationLine.objects.bulk_create(list(lines))
        log_action(
            appropriation,
            "funding.appropriation.created",
            user,
            {"lines": [[line.year, line.direction, line.amount] for line in lines]},
            after=snapshot(appropriation),
        )
    return appropriation


def mark_deadline_done(deadline: ReportingDeadline, user: AnyUser) -> ReportingDeadline:
    """Record that a report was sent to the grantor today."""
    with transaction.atomic():
        deadline.done_on = local_today()
        deadline.save(update_fields=["done_on"])
        log_action(deadline.pool, "funding.deadline.done", user, {"deadline": deadline.pk, "kind": deadline.kind})
    return deadline
