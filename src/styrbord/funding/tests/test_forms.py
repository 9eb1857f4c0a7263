"""The pool and grant forms as a browser fills them in: rows left alone, deadlines against the period,
budget lines against what the pool covers and the grant amount, and money shown the Danish way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from styrbord.funding.forms import GrantForm
from styrbord.funding.models import Grant, Pool
from styrbord.funding.tests import helpers
from styrbord.lib.costs import CostCategory
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for
from styrbord.testing.forms import form_data, page_forms

D = Decimal
FORM = "//form[@class='stacked']"


def _page_form(client: Client, url: str) -> dict[str, Any]:
    """What the browser sends for the page's form before the user types anything."""
    response = client.get(url)
    assert response.status_code == 200
    return form_data(page_forms(response.content, FORM)[0])


def _pool_data(client: Client, world: Any, **deadlines: str) -> dict[str, Any]:
    data = _page_form(client, reverse("funding:pool_create"))
    data |= {
        "name": "Kompetencefonden",
        "grantor": world.grantor.pk,
        "municipality": factories.municipality("0707").pk,
        "kind": "co_financed_fund",
        "total": "250.000",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "eligible_categories": ["fee", "backfill"],
    }
    return data | deadlines


def _pool(**kwargs: Any) -> Pool:
    kwargs.setdefault("eligible_categories", [CostCategory.FEE, CostCategory.BACKFILL])
    return helpers.pool(
        municipality=factories.municipality("0707"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        **kwargs,
    )


def _grant_data(client: Client, world: Any, pool: Pool, amount: str, **lines: str) -> dict[str, Any]:
    data = _page_form(client, reverse("funding:grant_create", args=[pool.pk]))
    return data | {"facility": world.glesborg.pk, "municipality": "", "amount": amount, "status": "approved"} | lines


def test_a_pool_with_one_deadline_saves_with_the_extra_rows_left_alone(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _pool_data(client, world)
    assert data["deadline-TOTAL_FORMS"] == "4"
    data |= {"deadline-0-kind": "grant_accounts", "deadline-0-due_date": "2027-06-30"}
    response = client.post(reverse("funding:pool_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pool = Pool.objects.get(name="Kompetencefonden")
    assert [(d.kind, d.due_date) for d in pool.deadlines.all()] == [("grant_accounts", dt.date(2027, 6, 30))]


def test_a_partly_filled_deadline_row_is_refused_by_its_row(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _pool_data(client, world, **{"deadline-0-kind": "grant_accounts", "deadline-0-due_date": "2027-06-30"})
    data["deadline-1-due_date"] = "2026-09-30"  # no kind chosen
    content = client.post(reverse("funding:pool_create"), data).content.decode()
    assert "Række 2, rapport: Dette felt er påkrævet." in content
    assert "Række 3" not in content
    assert "Række 4" not in content
    assert not Pool.objects.filter(name="Kompetencefonden").exists()


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("2024-01-01", "Række 2, frist: Fristen 01-01-2024 ligger før puljens periode, som begynder 01-01-2026."),
        (
            "2031-06-30",
            "Række 2, frist: Fristen 30-06-2031 ligger mere end 2 år efter puljens periode, som slutter 31-12-2026.",
        ),
    ],
)
def test_a_deadline_outside_the_pools_period_is_refused_by_its_row(world, due, message) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _pool_data(client, world)
    data |= {"deadline-0-kind": "status_report", "deadline-0-due_date": "2026-06-30"}
    data |= {"deadline-1-kind": "grant_accounts", "deadline-1-due_date": due}
    response = client.post(reverse("funding:pool_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Pool.objects.filter(name="Kompetencefonden").exists()
    data["deadline-1-due_date"] = "2027-06-30"  # half a year after the period: the grant accounts
    assert client.post(reverse("funding:pool_create"), data).status_code == 302


def test_a_grant_with_two_budget_lines_saves_with_the_extra_rows_left_alone(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    pool = _pool()
    data = _grant_data(client, world, pool, "200.000")
    assert data["line-TOTAL_FORMS"] == "6"
    data |= {"line-0-category": "fee", "line-0-year": "2026", "line-0-amount": "120.000"}
    data |= {"line-1-category": "backfill", "line-1-year": "2026", "line-1-amount": "80.000"}
    response = client.post(reverse("funding:grant_create", args=[pool.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    grant = Grant.objects.get(pool=pool)
    assert sorted((b.category, b.amount) for b in grant.budget_lines.all()) == [
        ("backfill", D("80000.00")),
        ("fee", D("120000.00")),
    ]


def test_a_partly_filled_budget_line_is_refused_by_its_row(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    pool = _pool()
    data = _grant_data(client, world, pool, "200.000", **{"line-0-category": "fee", "line-0-year": "2026"})
    data |= {"line-0-amount": "200.000", "line-2-category": "backfill"}
    content = client.post(reverse("funding:grant_create", args=[pool.pk]), data).content.decode()
    assert "Række 3, år: Dette felt er påkrævet." in content
    assert "Række 3, budget: Dette felt er påkrævet." in content
    assert "Række 2" not in content
    assert "Række 4" not in content
    assert not Grant.objects.filter(pool=pool).exists()


def test_budget_lines_offer_and_accept_only_spending_the_pool_covers(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    pool = _pool()
    url = reverse("funding:grant_create", args=[pool.pk])
    select = page_forms(client.get(url).content, FORM)[0].xpath(".//select[@name='line-0-category']")[0]
    assert [o.get("value") for o in select.xpath("./option")] == ["", "fee", "backfill"]
    for category in ("travel", "materials", "audit", "cancellation", "veu_refund", "other_refund"):
        data = _grant_data(client, world, pool, "200.000")
        data |= {"line-0-category": "fee", "line-0-year": "2026", "line-0-amount": "150.000"}
        data |= {"line-1-category": category, "line-1-year": "2026", "line-1-amount": "50.000"}
        response = client.post(url, data)
        assert response.status_code == 200, category
        assert (
            "Række 2, udgiftsart: Puljen dækker ikke den udgiftsart. Den dækker: Kursusgebyr, Vikardækning (løn)."
            in response.content.decode()
        ), category
    assert not Grant.objects.filter(pool=pool).exists()


def test_budget_lines_not_summing_to_the_grant_give_both_sums_and_the_difference(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    pool = _pool(total=D("1000000"))
    data = _grant_data(client, world, pool, "700.000")
    data |= {"line-0-category": "fee", "line-0-year": "2026", "line-0-amount": "400.000"}
    data |= {"line-1-category": "backfill", "line-1-year": "2026", "line-1-amount": "290.000"}
    response = client.post(reverse("funding:grant_create", args=[pool.pk]), data)
    assert (
        "Budgetlinjerne summer til 690.000,00 kr., men tilsagnet er på 700.000,00 kr. (forskel 10.000,00 kr.)."
        in response.content.decode()
    )
    assert not Grant.objects.filter(pool=pool).exists()


def test_money_boxes_show_amounts_with_thousands_dots_and_read_them_back(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    blank = client.get(reverse("funding:pool_create")).content.decode()
    assert 'name="budget_change_amount" value="100.000,00" inputmode="decimal"' in blank
    field = GrantForm.base_fields["amount"]
    assert field.widget.format_value(D("1234.56")) == "1.234,56"
    assert field.widget.format_value("1234,56") == "1234,56"  # what the user typed is shown as typed
    with translation.override("en"):
        shown = field.widget.format_value(D("1234.56"))
    for text in ("1.234,56", "1234,56", "1234.56", shown):
        assert field.clean(text) == D("1234.56"), text
