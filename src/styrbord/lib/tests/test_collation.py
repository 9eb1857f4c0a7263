"""Danish alphabetical order: the Python key, the database's order (SQLite and PostgreSQL), and
the lists people read."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection

from styrbord.competences.models import Competence
from styrbord.lib.collation import COLLATION, collated, compare, fold, like, sort_key
from styrbord.organisations.models import Facility, Municipality
from styrbord.staff.models import Employee
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for

# The order PostgreSQL's ICU collation "da-u-kn-true" gives (read off the CI's server): æ, ø, å
# after z with "aa" as å, case and accents only breaking ties (upper case first), numbers by value.
DANISH_ORDER = [
    "Arhus",
    "Bo 2",
    "Bo 10",
    "bofællesskab",
    "Eb",
    "Ébo",
    "Zebra",
    "Æble",
    "æble",
    "Ærtebjerg",
    "Østergården",
    "Aabenraa",
    "Åhuset",
    "Ålborg",
    "aarhus",
]


def shuffled(names: list[str]) -> list[str]:
    names = list(names)
    random.Random(7).shuffle(names)
    return names


def test_the_key_orders_names_as_a_danish_reader_expects() -> None:
    assert sorted(shuffled(DANISH_ORDER), key=sort_key) == DANISH_ORDER


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ærtebjerg", "Åhuset"),
        ("bofællesskab", "Caféen"),
        ("SEL § 85", "SEL § 107"),
        ("Ebo", "Ébo"),  # the accent breaks the tie only
        ("Anders", "anders"),  # upper case first
        ("Zenia", "Ærø"),
        ("Mylius", "Müller"),  # ü is a y in Danish: "Myller" comes after "Mylius"
    ],
)
def test_compare_is_the_sqlite_collation_of_the_key(first: str, second: str) -> None:
    assert compare(first, second) < 0
    assert compare(second, first) > 0
    assert compare(first, first) == 0


def test_only_identical_names_compare_equal() -> None:
    # A unique index or DISTINCT under the collation must not merge two different names.
    assert compare("Anders", "anders") != 0
    assert compare("Ebo", "Ébo") != 0


@pytest.mark.django_db
def test_the_database_orders_in_danish(reference_data: None) -> None:
    municipality = Municipality.objects.get(code="0707")
    for name in shuffled(DANISH_ORDER):
        Facility.objects.create(name=name, municipality=municipality)
    ordered = list(Facility.objects.order_by(collated("name"), "pk").values_list("name", flat=True))
    assert ordered == DANISH_ORDER, connection.vendor
    descending = list(Facility.objects.order_by(collated("-name")).values_list("name", flat=True))
    assert descending == DANISH_ORDER[::-1]


@pytest.mark.django_db
def test_the_collation_exists_on_the_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = %s", [COLLATION])
            assert cursor.fetchone() == ("i",)  # ICU
        else:
            cursor.execute(f"SELECT x FROM (SELECT 'b' AS x UNION ALL SELECT 'Å') ORDER BY x COLLATE \"{COLLATION}\"")
            assert [row[0] for row in cursor.fetchall()] == ["b", "Å"]


@pytest.mark.django_db
def test_catalogue_lists_read_in_danish_by_default() -> None:
    for name in ["Østrig-kursus", "Anerkendende tilgang", "åben dialog", "Æstetik", "bostøtte"]:
        factories.competence(name=name)
    names = [
        c.name
        for c in Competence.objects.filter(
            name__in=["Østrig-kursus", "Anerkendende tilgang", "åben dialog", "Æstetik", "bostøtte"]
        )
    ]
    assert names == ["Anerkendende tilgang", "bostøtte", "Æstetik", "Østrig-kursus", "åben dialog"]


def test_the_facility_list_and_page_read_in_danish_order(world: Any) -> None:
    for name in ["Åhuset", "Ærtebjerg", "bostedet Kastanjen"]:
        factories.facility(name, "0707")
    body = client_for(world.coordinator).get("/tilbud/").content.decode()
    places = [
        body.index(name)
        for name in ["Bofællesskaberne Glesborg", "bostedet Kastanjen", "Dolmer Have", "Ærtebjerg", "Åhuset"]
    ]
    assert places == sorted(places)

    for name in ["Åse Holm", "Ærling Bak", "anna Berg", "Bo Dam"]:
        factories.employment(
            Employee.objects.create(municipality=world.dolmer.municipality, name=name, person_key=f"key-{name}"),
            world.dolmer,
        )
    body = client_for(world.coordinator).get(f"/tilbud/{world.dolmer.pk}/").content.decode()
    places = [body.index(name) for name in ["anna Berg", "Bo Dam", "Ærling Bak", "Åse Holm"]]
    assert places == sorted(places)


@pytest.mark.parametrize(
    ("pattern", "value", "escape", "matches"),
    [
        ("%å%", "Åhuset", "\\", True),
        ("øst%", "Østergården", None, True),
        ("%ÆSA%", "Æsa Thomsen", "\\", True),
        ("a_c", "ABC", None, True),
        ("a_c", "abbc", None, False),
        ("100\\%", "100%", "\\", True),
        ("100\\%", "1000", "\\", False),
        ("under\\_", "underX", "\\", False),
        ("%", "", None, True),
        ("multi%line", "Multi\nline", None, True),
    ],
)
def test_like_ignores_the_case_of_every_letter(pattern: str, value: str, escape: str | None, matches: bool) -> None:
    assert like(pattern, value, escape) is matches


def test_like_with_null_is_null() -> None:
    assert like(None, "x") is None
    assert like("x", None) is None
    assert like("4%", 42) is True  # a number is compared as its text, as SQLite does


@pytest.mark.django_db
def test_searches_find_æ_ø_å_whatever_their_case(world: Any) -> None:
    """SQLite's own LIKE ignored case only for a-z: "å" did not find "Åhuset"."""
    for name in ["Åhuset", "østergården", "Ærtebjerg"]:
        factories.facility(name, "0707")
    client = client_for(world.coordinator)
    for query, found in [("å", "Åhuset"), ("Øst", "østergården"), ("ÆRTE", "Ærtebjerg")]:
        body = client.get("/tilbud/", {"q": query}).content.decode()
        assert found in body, (query, connection.vendor)
    assert "Dolmer Have" not in client.get("/tilbud/", {"q": "å"}).content.decode()

    factories.employment(
        Employee.objects.create(municipality=world.dolmer.municipality, name="Æsa Thomsen", person_key="key-aesa"),
        world.dolmer,
    )
    page = client.post("/medarbejdere/", {"navn": "æsa"}).content.decode()  # names go in the body, not the URL
    assert "Æsa Thomsen" in page
    assert Facility.objects.filter(name__iexact="ÅHUSET").count() == 1


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("René", "rene"),
        ("MÜLLER", "muller"),
        ("Björk", "bjørk"),  # ä and ö are the Danish æ and ø
        ("Ärlig", "ærlig"),
        ("Østergård", "østergård"),  # æ, ø and å are letters of their own
        ("Ébba Çelik", "ebba celik"),
        ("Rene\u0301", "rene"),  # a combining accent (NFD) folds as the composed letter
    ],
)
def test_fold_drops_accents_but_keeps_æ_ø_å(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.django_db
def test_folded_contains_ignores_case_and_accents_on_the_database() -> None:
    names = ["René Holm", "Ébba Sørensen", "Jens Müller", "Björk Aagaard", "Ole Østergård", "Hans 50% Jensen"]
    for n, name in enumerate(names):
        Employee.objects.create(municipality=factories.municipality(), name=name, person_key=f"fold-{n}")

    def found(text: str) -> set[str]:
        return set(Employee.objects.filter(name__folded_contains=text).values_list("name", flat=True))

    assert found("rene") == {"René Holm"}
    assert found("RENÉ") == {"René Holm"}
    assert found("ebba") == {"Ébba Sørensen"}
    assert found("muller") == {"Jens Müller"}
    assert found("bjørk") == {"Björk Aagaard"}
    assert found("ØSTER") == {"Ole Østergård"}
    assert found("oster") == set()  # ø is not o
    assert found("50%") == {"Hans 50% Jensen"}  # % and _ are text, not wildcards
    assert found("_") == set()
    assert found("sen") == {"Ébba Sørensen", "Hans 50% Jensen"}


@pytest.mark.django_db
def test_the_people_search_finds_a_name_typed_without_its_accent(world: Any) -> None:
    factories.employment(
        Employee.objects.create(municipality=world.dolmer.municipality, name="René Ébbesen", person_key="key-rene"),
        world.dolmer,
    )
    client = client_for(world.coordinator)
    assert "René Ébbesen" in client.post("/medarbejdere/", {"navn": "rene ebbe"}).content.decode()
    factories.facility("Café Kastanjen", "0707")
    assert "Café Kastanjen" in client.get("/tilbud/", {"q": "cafe"}).content.decode()
