"""The demo: deterministic from the seed, shaped like the seed documents, and all-or-nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q

from styrbord.accounts.models import Role, User
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.demo.context import DEMO_STEPS
from styrbord.demo.services import DemoError, build_demo, demo_steps
from styrbord.organisations.models import Facility, Grantor
from styrbord.staff.models import Employee, Employment, JobGroup

TODAY = dt.date(2026, 11, 23)
FOUNDATION = ["styrbord.organisations", "styrbord.staff", "styrbord.competences", "styrbord.accounts"]


def fingerprint() -> dict[str, Any]:
    """Counts and sorted natural keys of everything the foundation steps create (no ids)."""
    return {
        "facilities": sorted(
            Facility.objects.values_list(
                "name", "municipality__code", "kind", "operator_kind", "places", "minimum_staff", "tilbudsportalen_id"
            )
        ),
        "units": sorted(Facility.objects.values_list("name", "units__name", "units__hr_department_id")),
        "employees": sorted(
            Employee.objects.values_list("person_key", "name", "birth_year", "education", "education_relevant")
        ),
        "employments": sorted(
            Employment.objects.values_list(
                "employment_number",
                "employee__person_key",
                "facility__name",
                "unit__name",
                "job_group",
                "kind",
                "weekly_hours",
                "fte",
                "is_contact_person",
                "start_date",
                "end_date",
                "status",
                "hourly_wage",
            )
        ),
        "holdings": sorted(
            CompetenceHolding.objects.values_list(
                "employee__person_key", "competence__code", "acquired_on", "expires_on", "source"
            )
        ),
        "users": sorted(User.objects.values_list("username", "role", "municipality__code", "region__code")),
    }


def build_and_fingerprint(seed: int, only: list[str] | None = FOUNDATION) -> dict[str, Any]:
    """Build inside a savepoint, take the fingerprint, and roll the build back."""
    with transaction.atomic():
        build_demo(seed, TODAY, only=only)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_demo() -> None:
    first = build_and_fingerprint(2024)
    second = build_and_fingerprint(2024)
    assert first == second
    assert len(first["employees"]) > 150


@pytest.mark.django_db
def test_a_different_seed_gives_different_people() -> None:
    first = build_and_fingerprint(2024)
    other = build_and_fingerprint(7)
    assert first["facilities"] == other["facilities"]  # the facilities come from the seed documents
    assert first["employees"] != other["employees"]
    assert first["holdings"] != other["holdings"]


@pytest.mark.slow
@pytest.mark.django_db
def test_the_whole_demo_with_every_apps_steps_is_deterministic() -> None:
    first = build_and_fingerprint(2024, only=None)
    second = build_and_fingerprint(2024, only=None)
    assert first == second


@pytest.fixture
def demo(db: Any) -> Any:
    return build_demo(2024, TODAY, only=FOUNDATION)


def test_the_demo_has_the_facilities_of_the_seed_documents(demo: Any) -> None:
    dolmer = Facility.objects.get(name="Dolmer Have")
    glesborg = Facility.objects.get(name="Bofællesskaberne Glesborg")
    for facility in (dolmer, glesborg):
        assert facility.municipality.code == "0707"
        assert facility.operator_name == "Socialpsykiatri og rusmidler"
        assert {b.code for b in facility.legal_bases.all()} == {"sel-107", "sel-108"}
        assert facility.units.exists()
    assert Facility.objects.get(name="Skovstjernen").municipality.code == "0707"
    assert Facility.objects.filter(municipality__code="0707").count() >= 4
    assert 3 <= Facility.objects.filter(municipality__code="0316").count() <= 4
    unit = Facility.objects.get(operator_kind=Facility.OperatorKind.REGION)
    assert unit.operator_region.code == "1084"
    assert unit.municipality.code == "0101"
    assert Grantor.objects.filter(name="Social- og Boligstyrelsen").exists()


def test_the_demo_staff_look_like_the_seed_documents(demo: Any) -> None:
    current = Employment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=TODAY)).exclude(status="ended")
    people = Employee.objects.filter(employments__in=current).distinct()
    assert 150 <= people.count() <= 300
    relevant = people.filter(education_relevant=True).count() / people.count()
    assert 0.4 <= relevant <= 0.65  # "only about half have a relevant education" (002)
    part_time = current.filter(weekly_hours__lt=37).count() / current.count()
    assert 0.35 <= part_time <= 0.55  # 44 % part-time in Holbæk's social area (001)
    ages = [TODAY.year - y for y in people.values_list("birth_year", flat=True)]
    assert 42 <= sum(ages) / len(ages) <= 49
    groups = Counter(current.values_list("job_group", flat=True))
    assert groups[JobGroup.SOCIAL_EDUCATOR] > groups[JobGroup.NURSE]
    assert groups[JobGroup.CARE_ASSISTANT] > 30
    assert {JobGroup.PSYCHOLOGIST, JobGroup.PEER_WORKER, JobGroup.MANAGER, JobGroup.SUBSTITUTE} <= set(groups)
    assert current.filter(start_date__gt=TODAY - dt.timedelta(days=183)).count() >= 5  # recent hires
    assert Employment.objects.filter(status="ended").count() >= 5
    assert current.filter(status="leave").count() >= 3
    assert not Employee.objects.exclude(person_key__contains=":demo-").exists()
    two = [p for p in Employee.objects.all() if p.employments.count() == 2]
    assert len(two) == 1
    wages = current.values_list("hourly_wage", flat=True)
    assert all(150 <= w <= 520 for w in wages)


def test_the_demo_catalogue_and_holdings_have_lapsed_and_lapsing_certificates(demo: Any) -> None:
    codes = set(Competence.objects.values_list("code", flat=True))
    assert {
        "konflikthaandtering",
        "krap",
        "recovery",
        "housing-first",
        "autismeforstaaelse",
        "psykopatologi",
        "somatisk-sygdom",
        "empatitraethed",
        "dobbeltdiagnose",
        "forebyggelsesinstruktoer",
        "sikkerhedsassistent",
    } <= codes
    assert Competence.objects.get(code="konflikthaandtering").validity_months == 24
    holdings = CompetenceHolding.objects.all()
    assert holdings.filter(expires_on__lt=TODAY).exists()
    assert holdings.filter(expires_on__gte=TODAY, expires_on__lte=TODAY + dt.timedelta(days=90)).exists()
    for holding in holdings.filter(competence__validity_months__isnull=False).select_related("competence")[:50]:
        assert holding.expires_on == holding.competence.expiry_for(holding.acquired_on)


def test_contact_staff_are_specialised_above_75_percent_at_some_facilities_and_below_at_others(demo: Any) -> None:
    from styrbord.competences.demo import PROFILES

    shares = {}
    for name, profile in PROFILES.items():
        contacts = set(
            Employment.objects.filter(facility__name=name, is_contact_person=True)
            .exclude(status="ended")
            .values_list("employee_id", flat=True)
        )
        specialised = set(
            CompetenceHolding.objects.filter(employee_id__in=contacts, competence__code__in=profile.specialist)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=TODAY))
            .values_list("employee_id", flat=True)
        )
        shares[name] = len(specialised) / len(contacts)
    assert any(share >= 0.75 for share in shares.values())
    assert any(share < 0.75 for share in shares.values())
    assert shares["Dolmer Have"] < 0.75


def test_the_demo_has_a_login_for_every_role(demo: Any) -> None:
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    manager = User.objects.get(username="leder-dolmer")
    assert list(manager.facilities.values_list("name", flat=True)) == ["Dolmer Have"]
    assert User.objects.get(username="koordinator").municipality.code == "0707"
    assert User.objects.get(username="analytiker").region.code == "1082"
    assert User.objects.get(username="tilskudsgiver").grantor.name == "Social- og Boligstyrelsen"
    employee = User.objects.get(username="medarbejder").employee
    assert employee.employments.filter(facility__name="Dolmer Have").exists()
    assert User.objects.get(username="admin").check_password("styrbord-demo")


def test_a_second_build_is_refused(demo: Any) -> None:
    with pytest.raises(DemoError):
        build_demo(2024, TODAY, only=FOUNDATION)


def test_the_steps_run_in_the_declared_order() -> None:
    steps = demo_steps()
    assert steps[:4] == [f"{app}.demo" for app in FOUNDATION]
    assert [s.removesuffix(".demo") for s in steps] == [a for a in DEMO_STEPS if f"{a}.demo" in steps]


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_command_builds_once_and_prints_the_logins() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--today", "2026-11-23", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert "styrbord-demo" in text
    for username in ("admin", "koordinator", "oekonomi", "leder-dolmer", "medarbejder", "analytiker", "tilskudsgiver"):
        assert username in text
    again = StringIO()
    call_command("demo", "--no-serve", stdout=again)
    assert "findes allerede" in again.getvalue()
    assert Employee.objects.filter(person_key__contains=":demo-").count() == len(
        set(Employee.objects.filter(person_key__contains=":demo-").values_list("person_key", flat=True))
    )


def test_the_demos_people_are_keyed_as_the_hr_import_keys_them(demo: Any, tmp_path: Any) -> None:
    """A coordinator trying the HR import on the demo updates its people: the import keys a person
    by municipality and HR id ("0707:demo-000031"), and so does the demo."""
    from styrbord.staff.importing.reading import SourceFile
    from styrbord.staff.importing.services import run_import

    employment = (
        Employment.objects.filter(facility__municipality__code="0707", end_date__isnull=True, status="active")
        .select_related("employee", "facility__municipality")
        .order_by("pk")
        .first()
    )
    assert employment is not None
    municipality_code, hr_id = employment.employee.person_key.split(":")
    assert (municipality_code, hr_id[:5]) == ("0707", "demo-")
    new_hours = "30" if employment.weekly_hours != 30 else "32"
    path = tmp_path / "loen.csv"
    path.write_text(
        "Medarbejdernr;Navn;Ansættelsesnr;Tilbud;Faggruppe;Ansat fra;Timer pr. uge\n"
        f"{hr_id};{employment.employee.name};{employment.employment_number};{employment.facility.name};"
        f"{employment.get_job_group_display()};{employment.start_date:%d-%m-%Y};{new_hours}\n",
        encoding="utf-8",
    )
    people = Employee.objects.count()
    mapping = {
        "person_id": "Medarbejdernr",
        "name": "Navn",
        "employment_number": "Ansættelsesnr",
        "facility": "Tilbud",
        "job_group": "Faggruppe",
        "start_date": "Ansat fra",
        "weekly_hours": "Timer pr. uge",
    }
    run_import([SourceFile(name="loen.csv", path=path)], employment.facility.municipality, mapping=mapping)
    employment.refresh_from_db()
    assert employment.weekly_hours == Decimal(new_hours)
    assert Employee.objects.count() == people  # the same person, not a new one
