"""A facility with staff does not move to another municipality: the municipality is its staff's
employer and data controller, and their people and employment numbers are unique per municipality
(``staff.models``). Moving it would leave employments whose employer is not their facility's."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from styrbord.organisations.models import Facility
from styrbord.testing import factories

pytestmark = pytest.mark.django_db


def test_a_facility_with_employments_is_not_moved_to_another_municipality(world: Any) -> None:
    assert world.dolmer.employments.exists()
    world.dolmer.municipality = factories.municipality("0101")
    with pytest.raises(ValidationError) as refused:
        world.dolmer.full_clean()
    assert "kan ikke flyttes til en anden kommune" in refused.value.message_dict["municipality"][0]


def test_an_empty_facility_moves_and_a_facility_keeps_its_own_municipality(world: Any) -> None:
    empty = factories.facility("Nyt Botilbud", "0707")
    empty.municipality = factories.municipality("0101")
    empty.full_clean()
    empty.save()
    assert Facility.objects.get(pk=empty.pk).municipality.code == "0101"
    world.dolmer.name = "Dolmer Have II"
    world.dolmer.full_clean()  # the same municipality: no refusal


def test_the_administration_says_so_at_the_field(world: Any, client: Any) -> None:
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    url = f"/admin/organisations/facility/{world.dolmer.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    from styrbord.testing.forms import form_data, page_forms

    data = form_data(page_forms(page.content, "//form[@id='facility_form']")[0])
    data["municipality"] = str(factories.municipality("0101").pk)
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert "kan ikke flyttes til en anden kommune" in answer.content.decode()
    world.dolmer.refresh_from_db()
    assert world.dolmer.municipality.code == "0707"
