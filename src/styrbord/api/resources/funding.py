"""Pools, grants and the append-only ledger, through ``funding.services`` (which audit themselves).

The ledger is never changed: a posting is corrected by reversing it (POST /ledger/{id}/reverse).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status
from pydantic import Field

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import CREATE, LIST, RETRIEVE, can
from styrbord.api import choices as C  # noqa: N812
from styrbord.api import schemas
from styrbord.api.crud import (
    ConflictError,
    Resource,
    UnprocessableError,
    VersionedOut,
    current_version,
    field_error,
    located,
    register,
    set_location,
)
from styrbord.api.registry import declare
from styrbord.funding.models import Grant, LedgerEntry, Pool
from styrbord.funding.services import ledger as ledger_services
from styrbord.funding.services import setup as setup_services
from styrbord.funding.services.balances import Balances, balances_by_grant
from styrbord.funding.services.errors import FundingError
from styrbord.organisations.models import Facility, Grantor, Municipality

TAG = "Økonomi"


def _funding_error(exc: FundingError) -> Exception:
    """A funding refusal at the field it is about (``FundingError.at``: the amount, the date, the
    grant, the category), else the whole request."""
    return field_error(exc.field or "__all__", exc.message, "funding_error")


class BalancesOut(Schema):
    """Committed, spent and left, as ``funding.services.balances`` computes them for the pages
    (kroner, decimal strings). Read-only: the ledger changes them, not a PATCH."""

    granted: Decimal = Field(description="Tilsagnsbeløbet (for en pulje: summen af de medregnede tilsagn).")
    forecast: Decimal = Field(description="Disponeret for planlagte bookinger (prognose).")
    committed: Decimal = Field(description="Disponeret for bookede pladser og andre bindende udgifter.")
    actual: Decimal = Field(description="Bogførte udgifter (forbrugt).")
    used: Decimal = Field(description="Forbrugt plus åbne dispositioner (actual + forecast + committed).")
    remaining: Decimal = Field(description="Tilbage: granted - used.")
    income: Decimal = Field(description="Modtaget fra tilskudsgiveren.")


BALANCES = "_api_balances"  # the attribute ``prepare`` leaves the figures in, per row


def _balances_out(balances: Balances) -> dict[str, Decimal]:
    return {
        "granted": balances.amount,
        "forecast": balances.forecast,
        "committed": balances.committed,
        "actual": balances.actual,
        "used": balances.used,
        "remaining": balances.remaining,
        "income": balances.income,
    }


# The CSV's headings for the balances, as the grant page names them ("økonomi: tilbage").
BALANCE_LABELS = {
    "balances": gettext_lazy("økonomi"),
    "balances.granted": gettext_lazy("givet i tilsagn"),
    "balances.forecast": gettext_lazy("planlagt (prognose)"),
    "balances.committed": gettext_lazy("disponeret"),
    "balances.actual": gettext_lazy("bogført forbrug"),
    "balances.used": gettext_lazy("forbrug, disponeret og planlagt"),
    "balances.remaining": gettext_lazy("tilbage"),
    "balances.income": gettext_lazy("modtaget fra tilskudsgiver"),
}


def prepare_grants(user: Any, grants: list[Grant]) -> None:
    """Each grant's balances, in one grouped query for the page."""
    found = balances_by_grant(grants)
    for grant in grants:
        setattr(grant, BALANCES, found[grant.pk])


def prepare_pools(user: Any, pools: list[Pool]) -> None:
    """Each pool's balances over its grants in the user's scope, summed as the pools page sums them
    (None when the role may not see grants at all)."""
    if not can(user, LIST, "grant"):
        for pool in pools:
            setattr(pool, BALANCES, None)
        return
    grants = list(GRANTS.visible(user, LIST).filter(pool__in=[p.pk for p in pools]))
    found = balances_by_grant(grants)
    totals = {pool.pk: Balances() for pool in pools}
    for grant in grants:
        totals[grant.pool_id] = totals[grant.pool_id] + found[grant.pk]
    for pool in pools:
        setattr(pool, BALANCES, totals[pool.pk])


class PoolOut(VersionedOut):
    id: int
    grantor: int | None
    municipality: int | None
    name: str
    case_number: str
    kind: str
    total: Decimal
    period_start: dt.date
    period_end: dt.date
    purpose: str
    eligible_categories: list[str]
    co_financing_share: Decimal
    conditions: str
    balances: BalancesOut | None = Field(
        description="Summen over puljens tilsagn i dit omfang; null når din rolle ikke ser tilsagn."
    )

    @staticmethod
    def resolve_grantor(obj: Pool) -> int | None:
        return obj.grantor_id

    @staticmethod
    def resolve_balances(obj: Pool, context: Any) -> dict[str, Decimal] | None:
        if not hasattr(obj, BALANCES):
            prepare_pools(getattr((context or {}).get("request"), "user", None), [obj])
        balances = getattr(obj, BALANCES)
        return _balances_out(balances) if balances is not None else None

    @staticmethod
    def resolve_municipality(obj: Pool) -> int | None:
        return obj.municipality_id


