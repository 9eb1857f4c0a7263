"""The permission helper: policy x scope, and 404 for anything outside the scope."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import (
    LIST,
    RETRIEVE,
    UPDATE,
    can,
    get_scoped_or_404,
    is_administrator,
    scope,
    scoped_for,
)
from styrbord.organisations.models import Facility
from styrbord.staff.models import Employee
from styrbord.testing import factories


def names(qs) -> set[str]:  # type: ignore[no-untyped-def]
    return set(qs.values_list("name", flat=True))


def test_a_facility_manager_sees_only_their_own_facility_and_its_staff(world) -> None:  # type: ignore[no-untyped-def]
    assert names(scope(world.manager, Facility.objects.all())) == {"Dolmer Have"}
    assert names(scope(world.manager, Employee.objects.all())) == {e.name for e in world.dolmer_staff}


def test_a_coordinator_sees_every_facility_of_their_municipality_only(world) -> None:  # type: ignore[no-untyped-def]
    assert names(scope(world.coordinator, Facility.objects.all())) == {"Dolmer Have", "Bofællesskaberne Glesborg"}
    visible = names(scope(world.coordinator, Employee.objects.all()))
    assert visible == {e.name for e in world.dolmer_staff + world.glesborg_staff}


def test_a_regional_analyst_may_not_list_people_but_may_read_aggregates(world) -> None:  # type: ignore[no-untyped-def]
    assert not can(world.analyst, LIST, "employee")
    assert scoped_for(world.analyst, LIST, "employee", Employee.objects.all()).count() == 0
    assert can(world.analyst, LIST, "aggregate")
    # Region Midtjylland: Norddjurs and Syddjurs facilities, not København.
    assert names(scope(world.analyst, Facility.objects.all())) == {
        "Dolmer Have",
        "Bofællesskaberne Glesborg",
        "Syddjurs Botilbud",
    }
    assert scope(world.national_analyst, Facility.objects.all()).count() == 4


def test_an_employee_sees_only_themselves(world) -> None:  # type: ignore[no-untyped-def]
    assert list(scope(world.employee_user, Employee.objects.all())) == [world.dolmer_staff[0]]
    assert scope(world.employee_user, Facility.objects.all()).count() == 0


def test_another_tenants_object_answers_404_like_a_missing_one(world) -> None:  # type: ignore[no-untyped-def]
    own = get_scoped_or_404(world.manager, RETRIEVE, "facility", Facility.objects.all(), pk=world.dolmer.pk)
    assert own == world.dolmer
    with pytest.raises(Http404):
        get_scoped_or_404(world.manager, RETRIEVE, "facility", Facility.objects.all(), pk=world.glesborg.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(world.other_coordinator, RETRIEVE, "facility", Facility.objects.all(), pk=world.dolmer.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(world.manager, RETRIEVE, "facility", Facility.objects.all(), pk=999_999)


def test_a_role_without_the_action_is_refused_even_inside_its_scope(world) -> None:  # type: ignore[no-untyped-def]
    assert not can(world.manager, UPDATE, "facility")
    with pytest.raises(Http404):
        get_scoped_or_404(world.manager, UPDATE, "facility", Facility.objects.all(), pk=world.dolmer.pk)


def test_anonymous_users_see_nothing(world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    assert scope(AnonymousUser(), Facility.objects.all()).count() == 0
    assert not can(AnonymousUser(), LIST, "facility")


def test_only_the_administrator_role_or_a_superuser_is_an_administrator(world) -> None:  # type: ignore[no-untyped-def]
    assert is_administrator(world.admin)
    superuser = factories.user(Role.COORDINATOR, "superkoordinator", municipality=world.coordinator.municipality)
    superuser.is_superuser = True
    assert is_administrator(superuser)
    for user in (world.coordinator, world.manager, world.analyst, world.national_analyst, AnonymousUser()):
        assert not is_administrator(user)
    # The administrator's scope is everything; nobody else's is.
    assert scope(world.admin, Facility.objects.all()).count() == Facility.objects.count()
    assert scope(world.coordinator, Facility.objects.all()).count() < Facility.objects.count()
