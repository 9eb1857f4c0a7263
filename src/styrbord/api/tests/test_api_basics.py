"""The API's ground rules: tokens, scoping, paging, optimistic locking, audit of changes and reads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from styrbord.audit.models import AuditEntry
from styrbord.staff.models import Employee, Employment


def test_the_api_refuses_requests_without_a_valid_token(world, client) -> None:  # type: ignore[no-untyped-def]
    missing = client.get("/api/v1/employees")
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Mangler et gyldigt API-token (Authorization: Bearer sb_…)."}
    bad = client.get("/api/v1/employees", HTTP_AUTHORIZATION="Bearer sb_not-a-token", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 401
    assert bad.json() == {"detail": "A valid API token is missing (Authorization: Bearer sb_…)."}


def test_a_revoked_token_stops_working_at_once(world, api_as) -> None:  # type: ignore[no-untyped-def]
    from styrbord.accounts.models import ApiToken
    from styrbord.accounts.tokens import revoke_token

    api = api_as(world.coordinator)
    assert api.get("/employees").status_code == 200
    revoke_token(ApiToken.objects.get(user=world.coordinator), world.coordinator)
    assert api.get("/employees").status_code == 401


def test_a_list_shows_only_the_users_scope(world, api_as) -> None:  # type: ignore[no-untyped-def]
    body = api_as(world.manager).get("/employees").json()
    assert {item["id"] for item in body["items"]} == {e.pk for e in world.dolmer_staff}
    assert body["count"] == len(world.dolmer_staff)


def test_another_tenants_row_answers_404(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.manager)
    other = api.get(f"/employees/{world.kbh_staff[0].pk}")
    assert other.status_code == 404
    # The same words as for a row that does not exist: nothing tells the two apart.
    assert other.json() == {"detail": "Findes ikke, eller ligger uden for dit omfang."}
    assert api.get("/employees/99999999").json() == other.json()
    assert api.get(f"/employees/{world.dolmer_staff[0].pk}").status_code == 200


def test_a_role_without_the_right_gets_403_on_a_list(world, api_as) -> None:  # type: ignore[no-untyped-def]
    assert api_as(world.analyst).get("/employees").status_code == 403


def test_page_size_above_the_maximum_is_refused_and_pages_are_cut(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.admin)
    assert api.get("/employees", page_size=101).status_code == 422
    first = api.get("/employees", page_size=2, page=1).json()
    second = api.get("/employees", page_size=2, page=2).json()
    assert first["count"] == Employee.objects.count()
    assert len(first["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    beyond = api.get("/employees", page_size=2, page=999).json()
    assert beyond["items"] == []


def test_a_stale_write_answers_409_and_changes_nothing(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.coordinator)
    person = world.dolmer_staff[1]
    read = api.get(f"/employees/{person.pk}").json()
    first = api.patch(f"/employees/{person.pk}", {"version": read["version"], "education": "Pædagog"})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == read["version"] + 1
    stale = api.patch(f"/employees/{person.pk}", {"version": read["version"], "education": "Sygeplejerske"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == read["version"] + 1
    person.refresh_from_db()
    assert person.education == "Pædagog"


def test_a_digest_version_protects_models_without_a_version_field(world, api_as) -> None:  # type: ignore[no-untyped-def]
    from styrbord.testing import factories

    holding = factories.holding(
        world.dolmer_staff[0], factories.competence(), acquired_on=__import__("datetime").date(2024, 1, 1)
    )
    api = api_as(world.manager)
    read = api.get(f"/holdings/{holding.pk}").json()
    ok = api.patch(f"/holdings/{holding.pk}", {"version": read["version"], "evidence": "Kursusbevis"})
    assert ok.status_code == 200
    assert ok.json()["version"] != read["version"]
    assert api.patch(f"/holdings/{holding.pk}", {"version": read["version"], "evidence": "x"}).status_code == 409


def test_a_change_is_audited_with_before_and_after_without_the_persons_name(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.coordinator)
    person = world.dolmer_staff[1]
    version = api.get(f"/employees/{person.pk}").json()["version"]
    api.patch(f"/employees/{person.pk}", {"version": version, "name": "Nyt Navn", "education": "SOSU"})
    entry = AuditEntry.objects.get(action="staff.employee.updated")
    assert entry.actor_id == world.coordinator.pk
    assert entry.subject_employee_id == person.pk
    assert entry.before["education"] == ""
    assert entry.after["education"] == "SOSU"
    assert "Nyt Navn" not in str(entry.after)
    assert person.name not in str(entry.before)


def test_reading_a_person_is_access_logged(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api_as(world.manager).get(f"/employees/{world.dolmer_staff[0].pk}")
    assert AuditEntry.objects.filter(
        kind=AuditEntry.Kind.ACCESS, action="api.staff.employee.viewed", subject_employee_id=world.dolmer_staff[0].pk
    ).exists()


def test_creating_outside_the_scope_is_refused(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.manager)
    payload = {
        "person_key": "hr-123",
        "name": "Ny Medarbejder",
        "employment": {
            "facility": world.glesborg.pk,
            "employment_number": "N-1",
            "job_group": "social_educator",
            "start_date": "2026-01-01",
        },
    }
    assert api.post("/employees", payload).status_code == 422
    payload["employment"]["facility"] = world.dolmer.pk  # type: ignore[index]
    created = api.post("/employees", payload)
    assert created.status_code == 201, created.content
    assert Employment.objects.filter(employee_id=created.json()["id"], facility=world.dolmer).exists()


def test_a_broken_database_rule_is_named_in_the_language_asked_for(world, api_as) -> None:  # type: ignore[no-untyped-def]
    """The constraint's own message, not "Begrænsning »employment_end_after_start« er overtrådt"."""
    api = api_as(world.admin)
    employment = world.dolmer_staff[0].employments.get()
    start = employment.start_date
    payload = {
        "version": api.get(f"/employments/{employment.pk}").json()["version"],
        "end_date": (start - dt.timedelta(days=1)).isoformat(),
    }
    danish = api.patch(f"/employments/{employment.pk}", payload)
    assert danish.status_code == 422, danish.content
    assert [(e["loc"][-1], e["msg"]) for e in danish.json()["detail"]] == [
        ("end_date", "Ansættelsen slutter, før den begynder.")
    ]
    assert danish.json()["detail"][0]["type"] == "employment_end_after_start"
    english = api.patch(f"/employments/{employment.pk}", payload, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 422, english.content
    assert [e["msg"] for e in english.json()["detail"]] == ["The employment ends before it begins."]
    employment.refresh_from_db()
    assert employment.end_date is None


def test_a_date_outside_the_calendar_is_refused_at_its_field(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.admin)
    employment = world.dolmer_staff[0].employments.get()
    payload = {"version": api.get(f"/employments/{employment.pk}").json()["version"], "end_date": "9999-12-31"}

    refused = api.patch(f"/employments/{employment.pk}", payload)

    assert refused.status_code == 422, refused.content
    assert [(e["loc"][-1], e["msg"]) for e in refused.json()["detail"]] == [
        ("end_date", "Datoen skal ligge mellem 01-01-1900 og 31-12-2199.")
    ]
    english = api.patch(f"/employments/{employment.pk}", payload, HTTP_ACCEPT_LANGUAGE="en")
    assert [e["msg"] for e in english.json()["detail"]] == ["The date must lie between 01 Jan 1900 and 31 Dec 2199."]
    employment.refresh_from_db()
    assert employment.end_date is None
    # A query date too: ?on=9999-12-31 ran a month series past year 9999 (a server error).
    query = api.get("/coverage?on=9999-12-31")
    assert query.status_code == 422, query.content
    assert [(e["loc"][-1], e["msg"]) for e in query.json()["detail"]] == [
        ("on", "Datoen skal ligge mellem 01-01-1900 og 31-12-2199.")
    ]
    assert api.get("/coverage?on=2199-12-31").status_code == 200


def test_an_amount_with_too_many_digits_or_decimals_is_refused_in_the_clients_language(world, api_as) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.tests import helpers

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="1000")
    api = api_as(world.finance)
    version = api.get(f"/grants/{grant.pk}").json()["version"]
    for amount, danish, english in [
        ("700.005", "Højst 2 decimaler.", "At most 2 decimal places."),
        ("1e30", "Højst 14 cifre i alt.", "At most 14 digits in total."),
    ]:
        refused = api.patch(f"/grants/{grant.pk}", {"version": version, "amount": amount})
        assert refused.status_code == 422, refused.content
        assert [(e["loc"][-1], e["msg"]) for e in refused.json()["detail"]] == [("amount", danish)]
        in_english = api.patch(f"/grants/{grant.pk}", {"version": version, "amount": amount}, HTTP_ACCEPT_LANGUAGE="en")
        assert [e["msg"] for e in in_english.json()["detail"]] == [english]


