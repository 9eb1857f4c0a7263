"""A person's education has a history (``EducationPeriod``), so earlier years' workforce figures
count the education held then: the service, each path that writes an education (profile, API,
admin save, *Uddannelser*, HR import), anonymisation, the export and the migration's backfill."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from styrbord.accounts import privacy
from styrbord.accounts.tokens import create_token
from styrbord.lib.dates import local_today
from styrbord.staff.education import forget_education, record_education
from styrbord.staff.import_models import ColumnMapping
from styrbord.staff.models import EducationPeriod, Employee, Employment
from styrbord.staff.profiles.education import EducationGroup
from styrbord.staff.tests.test_import_hand_edited_education import MAPPING
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.workforce import figures

pytestmark = pytest.mark.django_db


def history(person: Employee) -> list[tuple[str, bool, dt.date | None, dt.date | None]]:
    rows = EducationPeriod.objects.filter(employee=person).order_by("created_at", "pk")
    return [(p.education, p.education_relevant, p.valid_from, p.valid_to) for p in rows]


def relevant_by_year(employments, years: list[int]) -> dict[int, int]:  # type: ignore[no-untyped-def]
    staff = figures.staff_figures(employments, years, local_today())
    return {year: staff.totals[year].relevant_education for year in years}


def _entered_earlier(*people: Employee) -> None:
    """As if the people's first periods were written a month ago: a change made the day a person is
    entered is part of what they hold since always (see the test of that), not a change."""
    EducationPeriod.objects.filter(employee__in=people).update(created_at=timezone.now() - dt.timedelta(days=30))


def _change(person: Employee, education: str, relevant: bool, on: dt.date) -> None:
    """A change written to the columns as a bulk writer does, and recorded as of ``on``."""
    Employee.objects.filter(pk=person.pk).update(education=education, education_relevant=relevant)
    record_education([person.pk], on=on)


# --- the figures ---------------------------------------------------------------------------------


def test_a_year_counts_the_education_held_at_its_end() -> None:
    facility = factories.facility()
    helper = factories.employee(education="Pædagogmedhjælper", education_relevant=False)
    factories.employment(helper, facility, start_date=dt.date(2019, 1, 1))
    always = factories.employee(education="Pædagog", education_relevant=True)
    factories.employment(always, facility, start_date=dt.date(2019, 1, 1))
    _change(helper, "Pædagog (professionsbachelor)", True, on=dt.date(2022, 6, 1))

    this_year = local_today().year
    counted = relevant_by_year(Employment.objects.filter(facility=facility), [2021, 2022, this_year])

    # 2021: only the one who always had it; 2022 and now: both (the period from 1 June 2022).
    assert counted == {2021: 1, 2022: 2, this_year: 2}


def test_the_period_ends_the_day_before_valid_to() -> None:
    """``valid_to`` is exclusive: a change recorded on 1 January counts from that day, not the day before."""
    facility = factories.facility()
    person = factories.employee(education="Pædagogmedhjælper", education_relevant=False)
    factories.employment(person, facility, start_date=dt.date(2019, 1, 1))
    _change(person, "Pædagog", True, on=dt.date(2022, 1, 1))
    employments = Employment.objects.filter(facility=facility)

    assert relevant_by_year(employments, [2021, 2022]) == {2021: 0, 2022: 1}
    _change(person, "Pædagogmedhjælper", False, on=dt.date(2021, 12, 31))  # a correction: held from 31 December
    assert history(person)[-1] == ("Pædagogmedhjælper", False, dt.date(2022, 1, 1), None)  # in place: opened later


def test_a_person_without_a_history_counts_with_the_education_held_now() -> None:
    """People written without the history (a bulk load) are counted as before, not left out."""
    facility = factories.facility()
    person = factories.employee(education="Pædagog", education_relevant=True)
    factories.employment(person, facility, start_date=dt.date(2019, 1, 1))
    EducationPeriod.objects.filter(employee=person).delete()

    assert relevant_by_year(Employment.objects.filter(facility=facility), [2021]) == {2021: 1}


# --- the service ---------------------------------------------------------------------------------


def test_a_new_person_holds_their_education_since_always_and_a_change_closes_it() -> None:
    person = factories.employee(education="Pædagogmedhjælper", education_relevant=False)
    assert history(person) == [("Pædagogmedhjælper", False, None, None)]

    _change(person, "Pædagog", True, on=dt.date(2023, 8, 1))

    assert history(person) == [
        ("Pædagogmedhjælper", False, None, dt.date(2023, 8, 1)),
        ("Pædagog", True, dt.date(2023, 8, 1), None),
    ]
    assert record_education([person.pk], on=dt.date(2023, 9, 1)) == 0  # nothing changed: nothing written
    assert len(history(person)) == 2


def test_a_second_change_the_same_day_updates_the_period_in_place() -> None:
    person = factories.employee(education="Pædagogmedhjælper", education_relevant=False)
    day = dt.date(2023, 8, 1)
    _change(person, "Pædagog", False, on=day)
    _change(person, "Pædagog", True, on=day)

    assert history(person) == [
        ("Pædagogmedhjælper", False, None, day),
        ("Pædagog", True, day, None),
    ]


def test_a_new_person_corrected_the_day_they_came_still_holds_it_since_always() -> None:
    person = factories.employee(education="Pædagogmedhjælper", education_relevant=False)
    person.refresh_from_db()
    person.education_relevant = True
    person.save()

    assert history(person) == [("Pædagogmedhjælper", True, None, None)]


def test_many_people_take_a_handful_of_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    people = [factories.employee(education="Pædagogmedhjælper") for _ in range(30)]
    ids = [p.pk for p in people]
    Employee.objects.filter(pk__in=ids[:20]).update(education="Pædagog", education_relevant=True)
    EducationPeriod.objects.filter(employee_id__in=ids[20:]).delete()  # ten without any history

    with django_assert_max_num_queries(3):
        record_education(ids, on=dt.date(2024, 3, 1))

    assert EducationPeriod.objects.filter(employee_id__in=ids, valid_to__isnull=True).count() == 30
    assert EducationPeriod.objects.filter(employee_id__in=ids[:20], valid_from=dt.date(2024, 3, 1)).count() == 20
    assert EducationPeriod.objects.filter(employee_id__in=ids[20:], valid_from__isnull=True).count() == 10


# --- the paths that write an education -----------------------------------------------------------


def test_the_profile_edit_records_a_period_from_today_and_last_year_keeps_the_old(world: World) -> None:
    person = world.dolmer_staff[1]
    _entered_earlier(person)
    person.refresh_from_db()
    old = (person.education, person.education_relevant)
    new_relevant = not person.education_relevant
    data: dict[str, object] = {"education": "Socialpædagog", "version": person.version}
    if new_relevant:
        data["education_relevant"] = "on"
    response = client_for(world.manager).post(reverse("staff:employee_education", args=[person.pk]), data)
    assert response.status_code == 302

    today = local_today()
    assert history(person) == [(*old, None, today), ("Socialpædagog", new_relevant, today, None)]
    employments = Employment.objects.filter(employee=person, is_primary=True)
    by_year = relevant_by_year(employments, [today.year - 1, today.year])
    assert by_year == {today.year - 1: int(old[1]), today.year: int(new_relevant)}


def test_an_api_patch_records_a_period(world: World) -> None:
    person = world.dolmer_staff[1]
    _entered_earlier(person)
    _token, raw = create_token(world.coordinator, "test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    version = api.get(f"/api/v1/employees/{person.pk}").json()["version"]
    response = api.patch(
        f"/api/v1/employees/{person.pk}",
        json.dumps({"version": version, "education": "Ergoterapeut"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content

    assert history(person)[-1][0::2] == ("Ergoterapeut", local_today())
    assert history(person)[-2][3] == local_today()


def test_a_new_person_gets_the_period_since_always_in_one_insert(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The API, the administration and a one-by-one loader create people through ``save``: the
    first period costs one INSERT, not the three statements of ``record_education``."""
    municipality = factories.employee().municipality
    with django_assert_num_queries(2):  # the person, their first period
        person = Employee.objects.create(
            municipality=municipality, person_key="ny-1", name="Ny Person", education="Pædagog", education_relevant=True
        )
    assert history(person) == [("Pædagog", True, None, None)]
    person.education = "Socialpædagog"  # corrected the day they came in: still since always
    person.save()
    assert history(person) == [("Socialpædagog", True, None, None)]