class PoolCreate(schemas.Input):
    grantor: schemas.Id | None = None
    municipality: schemas.Id | None = None
    name: schemas.Required200
    case_number: schemas.Text40 = ""
    kind: C.PoolKind = Pool.Kind.STATE_GRANT
    total: schemas.Money
    period_start: schemas.Day
    period_end: schemas.Day
    purpose: schemas.Text2000 = ""
    eligible_categories: list[C.CostCategoryValue] | None = None
    co_financing_share: schemas.Percent = Decimal("100")
    conditions: schemas.Text2000 = ""


class PoolUpdate(schemas.Input):
    version: schemas.Version
    name: schemas.Required200 | None = None
    purpose: schemas.Text2000 | None = None
    conditions: schemas.Text2000 | None = None


class GrantOut(VersionedOut):
    id: int
    pool: int
    facility: int | None
    municipality: int | None
    title: str
    amount: Decimal
    status: str
    case_number: str
    approved_on: dt.date | None
    balances: BalancesOut

    @staticmethod
    def resolve_pool(obj: Grant) -> int:
        return obj.pool_id

    @staticmethod
    def resolve_balances(obj: Grant) -> dict[str, Decimal]:
        if not hasattr(obj, BALANCES):
            prepare_grants(None, [obj])
        return _balances_out(getattr(obj, BALANCES))

    @staticmethod
    def resolve_facility(obj: Grant) -> int | None:
        return obj.facility_id

    @staticmethod
    def resolve_municipality(obj: Grant) -> int | None:
        return obj.municipality_id


class GrantCreate(schemas.Input):
    pool: schemas.Id
    facility: schemas.Id | None = None
    municipality: schemas.Id | None = None
    title: schemas.Text300 = ""
    amount: schemas.Money
    status: C.GrantStatus = Grant.Status.APPROVED
    case_number: schemas.Text40 = ""
    approved_on: schemas.Day | None = None


class GrantUpdate(schemas.Input):
    version: schemas.Version
    title: schemas.Text300 | None = None
    case_number: schemas.Text40 | None = None
    amount: schemas.Money | None = None


class LedgerOut(VersionedOut):
    id: int
    grant: int
    kind: str
    balance: str
    category: str
    amount: Decimal
    reverses: int | None
    corrects: int | None
    booking: int | None
    employee: int | None
    posted_on: dt.date
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_grant(obj: LedgerEntry) -> int:
        return obj.grant_id

    @staticmethod
    def resolve_reverses(obj: LedgerEntry) -> int | None:
        return obj.reverses_id

    @staticmethod
    def resolve_corrects(obj: LedgerEntry) -> int | None:
        return obj.corrects_id

    # Which person and seat a posting is for: the municipality's own roles see it; the grantor (and an
    # analyst) read the accounts, not a list of people's wage costs.
    @staticmethod
    def resolve_booking(obj: LedgerEntry, context: Any) -> int | None:
        return obj.booking_id if _names_people(context) else None

    @staticmethod
    def resolve_employee(obj: LedgerEntry, context: Any) -> int | None:
        return obj.employee_id if _names_people(context) else None


def _names_people(context: Any) -> bool:
    request = (context or {}).get("request")
    return _sees_people(getattr(request, "user", None))


def _sees_people(user: Any) -> bool:
    """Whether the user's ledger rows name their booking and person (not a grantor's or analyst's)."""
    return getattr(user, "role", None) not in (Role.GRANTOR, Role.ANALYST)


def _by_booking(user: Any, value: int) -> Q:
    """``?booking=``: refused to a role whose rows hide the booking, or walking booking ids would
    group its postings per seat and person again (a seat's backfill over its hours is a wage)."""
    if not _sees_people(user):
        raise UnprocessableError(
            [
                {
                    "loc": ["query", "booking"],
                    "msg": _("Din rolle kan ikke finde bogføringer efter booking: de viser ikke, hvem de gælder."),
                    "type": "value_error",
                }
            ]
        )
    return Q(booking_id=value)


class LedgerCreate(schemas.Input):
    grant: schemas.Id
    kind: C.LedgerKind
    category: C.CostCategoryValue | None = None
    amount: schemas.SignedMoney
    posted_on: schemas.Day
    planned: bool = False
    text: schemas.Text300 = ""


class ReverseIn(schemas.Input):
    version: schemas.Version
    reason: schemas.Required200


def create_pool(user: Any, data: dict[str, Any]) -> Pool:
    if data.get("eligible_categories") is None:
        data.pop("eligible_categories", None)
    try:
        return setup_services.create_pool(Pool(**data), user)
    except FundingError as exc:
        raise _funding_error(exc) from None


def create_grant(user: Any, data: dict[str, Any]) -> Grant:
    try:
        return setup_services.create_grant(Grant(**data), user)
    except FundingError as exc:
        raise _funding_error(exc) from None


