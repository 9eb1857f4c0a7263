"""Grants and pools tell an integrator what is committed, spent and left: ``funding.services.balances``'s
figures (the pages' own), read-only, as decimal strings."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.funding.services.balances import balances_for
from styrbord.funding.tests import helpers

pytestmark = pytest.mark.django_db


def _post(api: Any, grant: Any, kind: str, category: str, amount: str) -> None:
    body = {
        "grant": grant.pk,
        "kind": kind,
        "category": category,
        "amount": amount,
        "posted_on": grant.pool.period_start.isoformat(),
        "text": "",
    }
    response = api.post("/ledger", body)
    assert response.status_code == 201, response.content.decode()


def test_a_grant_and_its_pool_show_committed_spent_and_left(world: Any, api_as: Any) -> None:
    pool = helpers.pool()
    grant = helpers.grant(pool, world.dolmer, amount="100000")
    helpers.grant(pool, world.kbh_facility, amount="50000")  # another municipality's grant: not in the figures
    api = api_as(world.finance)
    _post(api, grant, "commitment", "travel", "100.00")
    _post(api, grant, "actual", "fee", "250.50")

    one = api.get(f"/grants/{grant.pk}").json()
    listed = {g["id"]: g for g in api.get("/grants", pool=pool.pk).json()["items"]}

    expected = {
        "granted": "100000.00",
        "forecast": "0.00",
        "committed": "100.00",
        "actual": "250.50",
        "used": "350.50",
        "remaining": "99649.50",
        "income": "0.00",
    }
    assert one["balances"] == expected
    assert listed[grant.pk]["balances"] == expected
    service = balances_for(grant)
    assert one["balances"]["remaining"] == str(service.remaining)
    assert one["balances"]["used"] == str(service.used)
    # The pool: the sum over its grants in the caller's scope, as the pools page sums them.
    assert api.get(f"/pools/{pool.pk}").json()["balances"] == expected
    # Read-only: a PATCH cannot set them (the schema has no such field, so it is refused, not
    # silently dropped; the figures stay the ledger's).
    patched = api.patch(f"/grants/{grant.pk}", {"version": one["version"], "balances": {"remaining": "1.00"}})
    assert patched.status_code == 422, patched.content
    assert patched.json()["detail"] == [
        {"type": "extra_forbidden", "loc": ["body", "payload", "balances"], "msg": "Feltet findes ikke."}
    ]
    again = api.get(f"/grants/{grant.pk}").json()
    assert (again["version"], again["balances"]) == (one["version"], expected)


def test_the_schema_documents_the_balances_as_output_only(world: Any, api_as: Any) -> None:
    spec = api_as(world.finance).get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "balances" in schemas["GrantOut"]["properties"]
    assert "balances" in schemas["PoolOut"]["properties"]
    assert "balances" not in schemas["GrantUpdate"]["properties"]
    assert "balances" not in schemas["GrantCreate"]["properties"]


def test_a_grant_cannot_be_raised_past_its_pool_and_none_of_the_change_is_saved(world: Any, api_as: Any) -> None:
    pool = helpers.pool(total="1022000")
    grant = helpers.grant(pool, world.dolmer, amount="700000", title="Dolmer Have")
    helpers.grant(pool, world.glesborg, amount="322000")
    api = api_as(world.finance)
    before = api.get(f"/grants/{grant.pk}").json()
    response = api.patch(f"/grants/{grant.pk}", {"version": before["version"], "amount": "900000.00", "title": "Ny"})
    assert response.status_code == 422, response.content
    assert "har 700.000,00 kr. til dette tilsagn" in response.content.decode()
    grant.refresh_from_db()
    assert (str(grant.amount), grant.title) == ("700000.00", "Dolmer Have")
    lower = api.patch(f"/grants/{grant.pk}", {"version": before["version"], "amount": "650000.00", "title": "Ny"})
    assert lower.status_code == 200, lower.content
    grant.refresh_from_db()
    assert (str(grant.amount), grant.title) == ("650000.00", "Ny")
