"""The API's person key and employment number are unique per municipality: municipality B creates
a person and an employment with the key and number A uses (A's person untouched), duplicates
within one municipality are refused at their field, and nothing B is told mentions A."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.api.tests.conftest import ApiClient
from styrbord.staff.models import Employee, Employment
from styrbord.testing import factories


@pytest.fixture
def a_person(world: Any) -> Employee:
    person = factories.employee(name="Karen Holm", person_key="hr-shared", education="Sygeplejerske")
    factories.employment(person, world.dolmer, employment_number="LØN-1")
    return person


def _body(key: str, number: str, facility: int, **person: Any) -> dict[str, Any]:
    employment = {"facility": facility, "employment_number": number, "job_group": "social_educator"}
    return {"person_key": key, "name": "Ny Person", **person, "employment": {**employment, "start_date": "2024-01-01"}}


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_b_creates_the_key_and_number_a_uses_and_a_is_untouched(world: Any, a_person: Employee) -> None:
    api = ApiClient(world.other_coordinator)  # Syddjurs

    created = api.post("/employees", _body("hr-shared", "LØN-1", world.syddjurs_facility.pk, education="Pædagog"))

    assert created.status_code == 201, _text(created)
    body = created.json()
    assert body["municipality"] == world.syddjurs_facility.municipality_id
    assert body["id"] != a_person.pk
    a_person.refresh_from_db()
    assert (a_person.name, a_person.education) == ("Karen Holm", "Sygeplejerske")
    assert Employment.objects.get(municipality__code="0707", employment_number="LØN-1").employee_id == a_person.pk
    assert Employment.objects.get(municipality__code="0706", employment_number="LØN-1").employee_id == body["id"]
    # Each municipality's look-up by key finds its own person only.
    assert [p["id"] for p in api.get("/employees", person_key="hr-shared").json()["items"]] == [body["id"]]
    own = ApiClient(world.coordinator).get("/employees", person_key="hr-shared").json()["items"]
    assert [p["id"] for p in own] == [a_person.pk]
    # And a second employment for B's person, with another number A uses.
    factories.employment(a_person, world.glesborg, employment_number="LØN-2", is_primary=False)
    second = api.post(
        "/employments",
        {
            "employee": body["id"],
            "facility": world.syddjurs_facility.pk,
            "employment_number": "LØN-2",
            "job_group": "social_educator",
            "start_date": "2024-01-01",
        },
    )
    assert second.status_code == 201, _text(second)


@pytest.mark.django_db
def test_duplicates_within_a_municipality_are_refused_at_their_field(world: Any, a_person: Employee) -> None:
    api = ApiClient(world.coordinator)  # Norddjurs, A

    key = api.post("/employees", _body("hr-shared", "LØN-9", world.dolmer.pk))
    number = api.post("/employees", _body("hr-new", "LØN-1", world.glesborg.pk))

    assert key.status_code == 422
    assert key.json()["detail"] == [
        {
            "loc": ["body", "payload", "person_key"],
            "msg": "Der findes allerede en medarbejder med denne personnøgle.",
            "type": "employee_person_key_taken",
        }
    ]
    assert number.status_code == 422
    assert number.json()["detail"] == [
        {
            "loc": ["body", "payload", "employment", "employment_number"],
            "msg": "Der findes allerede en ansættelse med dette ansættelsesnummer.",
            "type": "employment_number_taken",
        }
    ]
    assert not Employee.objects.filter(person_key="hr-new").exists()
    english = api.post("/employees", _body("hr-shared", "LØN-9", world.dolmer.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"][0]["msg"] == "An employee with this person key already exists."


@pytest.mark.django_db
def test_b_is_told_nothing_of_a(world: Any, a_person: Employee) -> None:
    """B's own duplicates are refused with the same words; A's name, municipality or the fact that
    A uses the key never appear in anything B is answered."""
    api = ApiClient(world.other_coordinator)
    assert api.post("/employees", _body("hr-shared", "LØN-1", world.syddjurs_facility.pk)).status_code == 201

    again = api.post("/employees", _body("hr-shared", "LØN-7", world.syddjurs_facility.pk))
    number = api.post("/employees", _body("hr-other", "LØN-1", world.syddjurs_facility.pk))
    elsewhere = api.post("/employees", _body("hr-third", "LØN-8", world.dolmer.pk))  # A's facility

    for response in (again, number, elsewhere):
        assert response.status_code == 422
        text = _text(response)
        assert "Norddjurs" not in text
        assert "Karen" not in text
        assert "anden kommune" not in text
    assert [e["loc"][-1] for e in again.json()["detail"]] == ["person_key"]
    assert [e["loc"][-1] for e in number.json()["detail"]] == ["employment_number"]
    assert [e["loc"][-1] for e in elsewhere.json()["detail"]] == ["facility"]  # outside B's scope, as any id


@pytest.mark.django_db
def test_an_employment_stays_in_its_persons_municipality(world: Any, a_person: Employee) -> None:
    """An administrator sees both municipalities, yet cannot place A's person at B's facility,
    nor move A's employment there (the person's data controller would no longer be the employer)."""
    api = ApiClient(world.admin)
    job = a_person.employments.get()

    created = api.post(
        "/employments",
        {
            "employee": a_person.pk,
            "facility": world.syddjurs_facility.pk,
            "employment_number": "LØN-5",
            "job_group": "social_educator",
            "start_date": "2024-01-01",
        },
    )
    moved = api.patch(f"/employments/{job.pk}", {"version": job.version, "facility": world.syddjurs_facility.pk})

    for response in (created, moved):
        assert response.status_code == 422, _text(response)
        assert [e["loc"][-1] for e in response.json()["detail"]] == ["facility"]
    job.refresh_from_db()
    assert (job.facility_id, job.municipality_id) == (world.dolmer.pk, world.dolmer.municipality_id)


@pytest.mark.django_db
def test_a_person_without_an_employment_needs_a_municipality_the_caller_may_use(world: Any) -> None:
    admin = ApiClient(world.admin)

    nowhere = admin.post("/employees", {"person_key": "hr-solo", "name": "Solo Person"})
    placed = admin.post(
        "/employees",
        {"person_key": "hr-solo", "name": "Solo Person", "municipality": world.syddjurs_facility.municipality_id},
    )
    mismatch = ApiClient(world.coordinator).post(
        "/employees",
        {**_body("hr-mis", "LØN-6", world.dolmer.pk), "municipality": world.syddjurs_facility.municipality_id},
    )

    assert nowhere.status_code == 422
    assert nowhere.json()["detail"][0]["loc"] == ["body", "payload", "municipality"]
    assert placed.status_code == 201, _text(placed)
    assert placed.json()["municipality"] == world.syddjurs_facility.municipality_id
    assert mismatch.status_code == 422
    assert mismatch.json()["detail"][0]["loc"] == ["body", "payload", "municipality"]
    assert "Kommunen findes ikke eller er uden for dit omfang." in mismatch.json()["detail"][0]["msg"]