def update_grant(user: Any, grant: Grant, data: dict[str, Any]) -> Grant:
    data.pop("version", None)
    amount = data.pop("amount", None)
    with transaction.atomic():  # the amount and the other fields together, or nothing
        try:
            if amount is not None and amount != grant.amount:
                grant = setup_services.change_grant_amount(grant, amount, user)
        except FundingError as exc:
            raise _funding_error(exc) from None
        if data:
            for name, value in data.items():
                setattr(grant, name, value)
            grant.full_clean()
            grant.save(update_fields=list(data))
    return grant


def create_entry(user: Any, data: dict[str, Any]) -> LedgerEntry:
    grant, kind, amount = data["grant"], data["kind"], data["amount"]
    category = data.get("category") or ""
    try:
        if kind == LedgerEntry.Kind.INCOME:
            return ledger_services.record_income(grant, amount, data["posted_on"], user, text=data["text"])
        if not category:
            raise field_error("category", _("Angiv udgiftsarten."))
        if kind == LedgerEntry.Kind.COMMITMENT:
            return ledger_services.commit(
                grant, category, amount, data["posted_on"], user, planned=data["planned"], text=data["text"]
            )
        if kind == LedgerEntry.Kind.ACTUAL:
            return ledger_services.post_actual(grant, category, amount, data["posted_on"], user, text=data["text"])
    except FundingError as exc:
        raise _funding_error(exc) from None
    raise field_error("kind", _("Tilbageførsler og korrektioner laves med /ledger/{id}/reverse."))


POOLS = Resource(
    name="pools",
    object_type="pool",
    model=Pool,
    out=PoolOut,
    tag=TAG,
    create_in=PoolCreate,
    update_in=PoolUpdate,
    refs={"grantor": Grantor, "municipality": Municipality},
    creator=create_pool,
    service_audits=frozenset({"create"}),
    prepare=prepare_pools,
    csv_labels=BALANCE_LABELS,
    # As the JSON's null: a role that sees no grants gets no balance columns.
    hidden_fields=lambda user: frozenset() if can(user, LIST, "grant") else frozenset({"balances"}),
    scoping_note="`balances` sums the grants in the caller's scope; null (no CSV columns) for a role that sees no grants.",
    filters={"grantor": (int, "grantor_id"), "municipality": (int, "municipality_id")},
)

GRANTS = Resource(
    name="grants",
    object_type="grant",
    model=Grant,
    out=GrantOut,
    tag=TAG,
    create_in=GrantCreate,
    update_in=GrantUpdate,
    refs={"pool": Pool, "facility": Facility, "municipality": Municipality},
    creator=create_grant,
    updater=update_grant,
    service_audits=frozenset({"create"}),
    prepare=prepare_grants,
    csv_labels=BALANCE_LABELS,
    filters={"pool": (int, "pool_id"), "facility": (int, "facility_id")},
)

LEDGER = Resource(
    name="ledger",
    singular="ledger_entry",
    object_type="ledger",
    model=LedgerEntry,
    out=LedgerOut,
    tag=TAG,
    create_in=LedgerCreate,
    refs={"grant": Grant},
    creator=create_entry,
    service_audits=frozenset({"create", "update"}),
    filters={"grant": (int, "grant_id"), "booking": (int, _by_booking), "posted_from": (dt.date, "posted_on__gte")},
    subject=lambda e: e.employee_id,  # a posting for a seat is about its person: reads are logged
    # As the JSON's nulls: a grantor's or analyst's CSV has no booking or person columns.
    hidden_fields=lambda user: frozenset() if _sees_people(user) else frozenset({"booking", "employee"}),
    scoping_note=(
        "A grantor or analyst reads the accounts, not people: `booking` and `employee` are null for them "
        "(no such CSV columns), and `?booking=` is refused."
    ),
)


def build() -> Router:
    router = Router()
    register(router, POOLS)
    register(router, GRANTS)
    register(router, LEDGER)

    op_reverse = located(declare("ledger_entry_reverse", "ledger", CREATE, "ledger"))

    @router.post(
        "/ledger/{pk}/reverse",
        response={201: LedgerOut, **schemas.WRITE_ERRORS},
        operation_id=op_reverse,
        url_name=op_reverse,
        summary="Reverse a posting (the posting itself is never changed)",
        tags=[TAG],
    )
    def reverse(request: HttpRequest, pk: schemas.Id, payload: ReverseIn, response: HttpResponse):
        user = request.user
        if not (can(user, RETRIEVE, "ledger") or can(user, CREATE, "ledger")):
            raise Http404
        entry = LEDGER.in_scope(user).filter(pk=pk).first()
        if entry is None:
            raise Http404
        if not can(user, CREATE, "ledger"):
            raise PermissionDenied
        if current_version(entry) != payload.version:
            raise ConflictError(_("Posteringen er ikke den, du læste."), current_version(entry))
        with transaction.atomic():
            try:
                reversal = ledger_services.reverse_entry(entry, user, payload.reason)
            except FundingError as exc:
                raise _funding_error(exc) from None
        set_location(response, "ledger_entry_retrieve", reversal.pk)
        return Status(201, LEDGER.queryset().get(pk=reversal.pk))

    return router
