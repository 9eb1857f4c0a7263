"""A refused attempt at a person's data is in the audit trail: one "Adgang nægtet" entry a request.

A walk opened people outside its scope (404) and people's pages with a role that may not see them
(403), and found no trace of either in the log. The permission helper now announces its refusals;
the audit app logs those of a person's data (a person, or a row of a person's) once the request is
answered, with the person as subject. A missing row and the site's other 404s are not logged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from styrbord.accounts.permissions import RETRIEVE, get_scoped_or_404
from styrbord.audit.models import AuditEntry
from styrbord.audit.refusals import ACTION, RefusalLogMiddleware
from styrbord.staff.models import Employee
from styrbord.testing import factories

pytestmark = pytest.mark.django_db


def _refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=ACTION).order_by("id"))


def _profile(person: Employee) -> str:
    return reverse("staff:employee_detail", kwargs={"pk": person.pk})


def test_a_person_outside_the_scope_is_a_refusal_with_the_person_as_subject(world, client) -> None:  # type: ignore[no-untyped-def]
    outside = world.syddjurs_staff[0]
    client.force_login(world.coordinator)  # Norddjurs

    assert client.get(_profile(outside)).status_code == 404

    (entry,) = _refusals()
    assert entry.kind == AuditEntry.Kind.SECURITY
    assert (entry.actor_id, entry.actor_label) == (world.coordinator.pk, "koordinator")
    assert (entry.object_type, entry.object_id, entry.subject_employee_id) == (
        "staff.employee",
        str(outside.pk),
        outside.pk,
    )
    assert entry.data == {"route": "staff:employee_detail", "method": "GET", "wanted": "retrieve", "response": 404}


def test_an_employee_opening_a_colleague_is_refused_and_logged(world, client) -> None:  # type: ignore[no-untyped-def]
    colleague = world.dolmer_staff[1]
    client.force_login(world.employee_user)
    assert client.get(_profile(colleague)).status_code == 404
    assert [e.subject_employee_id for e in _refusals()] == [colleague.pk]


def test_a_change_refused_names_what_was_wanted(world, client) -> None:  # type: ignore[no-untyped-def]
    outside = world.kbh_staff[0]
    client.force_login(world.manager)  # Dolmer Have only
    url = reverse("staff:employee_education", kwargs={"pk": outside.pk})
    assert client.post(url, {"education": "Pædagog"}).status_code == 404
    (entry,) = _refusals()
    assert (entry.subject_employee_id, entry.data["method"], entry.data["wanted"]) == (outside.pk, "POST", "update")
    outside.refresh_from_db()
    assert outside.education == ""


def test_a_row_of_a_persons_names_its_person(world, client) -> None:  # type: ignore[no-untyped-def]
    outside = world.syddjurs_staff[0]
    holding = factories.holding(outside, factories.competence(), dt.date(2026, 1, 5), source="manual")
    client.force_login(world.coordinator)
    assert client.get(reverse("staff:holding_remove", kwargs={"pk": holding.pk})).status_code == 404
    (entry,) = _refusals()
    assert (entry.object_type, entry.object_id, entry.subject_employee_id) == (
        "competences.competenceholding",
        str(holding.pk),
        outside.pk,
    )


def test_a_role_that_may_not_see_people_is_refused_and_logged(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.dolmer_staff[0]
    client.force_login(world.finance)
    assert client.get(_profile(person)).status_code == 403
    assert client.get(reverse("staff:employee_search")).status_code == 403
    profile, search = _refusals()
    assert (profile.subject_employee_id, profile.data["response"], profile.data["wanted"]) == (
        person.pk,
        403,
        "retrieve",
    )
    assert (search.subject_employee_id, search.object_type, search.data["route"]) == (None, "", "staff:employee_search")


def test_what_is_not_a_refused_persons_data_is_not_logged(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    missing = Employee.objects.order_by("-pk").first().pk + 100
    assert client.get(reverse("staff:employee_detail", kwargs={"pk": missing})).status_code == 404  # nobody
    assert client.get("/no/such/page/").status_code == 404
    facility = reverse("organisations:facility_detail", kwargs={"pk": world.kbh_facility.pk})
    assert client.get(facility).status_code == 404  # a facility outside the scope: no person's data
    assert client.get(_profile(world.dolmer_staff[0])).status_code == 200  # allowed
    assert client.get(reverse("audit:log")).status_code == 403  # not a person's route
    assert _refusals() == []


def test_the_personal_data_page_refused_by_its_own_rule_is_logged(world, client) -> None:  # type: ignore[no-untyped-def]
    """A coordinator reaches the person (in scope) but not everything held about them."""
    person = world.dolmer_staff[0]
    client.force_login(world.coordinator)
    assert client.get(reverse("audit:employee_data", kwargs={"employee_id": person.pk})).status_code == 404
    (entry,) = _refusals()
    assert (entry.subject_employee_id, entry.data["wanted"]) == (person.pk, "export")


def _middleware(view: Any) -> Any:
    return RefusalLogMiddleware(view)


def test_one_entry_a_request_written_after_the_view_outside_its_transaction(world) -> None:  # type: ignore[no-untyped-def]
    """A view that is refused twice, inside a transaction the 404 rolls back: one entry, kept."""
    first, second = world.syddjurs_staff

    def view(request: Any) -> HttpResponse:
        with contextlib.suppress(Http404):
            get_scoped_or_404(world.coordinator, RETRIEVE, "employee", Employee.objects.all(), pk=first.pk)
        try:
            with transaction.atomic():
                AuditEntry.objects.create(kind="change", action="test.rolled_back")
                get_scoped_or_404(world.coordinator, RETRIEVE, "employee", Employee.objects.all(), pk=second.pk)
        except Http404:
            return HttpResponse(status=404)
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = world.coordinator
    assert _middleware(view)(request).status_code == 404
    assert not AuditEntry.objects.filter(action="test.rolled_back").exists()
    assert [e.subject_employee_id for e in _refusals()] == [first.pk]


def test_a_view_that_recovers_from_the_404_was_not_refused(world) -> None:  # type: ignore[no-untyped-def]
    outside = world.syddjurs_staff[0]

    def view(request: Any) -> HttpResponse:
        try:
            get_scoped_or_404(world.coordinator, RETRIEVE, "employee", Employee.objects.all(), pk=outside.pk)
        except Http404:
            return HttpResponse("fundet andet")
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = world.coordinator
    assert _middleware(view)(request).status_code == 200
    assert _refusals() == []


def test_outside_a_request_the_helper_logs_nothing(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        get_scoped_or_404(world.coordinator, RETRIEVE, "employee", Employee.objects.all(), pk=world.kbh_staff[0].pk)
    assert _refusals() == []


def test_the_log_names_a_refusal_in_either_language(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    client.get(_profile(world.syddjurs_staff[0]))
    client.force_login(world.admin)
    danish = client.get("/audit/", {"kind": "security"}).content.decode()
    assert "Adgang nægtet til en persons data" in danish
    assert "<dt>Forsøgte at</dt><dd>se</dd>" in danish
    client.cookies["django_language"] = "en"
    english = client.get("/audit/", {"kind": "security"}).content.decode()
    assert "Access refused to a person&#x27;s data" in english
    assert "<dt>Tried to</dt><dd>view</dd>" in english


def test_a_failed_csrf_check_on_a_persons_page_is_not_a_refusal(world) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)
    url = reverse("staff:employee_education", kwargs={"pk": world.dolmer_staff[0].pk})
    assert client.post(url, {"education": "Pædagog"}).status_code == 403
    assert _refusals() == []
