"""Correcting a pool after it is registered (*Ret puljen*): its name, case number, total, purpose
and conditions, and its open reporting deadlines. Before, a pool could only be corrected through
the API (text only) or the administration, and a deadline the grantor moved could not be changed
at all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.funding.models import Pool, ReportingDeadline
from styrbord.testing.fixtures import client_for
from styrbord.testing.forms import form_data, page_forms

pytestmark = pytest.mark.django_db

FORM = "//form[@class='stacked']"


def _opened(client: Client, pool: Pool) -> dict[str, Any]:
    response = client.get(reverse("funding:pool_edit", args=[pool.pk]))
    assert response.status_code == 200
    return form_data(page_forms(response.content, FORM)[0])


def _post(client: Client, pool: Pool, data: dict[str, Any]) -> Any:
    return client.post(reverse("funding:pool_edit", args=[pool.pk]), data)


def _deadlines(pool: Pool) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(d.kind, d.due_date, d.done_on) for d in pool.deadlines.order_by("due_date")]


def test_the_finance_officer_corrects_the_pool_and_moves_adds_and_drops_deadlines(world, funded) -> None:  # type: ignore[no-untyped-def]
    pool = funded.pool
    sent = ReportingDeadline.objects.create(
        pool=pool,
        kind=ReportingDeadline.Kind.STATUS_REPORT,
        due_date=dt.date(2025, 12, 15),
        done_on=dt.date(2025, 12, 10),
    )
    dropped = ReportingDeadline.objects.create(
        pool=pool, kind=ReportingDeadline.Kind.STATUS_REPORT, due_date=dt.date(2027, 6, 1)
    )
    client = client_for(world.finance)
    detail = client.get(reverse("funding:pool_detail", args=[pool.pk])).content.decode()
    assert f'href="{reverse("funding:pool_edit", args=[pool.pk])}">Ret puljen</a>' in detail
    data = _opened(client, pool)
    assert data["total"] == "1.022.000,00"
    assert data["deadline-TOTAL_FORMS"] == "4"  # the two open ones and two new rows; the sent one is not a row
    rows = {data[f"deadline-{i}-id"]: i for i in range(2)}
    moved, gone = rows[str(pool.deadlines.get(due_date=dt.date(2026, 12, 15)).pk)], rows[str(dropped.pk)]
    data |= {
        "name": "Forebyggelse af konflikter (SBST)",
        "purpose": "Kurser i konflikthåndtering",
        "total": "1.100.000",
        f"deadline-{moved}-due_date": "2027-01-15",
        f"deadline-{gone}-DELETE": "on",
        "deadline-2-kind": "grant_accounts",
        "deadline-2-due_date": "2028-04-30",
    }
    response = _post(client, pool, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pool.refresh_from_db()
    assert (pool.name, pool.purpose, pool.total) == (
        "Forebyggelse af konflikter (SBST)",
        "Kurser i konflikthåndtering",
        Decimal("1100000.00"),
    )
    assert _deadlines(pool) == [
        ("status_report", dt.date(2025, 12, 15), dt.date(2025, 12, 10)),
        ("status_report", dt.date(2027, 1, 15), None),
        ("grant_accounts", dt.date(2028, 4, 30), None),
    ]
    assert ReportingDeadline.objects.filter(pk=sent.pk).exists()
    entry = AuditEntry.objects.get(action="funding.pool.updated")
    assert entry.actor_id == world.finance.pk
    assert entry.data["fields"] == ["deadlines", "name", "purpose", "total"]
    assert entry.before["total"] == "1022000.00"
    assert entry.after["total"] == "1100000.00"


def test_the_total_cannot_go_below_what_is_granted_and_nothing_is_saved(world, funded) -> None:  # type: ignore[no-untyped-def]
    pool = funded.pool
    client = client_for(world.finance)
    data = _opened(client, pool) | {"name": "Nyt navn", "total": "1.000.000", "deadline-0-due_date": "2027-02-01"}
    page = _post(client, pool, data).content.decode()
    assert (
        "Puljen har givet tilsagn for 1.022.000,00 kr.; det samlede beløb kan ikke sættes lavere (1.000.000,00 kr.)."
        in page
    )
    pool.refresh_from_db()
    assert (pool.name, pool.total) == (
        "Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud",
        Decimal("1022000.00"),
    )
    assert _deadlines(pool) == [("status_report", dt.date(2026, 12, 15), None)]
    assert not AuditEntry.objects.filter(action="funding.pool.updated").exists()


def test_a_deadline_outside_the_pools_period_is_refused_at_its_row(world, funded) -> None:  # type: ignore[no-untyped-def]
    pool = funded.pool
    client = client_for(world.finance)
    data = _opened(client, pool) | {"deadline-1-kind": "status_report", "deadline-1-due_date": "2024-06-01"}
    page = _post(client, pool, data).content.decode()
    assert "Række 2, frist: Fristen 01-06-2024 ligger før puljens periode, som begynder 01-01-2025." in page
    assert pool.deadlines.count() == 1


def test_saving_over_someone_elses_change_is_refused(world, funded) -> None:  # type: ignore[no-untyped-def]
    pool = funded.pool
    client = client_for(world.finance)
    data = _opened(client, pool) | {"conditions": "Mine vilkår"}
    Pool.objects.filter(pk=pool.pk).update(name="Rettet af kollega")
    response = _post(client, pool, data)
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "Puljen er ændret af en anden, siden du åbnede siden. Intet er gemt." in follow
    pool.refresh_from_db()
    assert (pool.name, pool.conditions) == ("Rettet af kollega", "")


def test_only_those_who_keep_the_pool_may_correct_it(world, funded) -> None:  # type: ignore[no-untyped-def]
    url = reverse("funding:pool_edit", args=[funded.pool.pk])
    assert client_for(world.coordinator).get(url).status_code == 200
    assert client_for(world.other_coordinator).get(url).status_code == 404
    for user in (world.grantor_user, world.manager, world.employee_user, world.analyst):
        assert client_for(user).get(url).status_code == 403, user
    detail = client_for(world.grantor_user).get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    assert "Ret puljen" not in detail


def test_the_page_reads_in_english(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("funding:pool_edit", args=[funded.pool.pk])).content.decode()
    assert "Edit the pool" in page
    assert "Ret puljen" not in page
