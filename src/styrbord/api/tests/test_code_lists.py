"""The facility code lists over the API: legal bases, target groups and methods, read-only.

A client that PATCHes a facility sends these lists by code; ``/legal-bases``, ``/target-groups``
and ``/methods`` are where it finds the codes (reference data, readable by every role)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from styrbord.organisations import reference
from styrbord.organisations.models import LegalBasis, Method, Municipality, Region, TargetGroup

pytestmark = pytest.mark.django_db

# Collection -> (model, the seeded rows, a seeded code, the facility field that takes the codes).
LISTS: dict[str, tuple[Any, list[tuple[str, str]], str, str]] = {
    "/legal-bases": (LegalBasis, reference.LEGAL_BASES, "sel-108", "legal_bases"),
    "/target-groups": (TargetGroup, reference.TARGET_GROUPS, "psykiatri", "target_groups"),
    "/methods": (Method, reference.METHODS, "krap", "methods"),
}


def everything(api: Any, path: str) -> list[dict[str, Any]]:
    response = api.get(path, page_size=100)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", LISTS)
def test_each_list_holds_the_seeded_codes_and_names(world: Any, api_as: Any, path: str) -> None:
    model, seeded, code, _field = LISTS[path]
    items = everything(api_as(world.coordinator), path)
    assert {(item["code"], item["name"]) for item in items} >= set(seeded)
    assert len(items) == model.objects.count()
    assert code in {item["code"] for item in items}
    assert set(items[0]) == {"id", "code", "name", "version"}
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)  # stable order for paging


def test_the_known_codes_with_their_names(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    names = {item["code"]: item["name"] for item in everything(api, "/legal-bases")}
    assert names["sel-108"] == "SEL § 108 (længerevarende botilbud)"
    assert {item["code"]: item["name"] for item in everything(api, "/methods")}["krap"] == "KRAP"
    assert "psykiatri" in {item["code"] for item in everything(api, "/target-groups")}


def test_one_code_by_id_and_by_the_code_filter(world: Any, api_as: Any) -> None:
    api = api_as(world.manager)
    krap = Method.objects.get(code="krap")
    one = api.get(f"/methods/{krap.pk}")
    assert one.status_code == 200, one.content
    assert (one.json()["id"], one.json()["code"], one.json()["name"]) == (krap.pk, "krap", "KRAP")
    assert api.get(f"/methods/{Method.objects.order_by('-pk').first().pk + 1000}").status_code == 404  # type: ignore[union-attr]

    found = api.get("/legal-bases", code="sel-108").json()
    assert found["count"] == 1
    assert [item["code"] for item in found["items"]] == ["sel-108"]
    assert api.get("/legal-bases", code="sel-999").json() == {"count": 0, "page": 1, "page_size": 50, "items": []}
    bad = api.get("/methods", code="ikke en kode")  # not a code's shape: refused, not an empty list
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "code"]


def test_an_unauthenticated_request_is_refused(world: Any) -> None:
    anonymous = Client()
    wrong_token = Client(HTTP_AUTHORIZATION="Bearer sb_not-a-token")
    krap = Method.objects.get(code="krap")
    for client in (anonymous, wrong_token):
        for path in LISTS:
            for url in (path, f"{path}/export.csv"):
                response = client.get(f"/api/v1{url}")
                assert response.status_code == 401, (url, response.status_code)
                assert "API-token" in response.json()["detail"]
        assert client.get(f"/api/v1/methods/{krap.pk}").status_code == 401


@pytest.mark.parametrize("persona", ["manager", "employee_user", "grantor_user", "finance", "analyst"])
def test_every_role_reads_the_lists_even_one_that_sees_no_facility(world: Any, api_as: Any, persona: str) -> None:
    """The facility manager and the employee alike (an employee lists no facility, a grantor none)."""
    api = api_as(getattr(world, persona))
    for path, (model, _seeded, code, _field) in LISTS.items():
        items = everything(api, path)
        assert code in {item["code"] for item in items}, (persona, path)
        row = model.objects.get(code=code)
        assert api.get(f"{path}/{row.pk}").json()["code"] == code
        export = api.get(f"{path}/export.csv")
        assert export.status_code == 200
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
        # The JSON item's fields, its version last.
        assert rows[0] == ["id", "kode", "navn", "version"]
        assert [str(row.pk), code, row.name] in [r[:3] for r in rows[1:]]
        assert len(rows) - 1 == model.objects.count()


def test_paging_walks_the_whole_list_once(world: Any, api_as: Any) -> None:
    api = api_as(world.employee_user)
    total = Method.objects.count()
    assert total > 3
    seen: list[str] = []
    page = 1
    while True:
        body = api.get("/methods", page=page, page_size=3).json()
        assert (body["count"], body["page"], body["page_size"]) == (total, page, 3)
        if not body["items"]:
            break
        assert len(body["items"]) <= 3
        seen += [item["code"] for item in body["items"]]
        page += 1
    assert page == -(-total // 3) + 1  # the first empty page is the one after the last
    assert len(seen) == len(set(seen)) == total
    assert seen == [item["code"] for item in everything(api, "/methods")]
    too_big = api.get("/methods", page_size=101)
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"] == ["query", "page_size"]


def test_a_listed_code_is_what_a_facility_patch_takes(world: Any, api_as: Any) -> None:
    """Round trip: read a code from each list, send it in a facility PATCH, read it back."""
    api = api_as(world.coordinator)
    chosen: dict[str, list[str]] = {}
    for path, (_model, _seeded, code, field) in LISTS.items():
        listed = {item["code"] for item in everything(api, path)}
        assert code in listed
        chosen[field] = [code]
    chosen["methods"] = [item["code"] for item in api.get("/methods", code="low-arousal").json()["items"]] + ["krap"]
    facility = f"/facilities/{world.dolmer.pk}"
    version = api.get(facility).json()["version"]
    changed = api.patch(facility, {"version": version, **chosen})
    assert changed.status_code == 200, changed.content
    body = api.get(facility).json()
    assert body["legal_bases"] == ["sel-108"]
    assert body["target_groups"] == ["psykiatri"]
    assert body["methods"] == ["krap", "low-arousal"]
    assert sorted(world.dolmer.methods.values_list("code", flat=True)) == ["krap", "low-arousal"]


def test_the_lists_are_read_only_for_every_role(world: Any, api_as: Any) -> None:
    krap = Method.objects.get(code="krap")
    api = api_as(world.admin)
    assert api.post("/methods", {"code": "ny-metode", "name": "Ny metode"}).status_code == 405
    version = api.get(f"/methods/{krap.pk}").json()["version"]
    assert api.patch(f"/methods/{krap.pk}", {"version": version, "name": "K"}).status_code == 405
    assert api.delete(f"/methods/{krap.pk}", version=version).status_code == 405
    krap.refresh_from_db()
    assert krap.name == "KRAP"
    assert not Method.objects.filter(code="ny-metode").exists()


def test_the_schema_documents_the_lists_and_the_facility_fields_point_to_them(world: Any, api_as: Any) -> None:
    spec = api_as(world.coordinator).get("/openapi.json").json()
    for path, (_model, _seeded, _code, field) in LISTS.items():
        for url in (f"/api/v1{path}", f"/api/v1{path}/export.csv", f"/api/v1{path}/{{pk}}"):
            assert set(spec["paths"][url]) == {"get"}, url
        listing = spec["paths"][f"/api/v1{path}"]["get"]
        assert f"`{field}`" in listing["description"]
        assert listing["tags"] == ["Kodelister"]
        assert {p["name"] for p in listing["parameters"]} == {"page", "page_size", "code"}
    update = spec["components"]["schemas"]["FacilityUpdate"]["properties"]
    assert "se GET /api/v1/legal-bases" in update["legal_bases"]["description"]
    assert "se GET /api/v1/target-groups" in update["target_groups"]["description"]
    assert "se GET /api/v1/methods" in update["methods"]["description"]


def test_regions_and_municipalities_with_their_official_codes(world: Any, api_as: Any) -> None:
    api = api_as(world.employee_user)  # reference data: any role reads it
    regions = everything(api, "/regions")
    assert len(regions) == Region.objects.count() == 5
    midt = next(r for r in regions if r["code"] == "1082")
    assert (midt["name"], set(midt)) == ("Region Midtjylland", {"id", "code", "name", "version"})

    first = api.get("/municipalities", page_size=100).json()
    second = api.get("/municipalities", page=2, page_size=100).json()
    assert first["count"] == 98
    assert second["items"] == []
    norddjurs = api.get("/municipalities", code="0707").json()["items"]
    assert [(m["code"], m["name"], m["region"]) for m in norddjurs] == [("0707", "Norddjurs", midt["id"])]
    assert norddjurs[0]["id"] == Municipality.objects.get(code="0707").pk
    in_midt = api.get("/municipalities", region=midt["id"], page_size=100).json()["items"]
    assert len(in_midt) == Municipality.objects.filter(region__code="1082").count() == 19
    assert api.get("/municipalities", code="707").status_code == 422  # four digits, as DAGI writes it
    assert api.get("/regions", code="1082").json()["items"][0]["id"] == midt["id"]


def test_a_municipality_id_found_by_code_is_what_creating_a_facility_takes(world: Any, api_as: Any) -> None:
    api = api_as(world.admin)  # an administrator must say which municipality
    norddjurs = api.get("/municipalities", code="0707").json()["items"][0]["id"]
    created = api.post("/facilities", {"name": "Bostedet Ved Fjorden", "municipality": norddjurs})
    assert created.status_code == 201, created.content
    assert created.json()["municipality"] == norddjurs


def test_municipalities_export_with_their_region(world: Any, api_as: Any) -> None:
    export = api_as(world.analyst).get("/municipalities/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["id", "kommunekode", "navn", "region", "version"]
    norddjurs = Municipality.objects.get(code="0707")
    assert [str(norddjurs.pk), "0707", "Norddjurs", str(norddjurs.region_id)] in [r[:4] for r in rows[1:]]
    assert len(rows) == 99


def test_regions_and_municipalities_cannot_be_written(world: Any, api_as: Any) -> None:
    api = api_as(world.admin)
    norddjurs = Municipality.objects.get(code="0707")
    assert api.post("/municipalities", {"code": "0999", "name": "Ny"}).status_code == 405
    assert api.patch(f"/municipalities/{norddjurs.pk}", {"name": "X"}).status_code == 405
    assert api.delete(f"/regions/{norddjurs.region_id}").status_code == 405
    assert Municipality.objects.get(pk=norddjurs.pk).name == "Norddjurs"
