"""The authorisation matrix: roles x tenant relations x object types x actions, against the API.

The expected outcome of each case is computed from the policy table (``can``) and a table of
which tenant relations each role's scope covers, written out below independently of
``accounts.permissions.scope``. A *leak* is a case that shows or changes something the role
may not; a *wrong denial* refuses something it may. Both must be zero. Cross-tenant reads and
writes answer 404, role-level refusals 403.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

import styrbord.api.main  # noqa: F401  (registers the operations)
from styrbord.accounts.models import Role
from styrbord.accounts.permissions import CREATE, DELETE, EXPORT, LIST, RETRIEVE, UPDATE, can
from styrbord.api.crud import current_version
from styrbord.api.registry import OPERATIONS
from styrbord.api.tests import data as matrix_data
from styrbord.api.tests.conftest import ApiClient
from styrbord.testing.logscan import report_summary

# Which tenant relations a role's scope covers (the personas of the ``world`` fixture).
SCOPE: dict[str, set[str]] = {
    Role.ADMIN: {"own", "same_municipality", "other_municipality", "other_region", "self"},
    Role.COORDINATOR: {"own", "same_municipality", "self"},
    Role.FINANCE: {"own", "same_municipality", "self"},
    Role.FACILITY_MANAGER: {"own", "self"},
    Role.EMPLOYEE: {"self"},
    Role.ANALYST: {"own", "same_municipality", "other_municipality", "self"},  # Region Midtjylland
    Role.GRANTOR: set(),
}
# Funding rows are also reached through their grantor: the grantor persona's pools are own/same_municipality.
GRANTOR_SCOPE = {"own", "same_municipality"}
FUNDING_TYPES = {"pools", "grants", "ledger"}
PERSON_TYPES = {"employees", "employments", "holdings", "bookings"}
# Shared by all tenants: every row is in every scope (the facility code lists too).
CATALOGUE_TYPES = {
    "competences",
    "courses",
    "sessions",
    "legal-bases",
    "target-groups",
    "methods",
    "regions",
    "municipalities",
}
# API collection -> key in data.objects
OBJECT_KEYS = {
    "facilities": "facility",
    "units": "unit",
    "staffing-periods": "staffing_period",
    "minimum-staffing": "facility",
    "employees": "employee",
    "employments": "employment",
    "competences": "competence",
    "holdings": "competence_holding",
    "courses": "course",
    "sessions": "session",
    "bookings": "booking",
    "requirements": "requirement",
    "pools": "pool",
    "grants": "grant",
    "ledger": "ledger",
    "legal-bases": "legal_basis",
    "target-groups": "target_group",
    "methods": "method",
    "regions": "region",
    "municipalities": "municipality",
}
_seq = itertools.count(1)


def in_scope(role: str, resource: str, relation: str) -> bool:
    if resource in CATALOGUE_TYPES:
        return True
    if role == Role.EMPLOYEE:
        return relation == "self" and resource in PERSON_TYPES
    if role == Role.GRANTOR:
        return resource in FUNDING_TYPES and relation in GRANTOR_SCOPE
    if relation == "self" and resource not in PERSON_TYPES:
        return False
    return relation in SCOPE[role]


@dataclass
class Operations:
    """The operations the API offers for one collection: action -> operation id."""

    resource: str
    object_type: str
    actions: dict[str, str]


def collections() -> list[Operations]:
    found: dict[str, Operations] = {}
    for op_id, policy in OPERATIONS.items():
        if policy.generic and policy.resource in OBJECT_KEYS:
            entry = found.setdefault(policy.resource, Operations(policy.resource, policy.object_type, {}))
            entry.actions[policy.action] = op_id
    return sorted(found.values(), key=lambda o: o.resource)


def create_payload(resource: str, relation: str, d: matrix_data.TenantData) -> dict[str, Any]:
    n = next(_seq)
    rel = relation if relation != "self" else "own"
    facility = d.facilities[rel]
    person = d.objects[relation]["employee"] if relation == "self" else d.people[rel]
    employment = d.objects[relation]["employment"] if relation == "self" else d.employments[rel]
    payloads: dict[str, dict[str, Any]] = {
        "facilities": {"municipality": facility.municipality_id, "name": f"Matrixtilbud {n}"},
        "units": {"facility": facility.pk, "name": f"Ny afdeling {n}"},
        "staffing-periods": {
            "facility": facility.pk,
            "start_date": "2027-05-01",
            "end_date": "2027-05-14",
            "minimum": 5,
        },
        "employees": {
            "person_key": f"matrix-{n}",
            "name": f"Matrixperson {n}",
            "employment": {
                "facility": facility.pk,
                "employment_number": f"MX-{n}",
                "job_group": "social_educator",
                "start_date": "2024-01-01",
            },
        },
        "employments": {
            "employee": person.pk,
            "facility": facility.pk,
            "employment_number": f"MX-{n}",
            "job_group": "social_educator",
            "start_date": "2024-01-01",
        },
        "competences": {"code": f"matrix-{n}", "name": f"Kompetence {n}", "category": "method"},
        "holdings": {"employee": person.pk, "competence": d.competence.pk, "acquired_on": "2026-01-01"},  # type: ignore[union-attr]
        "courses": {"code": f"matrix-{n}", "name": f"Kursus {n}", "provider": d.provider.pk, "kind": "amu"},  # type: ignore[union-attr]
        "bookings": {"session": d.spare_sessions[0].pk, "employee": person.pk, "employment": employment.pk},
        "requirements": {
            "name": f"Krav {n}",
            "scope_level": "facility",
            "facility": facility.pk,
            "competences": [d.competence.pk],  # type: ignore[union-attr]
        },
        "pools": {
            "grantor": d.pools[rel].grantor_id,
            "municipality": facility.municipality_id,
            "name": f"Pulje {n}",
            "total": "1000.00",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
        "grants": {"pool": d.pools[rel].pk, "facility": facility.pk, "amount": "1000.00"},
        "ledger": {
            "grant": d.grants[rel].pk,
            "kind": "commitment",
            "category": "fee",
            "amount": "10.00",
            "posted_on": "2026-06-01",
        },
    }
    return payloads[resource]


UPDATES: dict[str, dict[str, Any]] = {
    "facilities": {"places": 12},
    "units": {"name": "Omdøbt afdeling"},
    "staffing-periods": {"minimum": 6},
    "minimum-staffing": {"minimum_staff_weekend": 3},
    "employees": {"education": "Pædagog"},
    "employments": {"title": "Pædagog"},
    "competences": {"description": "Opdateret"},
    "holdings": {"evidence": "Kursusbevis"},
    "courses": {"description": "Opdateret"},
    "bookings": {"status": "booked"},
    "requirements": {"description": "Opdateret"},
    "pools": {"purpose": "Opdateret"},
    "grants": {"title": "Opdateret"},
}


@dataclass
class Case:
    role: str
    relation: str
    resource: str
    action: str
    expected: str  # "allow" or "deny"
    outcome: str = ""
    status: int = 0

    @property
    def leak(self) -> bool:
        return self.expected == "deny" and self.outcome == "allow"

    @property
    def wrong_denial(self) -> bool:
        return self.expected == "allow" and self.outcome == "deny"


def _ids_in(response: Any, action: str) -> set[int]:
    if action == LIST:
        return {item["id"] for item in response.json()["items"]}
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return {int(row[0]) for row in rows[1:] if row and row[0].isdigit()}


def run_case(api: ApiClient, case: Case, obj: Any, d: matrix_data.TenantData) -> None:
    base = f"/{case.resource}"
    with transaction.atomic():
        if case.action in (LIST, EXPORT):
            path = base if case.action == LIST else f"{base}/export.csv"
            response = api.get(path, page_size=100) if case.action == LIST else api.get(path)
            case.status = response.status_code
            if response.status_code == 200:
                case.outcome = "allow" if obj.pk in _ids_in(response, case.action) else "deny"
            else:
                case.outcome = "deny"
        elif case.action == RETRIEVE:
            response = api.get(f"{base}/{obj.pk}")
            case.status = response.status_code
            case.outcome = "allow" if response.status_code == 200 else "deny"
        elif case.action == CREATE:
            response = api.post(base, create_payload(case.resource, case.relation, d))
            case.status = response.status_code
            case.outcome = "allow" if response.status_code == 201 else "deny"
        elif case.action == UPDATE:
            obj.refresh_from_db()
            payload = {"version": current_version(obj), **UPDATES[case.resource]}
            response = api.patch(f"{base}/{obj.pk}", payload)
            case.status = response.status_code
            case.outcome = "allow" if response.status_code in (200, 409) else "deny"
        elif case.action == DELETE:
            obj.refresh_from_db()
            response = api.delete(f"{base}/{obj.pk}", version=current_version(obj))
            case.status = response.status_code
            # 409: authorised, but other rows depend on it (integrity, not authorisation).
            case.outcome = "allow" if response.status_code in (204, 409) else "deny"
        transaction.set_rollback(True)
    allowed_codes = {LIST: {200, 403}, EXPORT: {200, 403}, RETRIEVE: {200, 404}}
    expected_codes = allowed_codes.get(case.action, {200, 201, 204, 403, 404, 409, 422})
    assert case.status in expected_codes, f"{case}: unexpected status {case.status}: {response.content[:300]!r}"
    # Outside the scope the answer is 404 (as for a missing row), never a 403 that confirms it exists.
    if case.action in (RETRIEVE, UPDATE, DELETE) and not case.relation_visible:  # type: ignore[attr-defined]
        assert case.status == 404, f"{case}: cross-tenant answer {case.status}, expected 404"


def expected_outcome(
    user: Any, role: str, resource: str, object_type: str, relation: str, action: str, *, page: bool = False
) -> str:
    visible = in_scope(role, resource, relation)
    allowed = can(user, action, object_type)
    if action == EXPORT and not page:  # the API's CSV is the list in a file
        allowed = allowed and can(user, LIST, object_type)
    if action in (LIST, EXPORT, RETRIEVE, UPDATE, DELETE, CREATE):
        return "allow" if allowed and visible else "deny"
    raise AssertionError(action)


@dataclass(frozen=True)
class Special:
    """An API operation beyond the generated CRUD ones, on one object of a tenant relation."""

    operation_id: str
    collection: str  # whose scope rules apply (a key of OBJECT_KEYS)
    object_key: str  # the object in data.objects[relation] it is called for
    call: Callable[[ApiClient, Any, matrix_data.TenantData], Any]
    allowed: Callable[[Any, Any], bool]  # (response, object) -> the role got what it asked for
    outside: frozenset[int]  # the answers allowed outside the scope
    # Whom it is for, where more than the object type's policy decides (else ``expected_outcome``).
    expect: Callable[[Any, str, str, Any], str] | None = None


def whole_record(user: Any, role: str, relation: str, obj: Any) -> str:
    """Everything held about a person (the right of access): the person and the personal-data
    administrators, within their scope; not every role that may export an employee."""
    visible = in_scope(role, "employees", relation)
    mine = getattr(user, "employee_id", None) == obj.pk
    return "allow" if visible and (mine or can(user, EXPORT, "personal_data")) else "deny"


def _coverage_rows(response: Any, obj: Any) -> bool:
    return response.status_code == 200 and obj.pk in {row["facility"] for row in response.json()}


SPECIALS = [
    Special(
        "coverage_list",
        "facilities",
        "facility",
        lambda api, obj, d: api.get("/coverage", on=matrix_data.SESSION_DAY.isoformat()),
        _coverage_rows,
        frozenset({200, 403}),
    ),
    Special(
        "employee_personal_data",
        "employees",
        "employee",
        lambda api, obj, d: api.get(f"/employees/{obj.pk}/personal-data"),
        lambda r, obj: r.status_code == 200,
        frozenset({404}),
        whole_record,
    ),
    Special(
        "employee_anonymise",
        "employees",
        "employee",
        lambda api, obj, d: api.post(f"/employees/{obj.pk}/anonymise", {"version": obj.version, "reason": "Matrix"}),
        lambda r, obj: r.status_code in (200, 409),
        frozenset({404}),
    ),
    Special(
        "ledger_entry_reverse",
        "ledger",
        "ledger",
        lambda api, obj, d: api.post(
            f"/ledger/{obj.pk}/reverse", {"version": current_version(obj), "reason": "Matrix"}
        ),
        lambda r, obj: r.status_code in (201, 409),
        frozenset({404}),
    ),
    Special(
        "booking_staffing_warnings",
        "bookings",
        "booking",
        lambda api, obj, d: api.get(f"/bookings/{obj.pk}/staffing-warnings"),
        lambda r, obj: r.status_code == 200,
        frozenset({404}),
    ),
    Special(
        "booking_staffing_check",
        "bookings",
        "employment",
        lambda api, obj, d: api.post(
            "/bookings/staffing-check", {"employment": obj.pk, "session": d.spare_sessions[0].pk}
        ),
        lambda r, obj: r.status_code == 200,
        frozenset({403, 422}),  # a reference outside the scope is "not found" in the body (422)
    ),
    Special(
        "booking_group_create",
        "bookings",
        "employment",
        lambda api, obj, d: api.post(
            "/bookings/group",
            {
                "employments": [obj.pk],
                "session": d.spare_sessions[0].pk,
                "status": "planned",
                "confirm_understaffing": True,
            },
        ),
        lambda r, obj: r.status_code == 201,
        frozenset({403, 422}),
    ),
    Special(
        "session_attendance",
        "bookings",
        "booking",
        lambda api, obj, d: _register_no_show(api, obj),
        lambda r, obj: r.status_code == 200,
        frozenset({403, 422}),  # a booking outside the scope is "not found" in the body (422)
    ),
]


def _register_no_show(api: ApiClient, booking: Any) -> Any:
    """The matrix's booking is planned on a session held in March 2026: make it a booked seat first
    (the case's transaction is rolled back), then register it as a no-show through the API."""
    from styrbord.training.models import Booking

    Booking.objects.filter(pk=booking.pk).update(status="booked")
    body = {"bookings": [{"booking": booking.pk, "outcome": "no_show", "version": booking.version}]}
    return api.post(f"/sessions/{booking.session_id}/attendance", body)


def run_specials(clients: dict[str, ApiClient], personas: dict[str, Any], d: matrix_data.TenantData) -> list[Case]:
    """The same expectations for every non-generated API operation that touches tenant data."""
    cases = []
    for special in SPECIALS:
        policy = OPERATIONS[special.operation_id]
        for role, user in personas.items():
            for relation in [*matrix_data.RELATIONS, "self"]:
                obj = d.objects[relation].get(special.object_key)
                if obj is None:
                    continue
                case = Case(
                    role=role,
                    relation=relation,
                    resource=f"api {special.operation_id}",
                    action=policy.action,
                    expected=special.expect(user, role, relation, obj)
                    if special.expect
                    else expected_outcome(user, role, special.collection, policy.object_type, relation, policy.action),
                )
                with transaction.atomic():
                    obj.refresh_from_db()
                    response = special.call(clients[role], obj, d)
                    transaction.set_rollback(True)
                case.status = response.status_code
                case.outcome = "allow" if special.allowed(response, obj) else "deny"
                assert case.status < 500, f"{case}: {response.content[:300]!r}"
                if not in_scope(role, special.collection, relation):
                    assert case.status in special.outside, f"{case}: outside the scope answered {case.status}"
                cases.append(case)
    return cases


# Page exports of single objects: (URL name, collection, policy object type, URL kwargs).
PAGE_EXPORTS: list[tuple[str, str, str, Any]] = [
    ("audit:employee_export", "employees", "employee", lambda o: {"employee_id": o.pk, "fmt": "json"}),
    ("requirements:gap_export", "facilities", "coverage_gap", lambda o: {"facility_id": o.pk}),
    ("requirements:evidence_xlsx", "facilities", "evidence_sheet", lambda o: {"facility_id": o.pk}),
    ("funding:package_xlsx", "pools", "pool", lambda o: {"pk": o.pk}),
    ("funding:ledger_xlsx", "grants", "ledger", lambda o: {"pk": o.pk}),
]


def run_page_exports(personas: dict[str, Any], d: matrix_data.TenantData) -> list[Case]:
    """The same expectations for the pages that export one object's data."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    cases = []
    for role, user in personas.items():
        client = Client()
        client.force_login(user)
        for url_name, resource, object_type, kwargs in PAGE_EXPORTS:
            for relation in [*matrix_data.RELATIONS, "self"]:
                obj = d.objects[relation].get(OBJECT_KEYS[resource])
                if obj is None:
                    continue
                try:
                    url = reverse(url_name, kwargs=kwargs(obj))
                except NoReverseMatch:
                    continue
                case = Case(
                    role=role,
                    relation=relation,
                    resource=f"page {url_name}",
                    action=EXPORT,
                    expected=whole_record(user, role, relation, obj)
                    if url_name == "audit:employee_export"
                    else expected_outcome(user, role, resource, object_type, relation, EXPORT, page=True),
                )
                response = client.get(url)
                case.status = response.status_code
                assert response.status_code in (200, 403, 404), f"{case}: status {response.status_code}"
                case.outcome = "allow" if response.status_code == 200 else "deny"
                if not in_scope(role, resource, relation):
                    assert response.status_code in (403, 404), f"{case}: outside the scope answered {case.status}"
                cases.append(case)
    return cases


@pytest.mark.slow
@pytest.mark.timeout(1800)  # thousands of requests; the suite's default is 600 s
@pytest.mark.usefixtures("on_the_matrix_day")  # the data's sessions are in spring 2026
def test_the_authorisation_matrix_has_no_leak_and_no_wrong_denial(world, capsys) -> None:  # type: ignore[no-untyped-def]
    d = matrix_data.build(world)
    personas = world.personas()
    clients = {role: ApiClient(user) for role, user in personas.items()}
    cases: list[Case] = []
    for ops in collections():
        for role, user in personas.items():
            for relation in [*matrix_data.RELATIONS, "self"]:
                obj = d.objects[relation].get(OBJECT_KEYS[ops.resource])
                if obj is None:
                    continue
                for action in ops.actions:
                    case = Case(
                        role=role,
                        relation=relation,
                        resource=ops.resource,
                        action=action,
                        expected=expected_outcome(user, role, ops.resource, ops.object_type, relation, action),
                    )
                    case.relation_visible = in_scope(role, ops.resource, relation)  # type: ignore[attr-defined]
                    run_case(clients[role], case, obj, d)
                    cases.append(case)
    cases += run_specials(clients, personas, d)
    cases += run_page_exports(personas, d)
    leaks = [c for c in cases if c.leak]
    wrong = [c for c in cases if c.wrong_denial]
    by_action = Counter(c.action for c in cases)
    object_types = {ops.object_type for ops in collections()} | {
        OPERATIONS[s.operation_id].object_type for s in SPECIALS
    }
    line = (
        f"cases = {len(cases)}, leaks = {len(leaks)}, wrong denials = {len(wrong)} "
        f"({len(personas)} roles x {len(matrix_data.RELATIONS) + 1} tenant relations x "
        f"{len(object_types)} object types x actions {dict(sorted(by_action.items()))}; "
        f"{sum(c.resource.startswith('api ') for c in cases)} of them other API operations, "
        f"{sum(c.resource.startswith('page ') for c in cases)} page exports)"
    )
    report_summary("authorisation matrix", line)
    with capsys.disabled():
        print(f"\nauthorisation matrix: {line}")
    assert not leaks, "\n".join(f"LEAK {c} (status {c.status})" for c in leaks[:40])
    assert not wrong, "\n".join(f"WRONG DENIAL {c} (status {c.status})" for c in wrong[:40])
    # The matrix really exercised both outcomes.
    assert Counter(c.expected for c in cases)["allow"] > 100
    assert Counter(c.expected for c in cases)["deny"] > 100


# Operations on no tenant's rows: the analysts' suppressed aggregates (tests in test_aggregates.py).
NOT_TENANT_DATA = {"aggregate_staff", "aggregate_coverage", "aggregate_coverage_requirements"}


def test_every_api_operation_is_in_the_matrix() -> None:
    """A new operation must get matrix cases (a collection, a ``Special``) or be declared tenant-free."""
    covered = {op for ops in collections() for op in ops.actions.values()}
    covered |= {s.operation_id for s in SPECIALS} | NOT_TENANT_DATA
    missing = sorted(set(OPERATIONS) - covered)
    assert not missing, f"API operations the authorisation matrix does not exercise: {missing}"
