"""apply_choices: a chosen value filters, an empty one does not; query_without drops only the named parameters."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from styrbord.lib.filtering import apply_choices, query_without
from styrbord.organisations.models import Facility
from styrbord.testing import factories

pytestmark = pytest.mark.django_db


def test_each_chosen_value_narrows_and_empty_ones_are_skipped() -> None:
    big = factories.facility("Store Hus", "0707", places=40)
    factories.facility("Lille Hus", "0707", places=6)
    everything = Facility.objects.all()
    lookups = {"name": "name__icontains", "places": "places__gte"}

    assert set(apply_choices(everything, {"name": "", "places": None}, lookups)) == set(everything)
    assert list(apply_choices(everything, {"name": "store", "places": None}, lookups)) == [big]
    assert list(apply_choices(everything, {"name": "hus", "places": 20}, lookups)) == [big]
    assert not apply_choices(everything, {"name": "hus", "places": 41}, lookups).exists()
    assert set(apply_choices(everything, {}, lookups)) == set(everything)  # a field not chosen at all


def test_query_without_keeps_every_filter_and_repeated_values_but_drops_the_named_ones() -> None:
    params = QueryDict("status=planned&status=booked&side=3&sort=-navn&q=%C3%86bler")
    assert query_without(params, "side", "sort") == "status=planned&status=booked&q=%C3%86bler"
    assert query_without(params) == params.urlencode()
    assert params["side"] == "3"  # the request's own parameters are left as they were
