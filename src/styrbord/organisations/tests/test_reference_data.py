"""The official region and municipality codes are loaded by migration."""

from __future__ import annotations

import pytest

from styrbord.organisations.models import Municipality, Region
from styrbord.organisations.reference import municipalities


@pytest.mark.django_db
def test_there_are_98_municipalities_in_5_regions() -> None:
    assert Region.objects.count() == 5
    assert Municipality.objects.count() == 98
    counts = {r.code: r.municipalities.count() for r in Region.objects.all()}
    assert counts == {"1081": 11, "1082": 19, "1083": 22, "1084": 29, "1085": 17}


@pytest.mark.django_db
def test_each_municipality_is_in_its_official_region() -> None:
    expected = {m.code: m.region_code for m in municipalities()}
    actual = dict(Municipality.objects.values_list("code", "region__code"))
    assert actual == expected
    assert actual["0707"] == "1082"  # Norddjurs, Region Midtjylland
    assert actual["0316"] == "1085"  # Holbæk, Region Sjælland
    assert actual["0101"] == "1084"  # København, Region Hovedstaden


@pytest.mark.django_db
def test_christianso_is_not_a_municipality() -> None:
    assert not Municipality.objects.filter(code="0411").exists()
