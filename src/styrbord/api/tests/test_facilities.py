"""A facility's facts over the API: the same form, rules and messages as the facility's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styrbord.audit.models import AuditEntry
from styrbord.organisations.models import Facility, LegalBasis, Method, TargetGroup
from styrbord.testing import factories

pytestmark = pytest.mark.django_db


def facility_path(facility: Facility) -> str:
    return f"/facilities/{facility.pk}"


def patch(api: Any, facility: Facility, changes: dict[str, Any], **headers: Any) -> Any:
    """PATCH ``changes`` with the version just read."""
    version = api.get(facility_path(facility)).json()["version"]
    return api.patch(facility_path(facility), {"version": version, **changes}, **headers)


def test_a_coordinator_sets_methods_and_the_tilbudsportalen_id_and_reads_them_back(world: Any, api_as: Any) -> None:
    world.dolmer.legal_bases.set(LegalBasis.objects.filter(code="sel-108"))
    api = api_as(world.coordinator)
    changed = patch(api, world.dolmer, {"methods": ["low-arousal", "krap", "krap"], "tilbudsportalen_id": " 43871 "})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["methods"] == ["krap", "low-arousal"]
    assert body["tilbudsportalen_id"] == "43871"
    assert body["legal_bases"] == ["sel-108"]  # not sent: kept
    assert body["target_groups"] == []
    read = api.get(facility_path(world.dolmer)).json()
    assert read == body
    assert sorted(world.dolmer.methods.values_list("code", flat=True)) == ["krap", "low-arousal"]

    entry = AuditEntry.objects.get(action="organisations.facility.updated")
    assert (entry.actor_id, entry.object_id) == (world.coordinator.pk, str(world.dolmer.pk))
    assert entry.data == {"via": "api", "fields": ["methods", "tilbudsportalen_id"]}
    assert entry.before["methods"] == []
    assert entry.after["methods"] == ["krap", "low-arousal"]
    assert entry.after["legal_bases"] == ["sel-108"]  # type: ignore[index]

    cleared = patch(api, world.dolmer, {"methods": [], "legal_bases": None, "operator_name": "Socialpsykiatri"})
    assert cleared.status_code == 200, cleared.content
    assert (cleared.json()["methods"], cleared.json()["legal_bases"]) == ([], [])
    assert cleared.json()["operator_name"] == "Socialpsykiatri"


def test_the_other_facts_and_the_minimums_are_saved_together(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    changed = patch(
        api,
        world.dolmer,
        {
            "name": "Dolmer  Have Nord ",
            "kind": "shared_living",
            "places": 14,
            "target_groups": ["psykiatri"],
            "minimum_staff": 3,
            "minimum_staff_weekend": 2,
            "backfill_factor": "1.25",
        },
    )
    assert changed.status_code == 200, changed.content
    world.dolmer.refresh_from_db()
    assert (world.dolmer.name, world.dolmer.kind, world.dolmer.places) == ("Dolmer Have Nord", "shared_living", 14)
    assert (world.dolmer.minimum_staff, world.dolmer.minimum_staff_weekend) == (3, 2)
    assert str(world.dolmer.backfill_factor) == "1.25"
    assert changed.json()["target_groups"] == ["psykiatri"]


def test_an_unknown_code_is_an_error_at_its_item_and_nothing_is_saved(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    bad = patch(api, world.dolmer, {"methods": ["krap", "xyz"], "target_groups": ["ingen"], "places": 9})
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {"loc": ["body", "payload", "target_groups", 0], "msg": "Ukendt målgruppe »ingen«.", "type": "value_error"},
        {"loc": ["body", "payload", "methods", 1], "msg": "Ukendt metode »xyz«.", "type": "value_error"},
    ]
    english = patch(api, world.dolmer, {"legal_bases": ["sel-999"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"][0]["msg"] == "Unknown legal basis “sel-999”."
    world.dolmer.refresh_from_db()
    assert world.dolmer.places == 0
    assert not world.dolmer.methods.exists()
    assert not AuditEntry.objects.filter(action="organisations.facility.updated").exists()


def test_codes_that_are_not_slugs_or_too_many_are_refused_by_the_schema(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    not_a_slug = patch(api, world.dolmer, {"methods": ["krap", "low arousal"]})
    assert not_a_slug.status_code == 422
    assert [e["loc"] for e in not_a_slug.json()["detail"]] == [["body", "payload", "methods", 1]]
    too_many = patch(api, world.dolmer, {"methods": ["krap"] * 51})
    assert too_many.status_code == 422


def test_a_name_the_municipality_already_has_is_refused_as_on_the_page(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    taken = patch(api, world.dolmer, {"name": "bofællesskaberne  GLESBORG", "minimum_staff": 4})
    assert taken.status_code == 422
    assert taken.json()["detail"] == [
        {
            "loc": ["body", "payload", "name"],
            "msg": "Kommunen har allerede et tilbud, der hedder »Bofællesskaberne Glesborg«.",
            "type": "invalid",
        }
    ]
    english = patch(api, world.dolmer, {"name": "Bofællesskaberne Glesborg"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        english.json()["detail"][0]["msg"]
        == "The municipality already has a facility called “Bofællesskaberne Glesborg”."
    )
    # Another municipality's facility may have the name.
    assert patch(api, world.dolmer, {"name": "Syddjurs Botilbud"}).status_code == 200
    world.dolmer.refresh_from_db()
    assert world.dolmer.minimum_staff == 0


@pytest.mark.parametrize("value", ["43 871", "abc", "-1"])
def test_a_tilbudsportalen_id_of_other_than_digits_is_refused(world: Any, api_as: Any, value: str) -> None:
    api = api_as(world.coordinator)
    bad = patch(api, world.dolmer, {"tilbudsportalen_id": value})
    assert bad.status_code == 422
    (error,) = bad.json()["detail"]
    assert error["loc"] == ["body", "payload", "tilbudsportalen_id"]
    assert error["msg"].startswith("Tilbudsportalen-id består kun af cifre")
    too_long = patch(api, world.dolmer, {"tilbudsportalen_id": "1" * 21})
    assert too_long.status_code == 422


def test_a_null_for_a_required_fact_is_the_forms_error(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    empty = patch(api, world.dolmer, {"name": None, "places": None, "kind": None})
    assert empty.status_code == 422
    detail = {e["loc"][-1]: e["msg"] for e in empty.json()["detail"]}
    assert detail["name"] == "Skriv tilbuddets navn."
    assert set(detail) == {"name", "kind", "places"}


def test_a_facility_manager_may_not_change_the_facts(world: Any, api_as: Any) -> None:
    api = api_as(world.manager)
    version = api.get(facility_path(world.dolmer)).json()["version"]
    refused = api.patch(facility_path(world.dolmer), {"version": version, "methods": ["krap"], "places": 3})
    assert refused.status_code == 403
    assert not world.dolmer.methods.exists()
    assert api.patch(facility_path(world.glesborg), {"version": version, "places": 3}).status_code == 404


def test_a_stale_version_is_refused(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    version = api.get(facility_path(world.dolmer)).json()["version"]
    assert api.patch(facility_path(world.dolmer), {"version": version, "places": 5}).status_code == 200
    stale = api.patch(facility_path(world.dolmer), {"version": version, "methods": ["krap"]})
    assert stale.status_code == 409
    assert not world.dolmer.methods.exists()


def test_a_version_read_before_someone_changed_a_code_list_is_stale(world: Any, api_as: Any) -> None:
    """Only a code list changed (on the page, say): the version read before is refused, so a
    client cannot replace the methods someone has just set without having seen them."""
    api = api_as(world.coordinator)
    version = api.get(facility_path(world.dolmer)).json()["version"]
    world.dolmer.methods.set(Method.objects.filter(code="krap"))  # nothing else of the row changes
    fresh = api.get(facility_path(world.dolmer)).json()["version"]
    assert fresh != version
    stale = api.patch(facility_path(world.dolmer), {"version": version, "methods": ["low-arousal"]})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == fresh
    assert list(world.dolmer.methods.values_list("code", flat=True)) == ["krap"]
    listed = {item["id"]: item["version"] for item in api.get("/facilities", page_size=100).json()["items"]}
    assert listed[world.dolmer.pk] == fresh  # the list and the single row agree
    assert api.patch(facility_path(world.dolmer), {"version": fresh, "methods": ["low-arousal"]}).status_code == 200


def test_the_list_shows_the_code_lists_in_a_fixed_number_of_queries(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)

    def listed() -> tuple[int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/facilities", page_size=100)
        assert response.status_code == 200
        return len(queries), response.json()["items"]

    world.dolmer.methods.set(Method.objects.filter(code__in=["krap", "low-arousal"]))
    listed()  # the token's first use is recorded once
    few_queries, few = listed()
    for n in range(6):
        facility = factories.facility(f"Ekstra {n}", "0707")
        facility.legal_bases.set(LegalBasis.objects.all()[:2])
        facility.target_groups.set(TargetGroup.objects.all()[:3])
        facility.methods.set(Method.objects.all()[:2])
    many_queries, many = listed()
    assert len(many) == len(few) + 6
    assert many_queries == few_queries
    # The token (with its user), the count, the page, and one query for each of the three code lists.
    assert many_queries <= 6
    dolmer = next(item for item in many if item["id"] == world.dolmer.pk)
    assert dolmer["methods"] == ["krap", "low-arousal"]
    extra = next(item for item in many if item["name"] == "Ekstra 0")
    assert len(extra["target_groups"]) == 3
    assert extra["target_groups"] == sorted(extra["target_groups"])


def test_a_coordinator_creates_a_facility_in_their_municipality_only(world: Any, api_as: Any) -> None:
    api = api_as(world.coordinator)
    payload = {
        "municipality": world.dolmer.municipality_id,
        "name": "Bostedet Skovly",
        "operator_kind": "private",
        "places": 9,
        "methods": ["krap"],
    }

    created = api.post("/facilities", payload)

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["municipality"], body["places"], body["methods"]) == (
        "Bostedet Skovly",
        world.dolmer.municipality_id,
        9,
        ["krap"],
    )
    facility = Facility.objects.get(pk=body["id"])
    assert facility.operator_kind == "private"
    entry = AuditEntry.objects.get(action="organisations.facility.created")
    assert entry.data["via"] == "api"
    assert entry.after["methods"] == ["krap"]
    # Another municipality: outside the coordinator's scope, whatever the rest says.
    elsewhere = api.post(
        "/facilities", {**payload, "name": "Andetsteds", "municipality": world.syddjurs_facility.municipality_id}
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"][0]["loc"][-1] == "municipality"
    # The page's checks, all at once: a name taken, an unknown method, a regional operator.
    refused = api.post(
        "/facilities", {**payload, "name": "dolmer have", "methods": ["ukendt"], "operator_kind": "region"}
    )
    assert refused.status_code == 422
    refused = api.post("/facilities", {**payload, "name": "dolmer have", "methods": ["ukendt"]})
    assert refused.status_code == 422
    messages = {e["loc"][-1]: e["msg"] for e in refused.json()["detail"]}
    assert messages["name"] == "Kommunen har allerede et tilbud, der hedder »Dolmer Have«."
    assert messages[0] == "Ukendt metode »ukendt«."
    assert Facility.objects.filter(name__in=["Andetsteds", "dolmer have"]).count() == 0
    assert api_as(world.manager).post("/facilities", {**payload, "name": "Lederens"}).status_code == 403
    # Without a municipality: the coordinator's own; an administrator must say which.
    own = api.post("/facilities", {"name": "Uden kommune"})
    assert own.status_code == 201, own.content
    assert own.json()["municipality"] == world.dolmer.municipality_id
    unsaid = api_as(world.admin).post("/facilities", {"name": "Administratorens"})
    assert unsaid.status_code == 422
    assert unsaid.json()["detail"][0]["loc"][-1] == "municipality"
