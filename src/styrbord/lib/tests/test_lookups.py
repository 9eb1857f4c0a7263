"""``field__any_of``: the same rows as ``field__in``, for any number of values, on both databases."""

from __future__ import annotations

import pytest

from styrbord.lib import lookups  # noqa: F401  (registers field__any_of)
from styrbord.staff.models import JobCode, JobGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes() -> list[JobCode]:
    return JobCode.objects.bulk_create(
        [JobCode(code=f"LK-{n}", name=f"Kode {n} æøå", job_group=JobGroup.SOCIAL_EDUCATOR) for n in range(5)]
    )


def test_strings_match_as_with_in(codes: list[JobCode]) -> None:
    wanted = ["LK-1", "LK-3", "LK-ukendt", "lk-1"]

    found = set(JobCode.objects.filter(code__any_of=wanted).values_list("code", flat=True))

    assert found == {"LK-1", "LK-3"}
    assert found == set(JobCode.objects.filter(code__in=wanted).values_list("code", flat=True))


def test_integers_and_a_list_longer_than_any_parameter_limit(codes: list[JobCode]) -> None:
    ids = [c.pk for c in codes[:2]] + list(range(10**9, 10**9 + 100_000))

    assert sorted(JobCode.objects.filter(pk__any_of=ids).values_list("code", flat=True)) == ["LK-0", "LK-1"]


def test_an_empty_list_matches_nothing_and_excluding_it_everything(codes: list[JobCode]) -> None:
    assert not JobCode.objects.filter(code__any_of=[]).exists()
    assert JobCode.objects.filter(code__startswith="LK-").exclude(code__any_of=["LK-0"]).count() == 4


def test_other_value_types_are_refused(codes: list[JobCode]) -> None:
    with pytest.raises(TypeError):
        list(JobCode.objects.filter(code__any_of=[True]))


def test_a_set_is_taken_as_it_is_and_matches_as_a_list(codes: list[JobCode]) -> None:
    wanted = {"LK-2", "LK-4", "LK-ukendt"}

    assert set(JobCode.objects.filter(code__any_of=wanted).values_list("code", flat=True)) == {"LK-2", "LK-4"}


def test_mixed_types_are_refused_whichever_comes_first(codes: list[JobCode]) -> None:
    class Code(str):
        pass

    assert JobCode.objects.filter(code__any_of=[Code("LK-1")]).count() == 1  # a str subclass is a string
    for values in (["LK-1", 2.5], [2.5, "LK-1"], ["LK-1", b"LK-2"]):
        with pytest.raises(TypeError):
            list(JobCode.objects.filter(code__any_of=values))


# --- field__in and integers no column can hold ------------------------------------------------

HUGE = 10**20  # beyond 64 bits: SQLite's driver refused it with OverflowError


def test_in_leaves_out_integers_beyond_the_column(codes: list[JobCode]) -> None:
    kept = codes[0].pk

    assert list(JobCode.objects.filter(pk__in=[kept, HUGE, -HUGE]).values_list("pk", flat=True)) == [kept]
    assert not JobCode.objects.filter(pk__in=[HUGE]).exists()
    assert JobCode.objects.exclude(pk__in=[HUGE]).count() == len(codes)
    # A subquery is left as it is.
    assert JobCode.objects.filter(pk__in=JobCode.objects.filter(pk=kept).values("pk")).count() == 1


def test_in_on_a_foreign_key_leaves_them_out_too() -> None:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(JobCode)
    expected = set(Permission.objects.filter(content_type=kind))

    assert expected
    assert set(Permission.objects.filter(content_type__in=[kind.pk, HUGE])) == expected
    assert set(Permission.objects.filter(content_type_id__in=[kind, -HUGE])) == expected
    assert not Permission.objects.filter(content_type__in=[HUGE]).exists()


def test_a_form_choosing_an_id_beyond_the_column_is_invalid_not_an_error(codes: list[JobCode]) -> None:
    from django import forms

    class Choose(forms.Form):
        codes = forms.ModelMultipleChoiceField(JobCode.objects.all())
        code = forms.ModelChoiceField(JobCode.objects.all())

    form = Choose({"codes": [codes[0].pk, str(HUGE)], "code": str(HUGE)})

    assert not form.is_valid()
    assert set(form.errors) == {"codes", "code"}
