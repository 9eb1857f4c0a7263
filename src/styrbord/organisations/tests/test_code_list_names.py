"""The code lists (legal bases, target groups, methods) are stored in Danish and shown in the
reader's language: a seeded name translated, a name an administrator added as written."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from styrbord.lib.collation import sort_key
from styrbord.organisations import reference
from styrbord.organisations.forms import FacilityForm
from styrbord.organisations.models import LegalBasis, Method, TargetGroup
from styrbord.organisations.services import facility_facts
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for


def in_english(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # as the language switch leaves it
    return client


def describe_dolmer(world: Any) -> None:
    world.dolmer.legal_bases.set(LegalBasis.objects.filter(code="sel-108"))
    world.dolmer.target_groups.set(TargetGroup.objects.filter(code__in=["autisme", "hjerneskade"]))
    world.dolmer.methods.set(Method.objects.filter(code__in=["krap", "traumebevidst", "recovery"]))


def test_a_seeded_name_reads_in_the_active_language(world: Any) -> None:
    method = Method.objects.get(code="traumebevidst")
    group = TargetGroup.objects.get(code="udviklingshaemning")
    legal = LegalBasis.objects.get(code="sel-108")
    with translation.override("en"):
        assert (str(method), method.display_name) == ("Trauma-informed care", "Trauma-informed care")
        assert str(group) == "Intellectual disability"
        assert str(legal) == "SEL § 108 (long-term residential facility)"
        assert str(Method.objects.get(code="krap")) == "KRAP"  # the same in English
    with translation.override("da"):
        assert str(method) == "Traumebevidst omsorg"
        assert str(group) == "Udviklingshæmning"
        assert str(legal) == "SEL § 108 (længerevarende botilbud)"
    assert method.name == "Traumebevidst omsorg"  # stored (and given by the API) in Danish


def test_every_seeded_name_has_an_english_name(world: Any) -> None:
    for model, rows in ((LegalBasis, reference.LEGAL_BASES), (TargetGroup, reference.TARGET_GROUPS)):
        with translation.override("en"):
            english = {str(item) for item in model.objects.filter(code__in=[code for code, _ in rows])}
        assert len(english) == len(rows)
        assert not english & {name for _, name in rows}  # none left Danish
    with translation.override("en"):
        methods = {m.code: str(m) for m in Method.objects.all()}
    assert methods["recovery"] == "Recovery-oriented rehabilitation"
    assert methods["mentalisering"] == "Mentalization"
    assert methods["housing-first"] == "Housing First"


def test_a_name_an_administrator_added_or_changed_reads_as_written(world: Any) -> None:
    custom = Method.objects.create(code="egen-metode", name="Vores egen metode")
    # A custom name that is another message of the catalogues ("Andet" is "Other") is not one
    # of the list's seeded names: not translated either.
    other = TargetGroup.objects.create(code="andet", name="Andet")
    renamed = LegalBasis.objects.get(code="sel-107")
    renamed.name = "SEL § 107 (midlertidigt ophold)"
    renamed.save()
    # A seeded name of another list is no seeded name of this one.
    borrowed = Method.objects.create(code="laant", name="Hjemløshed")
    with translation.override("en"):
        assert str(custom) == "Vores egen metode"
        assert str(other) == "Andet"
        assert str(renamed) == "SEL § 107 (midlertidigt ophold)"
        assert str(borrowed) == "Hjemløshed"
        assert str(TargetGroup.objects.get(code="hjemloeshed")) == "Homelessness"


def test_the_facility_page_shows_the_code_lists_in_english_and_in_danish(world: Any) -> None:
    describe_dolmer(world)
    Method.objects.create(code="egen-metode", name="Vores egen metode")
    world.dolmer.methods.add(Method.objects.get(code="egen-metode"))
    url = reverse("organisations:facility_detail", args=[world.dolmer.pk])

    english = in_english(world.coordinator).get(url)
    body = english.content.decode()
    assert '<html lang="en">' in body
    for shown in (
        "SEL § 108 (long-term residential facility)",
        "Acquired brain injury, Autism spectrum disorder",  # sorted as shown, not as stored
        '<span class="badge badge-info">Trauma-informed care</span>',
        '<span class="badge badge-info">Recovery-oriented rehabilitation</span>',
        '<span class="badge badge-info">KRAP</span>',
        '<span class="badge badge-info">Vores egen metode</span>',
    ):
        assert shown in body
    for danish in (
        "længerevarende botilbud",
        "Erhvervet hjerneskade",
        "Autismespektrum",
        "Traumebevidst",
        "Recovery-orienteret",
    ):
        assert danish not in body
    facts = english.context["facts"]
    assert facts.methods == ["KRAP", "Recovery-oriented rehabilitation", "Trauma-informed care", "Vores egen metode"]

    danish_body = client_for(world.coordinator).get(url).content.decode()
    assert '<html lang="da">' in danish_body
    assert "SEL § 108 (længerevarende botilbud)" in danish_body
    assert "Autismespektrumforstyrrelse, Erhvervet hjerneskade" in danish_body
    assert "Trauma-informed care" not in danish_body


def test_the_facility_form_offers_the_code_lists_in_english_in_english_order(world: Any) -> None:
    describe_dolmer(world)
    url = reverse("organisations:facility_edit", args=[world.dolmer.pk])
    response = in_english(world.coordinator).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Intellectual disability" in body
    assert "SEL § 110 (homeless shelter)" in body
    assert "Udviklingshæmning" not in body
    assert "forsorgshjem" not in body
    form = response.context["form"]
    groups = [str(label) for _, label in form.fields["target_groups"].choices]
    assert groups == sorted(groups, key=sort_key)
    assert groups[0] == "Acquired brain injury"  # "Erhvervet hjerneskade" in Danish: not first there
    # The choices still post the rows: a checked box stays checked.
    checked = {str(v) for v in form["methods"].value()}
    assert checked == {str(m.pk) for m in world.dolmer.methods.all()}


def test_the_form_choices_follow_danish_order_in_danish(world: Any) -> None:
    with translation.override("da"):
        form = FacilityForm(instance=world.dolmer)
        groups = [str(label) for _, label in form.fields["target_groups"].choices]
    assert groups[0] == "Autismespektrumforstyrrelse"
    assert groups[-1] == "Udviklingshæmning"


def test_the_facts_are_translated_when_read_not_when_stored(world: Any) -> None:
    describe_dolmer(world)
    with translation.override("en"):
        english = facility_facts(world.dolmer.pk)
    with translation.override("da"):
        danish = facility_facts(world.dolmer.pk)
    assert english.target_groups == ["Acquired brain injury", "Autism spectrum disorder"]
    assert danish.target_groups == ["Autismespektrumforstyrrelse", "Erhvervet hjerneskade"]
    assert sorted(world.dolmer.methods.values_list("name", flat=True)) == [
        "KRAP",
        "Recovery-orienteret rehabilitering",
        "Traumebevidst omsorg",
    ]


@pytest.mark.parametrize(
    ("names", "ordered"),
    [
        (["Åben dør", "Ønske", "Æble", "Zebra", "anden"], ["anden", "Zebra", "Æble", "Ønske", "Åben dør"]),
        (["b", "A", "c"], ["A", "b", "c"]),
        (
            ["SEL § 110", "SEL § 85 + ABL § 105", "SEL § 108", "SEL § 85", "Barnets Lov § 43"],
            ["Barnets Lov § 43", "SEL § 85", "SEL § 85 + ABL § 105", "SEL § 108", "SEL § 110"],
        ),
    ],
)
def test_names_sort_case_aside_and_with_the_danish_letters_last(names: list[str], ordered: list[str]) -> None:
    assert sorted(names, key=sort_key) == ordered


def test_a_units_hr_department_id_is_shown_with_its_name(world: Any) -> None:
    """An HR file names a unit by its department id: the facility's page shows it, so a coordinator
    whose import says "unknown department id" can see which ids Styrbord knows, without the
    administration."""
    factories.unit(world.dolmer, "Afdeling Øst", hr_department_id="4711")
    factories.unit(world.dolmer, "Nattevagt")
    assert facility_facts(world.dolmer.pk).units == ["Afdeling Øst (HR-id 4711)", "Nattevagt"]
    page = client_for(world.coordinator).get(reverse("organisations:facility_detail", args=[world.dolmer.pk]))
    assert "Afdeling Øst (HR-id 4711), Nattevagt" in page.content.decode()
