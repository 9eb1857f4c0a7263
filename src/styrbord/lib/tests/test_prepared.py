"""PreparedQuery: the same rows as the ORM, with new values swapped into SQL compiled once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from styrbord.lib.prepared import PreparedQuery
from styrbord.staff.models import Employment


def _figures(day: dt.date, *facility_ids: int) -> Any:
    return (
        Employment.objects.filter(Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day)))
        .filter(facility_id__in=facility_ids)
        .order_by()
        .values("facility_id")
        .annotate(people=Count("employee_id", distinct=True), fte_sum=Sum("fte"))
        .order_by("facility_id")
    )


def test_values_rows_match_the_orm_for_new_values_of_the_same_shape(world: Any) -> None:
    prepared = PreparedQuery(_figures)
    facilities = (world.dolmer.pk, world.glesborg.pk)
    for day in (dt.date(2020, 1, 1), dt.date.today(), dt.date(2031, 6, 30)):
        assert prepared.rows(day, *facilities) == list(_figures(day, *facilities))
        assert prepared.rows(day, world.dolmer.pk) == list(_figures(day, world.dolmer.pk))
    assert all(compiled is not None for compiled in prepared._compiled.values())
    rows = prepared.rows(dt.date.today(), *facilities)
    assert {r["facility_id"] for r in rows} == set(facilities)
    assert all(isinstance(r["fte_sum"], Decimal) for r in rows)  # Django's converters ran


def test_values_list_rows_match_the_orm(world: Any) -> None:
    def names(day: dt.date, facility_id: int) -> Any:
        return (
            Employment.objects.filter(start_date__lte=day, facility_id=facility_id)
            .order_by("employee__name", "pk")
            .values_list("employee__name", "fte", "is_contact_person")
        )

    prepared = PreparedQuery(names)
    for facility in (world.dolmer, world.glesborg):
        assert prepared.rows(dt.date.today(), facility.pk) == list(names(dt.date.today(), facility.pk))


def test_a_value_that_does_not_reach_the_sql_as_is_goes_through_the_orm(world: Any) -> None:
    def search(text: str) -> Any:
        return Employment.objects.filter(employee__name__icontains=text).order_by("pk").values_list("pk")

    prepared = PreparedQuery(search)
    assert prepared.rows("dolmer") == list(search("dolmer"))
    assert prepared.rows("glesborg") == list(search("glesborg"))
    assert list(prepared._compiled.values()) == [None]  # '%dolmer%' is not the value itself
