"""The lists people read are in Danish alphabetical order (``lib.collation``), also where they are
sorted in Python after they are read or ordered by a model's default: gap lists, facility and
requirement pages, the heat map, the front page, summed coverage, pools and grants, the workforce
tables, the users list and the competence catalogue.

The names are chosen so byte order (or ``.lower()``) and Danish order differ: "Åhuset" before
"Ærtebjerg" and lower-case names after "Z" in byte order; "Bo 10" before "Bo 2" too."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.competences.models import Competence
from styrbord.funding.models import Grant, Pool
from styrbord.funding.tests import helpers as funding
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality
from styrbord.organisations.services import facility_competences, facility_staff
from styrbord.requirements.aggregate import aggregate_coverage
from styrbord.requirements.coverage import person_requirements
from styrbord.requirements.models import ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.staff.models import JobGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.web.dashboard import dashboard_for
from styrbord.workforce.models import JobPosting, WorkforceStatistic

pytestmark = pytest.mark.django_db

# Facility names in Danish order; byte order puts "aabo Bosted" right after "Zebra", "Åhuset" before
# "Ærtebjerg".
FACILITIES = ["Zebra", "Ærtebjerg", "aabo Bosted", "Åhuset"]
# People in Danish order: numbers by value, "aa" as å, lower case among the upper.
PEOPLE = ["Bo 2", "Bo 10", "Zebra Zenia", "Ærling Bak", "aabo Nielsen", "Åse Holm"]


def read_order(text: str, names: list[str]) -> list[str]:
    """``names`` in the order they first occur in ``text`` (each must occur)."""
    return sorted(names, key=text.index)


def shuffled(names: list[str]) -> list[str]:
    # Created in an order that is neither the Danish nor the byte order (pk order would pass otherwise).
    return names[1::2] + names[0::2]


def facilities_in_norddjurs(names: list[str] = FACILITIES) -> dict[str, Facility]:
    """One facility per name in Norddjurs with one person in it."""
    made = {}
    for name in shuffled(names):
        made[name] = factories.facility(name, "0707")
        factories.employment(factories.employee(name=f"Person på {name}"), made[name])
    return made


# --- 1. the gap list and its XLSX ----------------------------------------------------------------


@pytest.fixture
def gap_facility(world: World) -> Facility:
    """A facility whose people all lack a required competence; two job groups."""
    facility = factories.facility("Gabhuset", "0707")
    groups = {"Bo 2": JobGroup.SOSU_ASSISTANT, "Åse Holm": JobGroup.SOSU_ASSISTANT}
    for name in shuffled(PEOPLE):
        person = factories.employee(name=name)
        factories.employment(person, facility, job_group=groups.get(name, JobGroup.SOCIAL_EDUCATOR))
    requirement([factories.competence(name="KRAP")], facility=facility, name="Alle med KRAP")
    return facility


def test_the_gap_list_is_in_danish_order_by_name(world: World, gap_facility: Facility) -> None:
    client = client_for(world.coordinator)
    body = client.get(reverse("requirements:gap_list", args=[gap_facility.pk])).content.decode()
    assert read_order(body, PEOPLE) == PEOPLE
    descending = client.get(reverse("requirements:gap_list", args=[gap_facility.pk]), {"sort": "-navn"})
    assert read_order(descending.content.decode(), PEOPLE[::-1]) == PEOPLE[::-1]


def test_the_gap_list_by_job_group_reads_the_labels_in_danish(world: World, gap_facility: Facility) -> None:
    response = client_for(world.coordinator).get(
        reverse("requirements:gap_export", args=[gap_facility.pk]), {"sort": "faggruppe"}
    )
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = [(r[0], r[1]) for r in list(sheet.iter_rows(values_only=True))[1:]]
    # "Socialpædagog/pædagog" before "SOSU-assistent" (byte order has "SOSU" first), names in Danish.
    assert rows == [
        ("Bo 10", "Socialpædagog/pædagog"),
        ("Zebra Zenia", "Socialpædagog/pædagog"),
        ("Ærling Bak", "Socialpædagog/pædagog"),
        ("aabo Nielsen", "Socialpædagog/pædagog"),
        ("Bo 2", "SOSU-assistent"),
        ("Åse Holm", "SOSU-assistent"),
    ]


def test_the_gap_export_by_name_is_in_danish_order(world: World, gap_facility: Facility) -> None:
    response = client_for(world.coordinator).get(reverse("requirements:gap_export", args=[gap_facility.pk]))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert [r[0] for r in list(sheet.iter_rows(values_only=True))[1:]] == PEOPLE


# --- 2. the facility page: coverage rows and each person's badges --------------------------------


COMPETENCES = ["Zebra-kursus", "Ærlig dialog", "Åben dialog", "aabent rum"]  # "åben " before "åbent"


def test_equal_coverage_rows_and_a_persons_competences_are_in_danish_order(world: World) -> None:
    today = local_today()
    facility = factories.facility("Kursushuset", "0707")
    person = factories.employee(name="Kim Kursist")
    factories.employment(person, facility)
    for name in shuffled(COMPETENCES):
        factories.holding(person, factories.competence(name=name), today - dt.timedelta(days=10))

    found = facility_competences(facility_staff(facility.pk, today), today, facility.pk)
    assert [c.competence.name for c in found.coverage] == COMPETENCES  # one holder each: a tie
    assert [h.competence.name for h in found.by_employee[person.pk]] == COMPETENCES

    body = client_for(world.coordinator).get(f"/tilbud/{facility.pk}/").content.decode()
    coverage, staff = body.split('id="staff"', 1)
    assert read_order(coverage, COMPETENCES) == COMPETENCES
    assert read_order(staff, COMPETENCES) == COMPETENCES


# --- 3. the requirement page's facilities; 5. the front page ------------------------------------


def test_the_requirement_page_lists_the_facilities_in_danish_order(world: World) -> None:
    facilities_in_norddjurs()
    krap = factories.competence(name="KRAP")
    req = requirement(
        [krap], scope_level=ScopeLevel.MUNICIPALITY, municipality=world.dolmer.municipality, name="Alle med KRAP"
    )
    body = client_for(world.coordinator).get(reverse("requirements:requirement_detail", args=[req.pk])).content.decode()
    expected = ["Bofællesskaberne Glesborg", "Dolmer Have", *FACILITIES]
    assert read_order(body, expected) == expected


def test_the_furthest_from_target_ties_are_in_danish_order(world: World) -> None:
    krap = factories.competence(name="KRAP")
    for name, facility in facilities_in_norddjurs().items():
        requirement([krap], facility=facility, name=f"Krav for {name}")  # nobody holds it: all at 0 %
    board = dashboard_for(world.coordinator, local_today())
    assert board.coverage is not None
    assert [r.facility.name for r in board.coverage.furthest] == FACILITIES
    home = client_for(world.coordinator).get("/").content.decode()
    assert read_order(home.split('id="furthest"', 1)[1], FACILITIES) == FACILITIES


# --- 4. the heat map's columns and the person page's requirements -------------------------------

REQUIREMENTS = ["Zebra-krav", "Ærø-krav", "Åbent krav", "aabo-krav"]


def test_requirements_of_one_priority_are_in_danish_order(world: World) -> None:
    krap = factories.competence(name="KRAP")
    for name in shuffled(REQUIREMENTS):
        requirement([krap], facility=world.dolmer, name=name)
    overview = client_for(world.coordinator).get(reverse("requirements:overview")).content.decode()
    assert read_order(overview, REQUIREMENTS) == REQUIREMENTS

    person = world.dolmer_staff[0]
    assert [r.requirement.name for r in person_requirements(person)] == REQUIREMENTS
    profile = client_for(world.coordinator).get(f"/medarbejdere/{person.pk}/").content.decode()
    assert read_order(profile.split('id="requirements-table"', 1)[1], REQUIREMENTS) == REQUIREMENTS


# --- 6. summed coverage: municipalities and facilities ------------------------------------------


def test_summed_coverage_reads_municipalities_and_facilities_in_danish_order(world: World) -> None:
    aarhus = factories.facility("Aarhus Bosted", "0751")
    factories.employment(factories.employee(name="Aarhus-medarbejder"), aarhus)
    facilities_in_norddjurs()
    krap = factories.competence(name="KRAP")
    midtjylland = world.dolmer.municipality.region
    req = requirement([krap], scope_level=ScopeLevel.REGION, region=midtjylland, name="Alle med KRAP")
    in_region = Facility.objects.filter(municipality__region=midtjylland)
    today = local_today()

    by_municipality = aggregate_coverage(req, in_region, today, suppress=False)
    # "Aarhus" is "Århus": last, not first as lower-cased byte order had it.
    assert [r.label for r in by_municipality.rows] == ["Norddjurs", "Syddjurs", "Aarhus"]
    norddjurs = world.dolmer.municipality
    by_facility = aggregate_coverage(req, in_region, today, municipality=norddjurs, suppress=False)
    assert [r.label for r in by_facility.rows] == ["Bofællesskaberne Glesborg", "Dolmer Have", *FACILITIES]

    client = client_for(world.admin)
    export = client.get(reverse("requirements:aggregate_export"), {"krav": req.pk, "kommune": norddjurs.pk})
    sheet = load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0]
    labels = [r[0] for r in list(sheet.iter_rows(values_only=True))[1:-1]]  # without the header and "I alt"
    assert labels == ["Bofællesskaberne Glesborg", "Dolmer Have", *FACILITIES]
    page = client.get(reverse("requirements:aggregate"), {"krav": req.pk}).content.decode()
    table = page.split("<table", 1)[1]
    assert read_order(table, ["Norddjurs", "Syddjurs", "Aarhus"]) == ["Norddjurs", "Syddjurs", "Aarhus"]


# --- 7, 8. pools and grants by default ----------------------------------------------------------


def test_pools_of_one_period_are_in_danish_order_by_default(world: World) -> None:
    names = ["Bo 2-puljen", "Bo 10-puljen", "Zebra-puljen", "Ærø-puljen", "aabo-puljen", "Åhus-puljen"]
    made = [funding.pool(world.grantor, name=name) for name in shuffled(names)]
    later = funding.pool(world.grantor, name="Zz senere pulje", period_start=dt.date(2026, 1, 1))
    assert [p.name for p in Pool.objects.filter(pk__in=[p.pk for p in [*made, later]])] == [later.name, *names]


def test_grants_of_one_pool_are_in_danish_order_of_facility_by_default(world: World) -> None:
    pool = funding.pool(world.grantor)
    for name, facility in facilities_in_norddjurs().items():
        funding.grant(pool, facility, amount="1000", title=name)
    assert [g.facility.name for g in Grant.objects.filter(pool=pool).select_related("facility")] == FACILITIES


# --- 9. the workforce page's tables by job group ------------------------------------------------


def test_workforce_tables_by_job_group_are_in_danish_order(world: World) -> None:
    norddjurs = world.dolmer.municipality
    # Byte order: "Pædagogisk", "SOSU", "Socialpædagog", "Sygeplejerske"; in Danish "SOSU" after "Social".
    groups = [JobGroup.PEDAGOGICAL_ASSISTANT, JobGroup.SOCIAL_EDUCATOR, JobGroup.SOSU_ASSISTANT, JobGroup.NURSE]
    labels = ["Pædagogisk assistent", "Socialpædagog/pædagog", "SOSU-assistent", "Sygeplejerske"]
    for group in shuffled(groups):
        WorkforceStatistic.objects.create(
            municipality=norddjurs, year=2024, job_group=group, metric="average_age", value=44, source="x"
        )
        JobPosting.objects.create(municipality=norddjurs, job_group=group, posted_on=dt.date(2024, 3, 1), applicants=4)
    for job_type in ["Åben stilling", "aabo-vikar", "Zebra-vikar"]:
        JobPosting.objects.create(
            municipality=norddjurs, job_type=job_type, posted_on=dt.date(2024, 3, 1), applicants=4
        )
    response = client_for(world.coordinator).get("/personale/", {"fra": 2024, "til": 2024})
    page = response.context["page"]
    ages = {t.key: t for t in page.imported}["imported_average_age"]
    assert [r.label for r in ages.rows] == labels
    assert [r.label for r in page.postings.rows] == [
        "Pædagogisk assistent",
        "Socialpædagog/pædagog",
        "SOSU-assistent",
        "Sygeplejerske",
        "Zebra-vikar",
        "Åben stilling",
        "aabo-vikar",
    ]


# --- 10. the users list by the name shown -------------------------------------------------------


def test_the_users_list_is_in_danish_order_by_the_full_name(world: World) -> None:
    norddjurs = Municipality.objects.get(code="0707")
    people = [("Bo", "Nowak Nissen"), ("bo", "Andersen"), ("Åse", "Holm"), ("Ærling", "Bak"), ("Zenia", "Ørum")]
    for first, last in shuffled(people):
        factories.user(
            username=f"u-{first}-{last}".lower().replace(" ", ""),
            first_name=first,
            last_name=last,
            municipality=norddjurs,
        )
    body = client_for(world.coordinator).get("/konto/brugere/").content.decode()
    # "bo Andersen" before "Bo Nowak Nissen": the whole name decides, case only breaks a tie.
    expected = ["bo Andersen", "Bo Nowak Nissen", "Zenia Ørum", "Ærling Bak", "Åse Holm"]
    assert read_order(body, expected) == expected


# --- 11. the competence catalogue by the category shown -----------------------------------------


def test_the_catalogue_groups_by_the_category_shown_in_danish_order(world: World) -> None:
    # Labels in Danish order: Arbejdsmiljø, Funktion, Konflikthåndtering, Psykiatri, Pædagogisk,
    # Uddannelse. The codes' order (clinical, conflict, education, method, role, wellbeing) differs.
    category = Competence.Category
    ordered = [
        category.WELLBEING,
        category.ROLE,
        category.CONFLICT,
        category.CLINICAL,
        category.METHOD,
        category.EDUCATION,
    ]
    for code in shuffled(ordered):
        factories.competence(name=f"Katalogprøve {code}", category=code)
    body = client_for(world.coordinator).get("/kompetencer/").content.decode()
    expected = [f"Katalogprøve {code}" for code in ordered]
    assert read_order(body, expected) == expected
    # Within a group the names stay in Danish order.
    for name in shuffled(["Zebra-metode", "Ærlig metode", "aabo-metode"]):
        factories.competence(name=name, category=category.METHOD)
    body = client_for(world.coordinator).get("/kompetencer/").content.decode()
    expected = ["Zebra-metode", "Ærlig metode", "aabo-metode"]
    assert read_order(body, expected) == expected