def test_a_cpr_number_is_refused_as_person_key(world, api_as) -> None:  # type: ignore[no-untyped-def]
    response = api_as(world.admin).post("/employees", {"person_key": "010190-1234", "name": "X"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_key", "0101 90 1234"),
        ("person_key", "01.01.90-1234"),
        ("person_key", "0101901234"),
        ("name", "Anne 010190-1234"),
    ],
)
def test_a_cpr_number_written_any_way_is_refused_in_a_key_or_a_name(world, api_as, field, value) -> None:  # type: ignore[no-untyped-def]
    """'0101 90 1234' and '01.01.90-1234' passed as person keys, and a name could carry one."""
    payload = {"person_key": "hr-cpr-test", "name": "Anne Test", field: value}
    response = api_as(world.admin).post("/employees", payload)
    assert response.status_code == 422, response.content.decode()
    assert "CPR-nummer" in response.content.decode()
    # The message alone, as the other field errors read (pydantic put "Value error, " before it).
    (detail,) = [d for d in response.json()["detail"] if d["loc"][-1] == field]
    assert detail["msg"] in ("Navnet må ikke indeholde et CPR-nummer.", "Personnøglen må ikke være et CPR-nummer.")
    patched = api_as(world.admin).patch(
        f"/employees/{world.dolmer_staff[0].pk}", {"version": world.dolmer_staff[0].version, "name": "Bo 0101901234"}
    )
    assert patched.status_code == 422