def test_saving_the_person_records_only_a_changed_education(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    person = Employee.objects.get(pk=factories.employee(education="Pædagog").pk)
    _entered_earlier(person)
    person.name = "Nyt Navn"
    with django_assert_num_queries(1):  # the UPDATE alone
        person.save()
    person.education = "Socialpædagog"
    person.save()

    assert [h[0] for h in history(person)] == ["Pædagog", "Socialpædagog"]


def test_marking_an_education_relevant_holds_for_the_earlier_years_too(world: World) -> None:
    facility = world.dolmer
    nurse, former = world.dolmer_staff[1], world.dolmer_staff[2]
    Employee.objects.filter(pk=nurse.pk).update(education="Sygeplejerske", education_relevant=False)
    record_education([nurse.pk], on=dt.date(2021, 3, 1))
    # The other one was a nurse in 2021 and has another education now.
    Employee.objects.filter(pk=former.pk).update(education="Sygeplejerske", education_relevant=False)
    record_education([former.pk], on=dt.date(2021, 3, 1))
    Employee.objects.filter(pk=former.pk).update(education="Psykolog", education_relevant=False)
    record_education([former.pk], on=dt.date(2023, 3, 1))
    key = EducationGroup("Sygeplejerske", 1, 0).key

    response = client_for(world.coordinator).post(
        reverse("staff:education_list"), {f"relevant-{key}": "ja", f"shown-{key}": "nej"}
    )
    assert response.status_code == 302

    nurse.refresh_from_db()
    assert nurse.education_relevant
    assert [h[:2] for h in history(nurse)][-1] == ("Sygeplejerske", True)
    assert all(h[1] for h in history(nurse) if h[0] == "Sygeplejerske")
    assert [h[:2] for h in history(former)][-2:] == [("Sygeplejerske", True), ("Psykolog", False)]
    assert EducationPeriod.objects.filter(employee__in=[nurse, former], valid_to__isnull=True).count() == 2
    employments = Employment.objects.filter(facility=facility, employee__in=[nurse, former], is_primary=True)
    assert relevant_by_year(employments, [2022])[2022] == employments.values("employee").distinct().count()


def test_marking_two_educations_at_once_records_both_in_one_call(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each mark is saved on its people's open periods; the history is written once for all of
    them (three statements, not three per education text)."""
    from styrbord.staff.profiles import education as page

    nurse, psychologist = world.dolmer_staff[1], world.dolmer_staff[2]
    Employee.objects.filter(pk=nurse.pk).update(education="Sygeplejerske", education_relevant=False)
    Employee.objects.filter(pk=psychologist.pk).update(education="Psykolog", education_relevant=False)
    record_education([nurse.pk, psychologist.pk], on=dt.date(2021, 3, 1))
    calls: list[list[int]] = []
    real = page.record_education

    def spy(ids: list[int], *args: object, **kwargs: object) -> int:
        calls.append(sorted(ids))
        return real(ids, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(page, "record_education", spy)
    keys = [EducationGroup(text, 1, 0).key for text in ("Sygeplejerske", "Psykolog")]
    post = {f"relevant-{key}": "ja" for key in keys} | {f"shown-{key}": "nej" for key in keys}

    response = client_for(world.coordinator).post(reverse("staff:education_list"), post)

    assert response.status_code == 302
    assert calls == [sorted([nurse.pk, psychologist.pk])]
    assert history(nurse)[-1][:2] == ("Sygeplejerske", True)
    assert history(psychologist)[-1][:2] == ("Psykolog", True)


def test_the_administration_shows_the_history_and_records_an_education_changed_there(world: World) -> None:
    """The person's page in the administration lists the periods, read only (no field of them to
    post), and an education changed there is recorded like anywhere else."""
    from styrbord.testing.forms import form_data, page_forms

    person = world.dolmer_staff[0]
    Employee.objects.filter(pk=person.pk).update(education="Pædagogmedhjælper", education_relevant=False)
    record_education([person.pk], on=dt.date(2021, 3, 1))
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = client_for(world.admin)
    url = reverse("admin:staff_employee_change", args=[person.pk])

    page = client.get(url)
    body = page.content.decode()
    assert "Uddannelseshistorik" in body
    assert "Pædagogmedhjælper" in body
    data = form_data(page_forms(page.content, "//form[@id and contains(@id, '_form')]")[0])
    assert "education_periods-0-id" in data
    assert "education_periods-0-education" not in data

    response = client.post(url, {**data, "education": "Pædagog", "education_relevant": "on"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert [h[:2] for h in history(person)][-2:] == [("Pædagogmedhjælper", False), ("Pædagog", True)]


# The generic file of the hand-edited education tests: the same columns and mapping.


def _hr_file(path: Path, people: list[tuple[str, str, str, str]]) -> str:
    lines = ["Ansættelsesnr;Medarbejdernr;Navn;Tilbud;Faggruppe;Ansat fra;Uddannelse;Relevant uddannelse"]
    lines += [f"A-{n};M-{n};{name};Dolmer Have;Socialpædagog;01-02-2020;{e};{r}" for n, name, e, r in people]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_hr_import_records_the_people_it_creates_and_changes(world: World, tmp_path: Path) -> None:
    ColumnMapping.objects.create(name="Løn", municipality=world.dolmer.municipality, mapping=MAPPING)
    first = [("1", "Anna Holm", "Pædagogmedhjælper", "nej"), ("2", "Bo Lund", "Sygeplejerske", "ja")]
    run = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("import_staff", _hr_file(tmp_path / "jan.csv", first), "--mapping", "Løn", **run)
    anna, bo = (Employee.objects.get(person_key=f"0707:M-{n}") for n in ("1", "2"))
    assert history(anna) == [("Pædagogmedhjælper", False, None, None)]
    assert history(bo) == [("Sygeplejerske", True, None, None)]
    _entered_earlier(anna, bo)

    second = [("1", "Anna Holm", "Pædagog", "ja"), first[1]]
    call_command("import_staff", _hr_file(tmp_path / "feb.csv", second), "--mapping", "Løn", **run)

    today = local_today()
    assert history(anna) == [("Pædagogmedhjælper", False, None, today), ("Pædagog", True, today, None)]
    assert history(bo) == [("Sygeplejerske", True, None, None)]


# --- personal data -------------------------------------------------------------------------------


def test_the_export_holds_the_history_and_anonymisation_clears_it() -> None:
    person = factories.employee(education="Pædagogmedhjælper", education_relevant=False)
    _change(person, "Pædagogmedhjælper, PAU-forløb", False, on=dt.date(2021, 1, 1))
    _change(person, "Pædagog", True, on=dt.date(2023, 1, 1))
    person.refresh_from_db()

    exported = json.loads(privacy.export_json(person))["sections"]["staff.educationperiod"]
    assert [row["education"] for row in exported] == [
        "Pædagogmedhjælper",
        "Pædagogmedhjælper, PAU-forløb",
        "Pædagog",
    ]

    privacy.anonymise_employee(person, None, "test")

    # No text is left, and the two periods without a relevant education are one: the history
    # no longer tells when the education changed, only the mark on each day the figures count.
    assert history(person) == [("", False, None, dt.date(2023, 1, 1)), ("", True, dt.date(2023, 1, 1), None)]
    assert forget_education(person.pk) == 2  # idempotent


# --- the migration -------------------------------------------------------------------------------


def test_the_backfill_gives_everyone_without_one_an_open_period_since_always() -> None:
    migration = importlib.import_module("styrbord.staff.migrations.0018_education_periods")
    people = [factories.employee(education=f"Uddannelse {n}", education_relevant=n % 2 == 0) for n in range(4)]
    EducationPeriod.objects.filter(employee__in=people[:3]).delete()
    before = history(people[3])

    written = migration.backfill_education_periods(apps, SimpleNamespace(connection=connection))

    assert written == EducationPeriod.objects.filter(employee__in=people[:3]).count() == 3
    for n, person in enumerate(people[:3]):
        assert history(person) == [(f"Uddannelse {n}", n % 2 == 0, None, None)]
        assert EducationPeriod.objects.get(employee=person).created_at is not None
    assert history(people[3]) == before
    assert migration.backfill_education_periods(apps, SimpleNamespace(connection=connection)) == 0
