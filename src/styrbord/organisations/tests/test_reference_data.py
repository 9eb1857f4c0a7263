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


# The municipality codes of each region, written out from DAWA's /kommuner JSON (a different
# export than the CSV the migration loads), so a wrong region in the package copy shows here.
REGION_MUNICIPALITIES = {
    "1081": "0773 0787 0810 0813 0820 0825 0840 0846 0849 0851 0860",
    "1082": "0615 0657 0661 0665 0671 0706 0707 0710 0727 0730 0740 0741 0746 0751 0756 0760 0766 0779 0791",
    "1083": "0410 0420 0430 0440 0450 0461 0479 0480 0482 0492 0510 0530 0540 0550 0561 0563 0573 0575 0580 0607 "
    "0621 0630",
    "1084": "0101 0147 0151 0153 0155 0157 0159 0161 0163 0165 0167 0169 0173 0175 0183 0185 0187 0190 0201 0210 "
    "0217 0219 0223 0230 0240 0250 0260 0270 0400",
    "1085": "0253 0259 0265 0269 0306 0316 0320 0326 0329 0330 0336 0340 0350 0360 0370 0376 0390",
}


@pytest.mark.django_db
def test_each_municipality_is_in_the_region_dawa_gives() -> None:
    expected = {code: region for region, codes in REGION_MUNICIPALITIES.items() for code in codes.split()}
    assert len(expected) == 98
    assert dict(Municipality.objects.values_list("code", "region__code")) == expected


@pytest.mark.django_db
def test_the_regions_have_their_official_names() -> None:
    assert dict(Region.objects.values_list("code", "name")) == {
        "1081": "Region Nordjylland",
        "1082": "Region Midtjylland",
        "1083": "Region Syddanmark",
        "1084": "Region Hovedstaden",
        "1085": "Region Sjælland",
    }