def test_deleting_a_referenced_row_answers_409(world, api_as) -> None:  # type: ignore[no-untyped-def]
    from styrbord.testing import factories

    competence = factories.competence()
    factories.holding(world.dolmer_staff[0], competence, acquired_on=__import__("datetime").date(2024, 1, 1))
    api = api_as(world.admin)
    version = api.get(f"/competences/{competence.pk}").json()["version"]
    assert api.delete(f"/competences/{competence.pk}", version=version).status_code == 409


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"])
def test_csv_exports_neutralise_formulas(world, api_as, value) -> None:  # type: ignore[no-untyped-def]
    person = world.dolmer_staff[0]
    Employee.objects.filter(pk=person.pk).update(education=value)
    response = api_as(world.manager).get("/employees/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    education = {row["id"]: row["uddannelse"] for row in rows}
    assert education[str(person.pk)] == "'" + value
    assert 'attachment; filename="employees-' in response["Content-Disposition"]


def test_a_facilitys_weekend_minimum_is_set_and_cleared_over_the_api(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.coordinator)
    read = api.get(f"/facilities/{world.dolmer.pk}").json()
    assert read["minimum_staff_weekend"] is None
    set_ = api.patch(f"/facilities/{world.dolmer.pk}", {"version": read["version"], "minimum_staff_weekend": 2})
    assert set_.status_code == 200, set_.content
    assert set_.json()["minimum_staff_weekend"] == 2
    world.dolmer.refresh_from_db()
    assert world.dolmer.minimums([dt.date(2027, 1, 9)]) == {dt.date(2027, 1, 9): 2}  # a Saturday
    cleared = api.patch(
        f"/facilities/{world.dolmer.pk}", {"version": set_.json()["version"], "minimum_staff_weekend": None}
    )
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["minimum_staff_weekend"] is None
    negative = api.patch(
        f"/facilities/{world.dolmer.pk}", {"version": cleared.json()["version"], "minimum_staff_weekend": -1}
    )
    assert negative.status_code == 422


def test_a_manager_adds_a_staffing_period_to_their_own_facility_only(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.manager)
    period = {"facility": world.dolmer.pk, "start_date": "2027-02-01", "end_date": "2027-02-14", "minimum": 4}
    created = api.post("/staffing-periods", {**period, "reason": "1:1-støtte"})
    assert created.status_code == 201, created.content
    assert world.dolmer.minimums([dt.date(2027, 2, 6)]) == {dt.date(2027, 2, 6): 4}  # a Saturday in it
    backwards = api.post("/staffing-periods", {**period, "end_date": "2027-01-20"})
    assert backwards.status_code == 422
    (error,) = backwards.json()["detail"]
    assert error["loc"][-1] == "end_date"
    assert error["msg"].startswith("Perioden slutter, før den begynder")
    typo = api.post("/staffing-periods", {**period, "minimum": 2147483647})
    assert typo.status_code == 422
    assert [(e["loc"][-1], e["msg"]) for e in typo.json()["detail"]] == [("minimum", "Må højst være 999.")]
    elsewhere = api.post("/staffing-periods", {**period, "facility": world.glesborg.pk})
    assert elsewhere.status_code == 422
    assert world.dolmer.staffing_periods.count() == 1
    assert not world.glesborg.staffing_periods.exists()
    assert [p["id"] for p in api.get("/staffing-periods").json()["items"]] == [created.json()["id"]]


def test_a_manager_sets_their_own_facilitys_weekday_and_weekend_minimum_only(world, api_as) -> None:  # type: ignore[no-untyped-def]
    """As on the page: the staffing policy, not the right to change the facility itself."""
    api = api_as(world.manager)
    listed = api.get("/minimum-staffing").json()["items"]
    assert [row["id"] for row in listed] == [world.dolmer.pk]
    version = listed[0]["version"]
    changed = api.patch(f"/minimum-staffing/{world.dolmer.pk}", {"version": version, "minimum_staff_weekend": 2})
    assert changed.status_code == 200, changed.content
    world.dolmer.refresh_from_db()
    assert world.dolmer.minimum_staff_weekend == 2
    assert world.dolmer.minimum_on(dt.date(2026, 12, 25), []) == 2  # Christmas Day: the weekend minimum
    stale = api.patch(f"/minimum-staffing/{world.dolmer.pk}", {"version": version, "minimum_staff": 9})
    assert stale.status_code == 409
    cleared = api.patch(
        f"/minimum-staffing/{world.dolmer.pk}", {"version": changed.json()["version"], "minimum_staff_weekend": None}
    )
    assert cleared.json()["minimum_staff_weekend"] is None
    assert api.patch(f"/minimum-staffing/{world.glesborg.pk}", {"version": 1, "minimum_staff": 9}).status_code == 404
    assert api.patch(f"/facilities/{world.dolmer.pk}", {"version": 1, "minimum_staff": 9}).status_code == 403
    assert AuditEntry.objects.filter(action="organisations.facility.updated", actor_id=world.manager.pk).count() == 2
    finance = api_as(world.finance)
    assert finance.get("/minimum-staffing").status_code == 403


def test_a_certificate_sent_twice_is_registered_once(world, api_as) -> None:  # type: ignore[no-untyped-def]
    """A synchronisation run again (or a retried request) must not register a certificate twice."""
    from styrbord.competences.models import CompetenceHolding
    from styrbord.testing import factories

    competence = factories.competence()
    api = api_as(world.manager)
    payload = {"employee": world.dolmer_staff[0].pk, "competence": competence.pk, "acquired_on": "2025-03-15"}
    assert api.post("/holdings", payload).status_code == 201
    again = api.post("/holdings", payload)
    assert again.status_code == 422
    (error,) = again.json()["detail"]
    assert error["loc"][-1] == "acquired_on"
    assert error["msg"] == "Medarbejderen har allerede denne kompetence registreret med denne dato."
    assert CompetenceHolding.objects.filter(employee=world.dolmer_staff[0], competence=competence).count() == 1


def test_the_api_can_be_found_from_the_pages(world, client) -> None:  # type: ignore[no-untyped-def]
    """/api/ leads to the documentation, and every page's footer links to the user's API keys."""
    root = client.get("/api/")
    assert (root.status_code, root["Location"]) == (302, "/api/v1/docs")
    assert 'id="api-tokens"' not in client.get("/konto/login/").content.decode()  # not before logging in
    client.force_login(world.coordinator)
    page = client.get("/").content.decode()
    assert '<a href="/konto/api-tokens/" id="api-tokens">API-tokens</a>' in page
    assert client.get("/konto/api-tokens/").status_code == 200


def test_input_errors_say_what_is_wrong_and_where_in_the_requests_language(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(world.coordinator)
    bad_filter = api.get("/bookings", status="nonsense", page_size="x")
    assert bad_filter.status_code == 422
    errors = {tuple(e["loc"]): (e["type"], e["msg"]) for e in bad_filter.json()["detail"]}
    assert errors[("query", "page_size")] == ("int_parsing", "Skal være et heltal.")
    assert errors[("query", "status")][1].startswith("Skal være en af: 'planned', 'waitlisted'")
    assert errors[("query", "status")][1].endswith(" eller 'no_show'.")  # not pydantic's English "or"
    english_filter = api.client.get("/api/v1/bookings", {"status": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english_filter.json()["detail"][0]["msg"].endswith(" or 'no_show'.")
    missing = api.post("/bookings", {"session": 1})
    assert {tuple(e["loc"]): e["msg"] for e in missing.json()["detail"]}[("body", "payload", "employee")] == (
        "Feltet skal udfyldes."
    )
    english = api.client.get("/api/v1/coverage", {"on": "2026-13-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"][0]["msg"] == "Must be a date as YYYY-MM-DD."
