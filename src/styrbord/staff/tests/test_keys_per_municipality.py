"""The person key and the employment number are unique per municipality (the employer and data
controller), not across the installation:

- municipality B imports an employment number and a person key (a CPR number's keyed hash) that
  municipality A uses: B gets its own person and employment, and A's person is untouched;
- within one municipality a number of another person is still refused, with the same message;
- nothing B is told mentions A;
- a person's employments are at their municipality's facilities, and each employment carries its
  employer (``municipality``) on every write path;
- the data migration gives people their municipality and splits a person employed in several.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from styrbord.competences.models import CompetenceHolding
from styrbord.organisations.models import Municipality
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.services import run_import
from styrbord.staff.importing.values import pseudonymise_cpr
from styrbord.staff.models import Employee, Employment
from styrbord.testing import factories
from styrbord.training.models import Booking

HEADER = ["Ansættelsesnr", "CPR-nr", "Navn", "Uddannelse", "Tilbud", "Faggruppe", "Ansat fra", "Timeløn"]
MAPPING = {
    "employment_number": "Ansættelsesnr",
    "cpr": "CPR-nr",
    "name": "Navn",
    "education": "Uddannelse",
    "facility": "Tilbud",
    "job_group": "Faggruppe",
    "start_date": "Ansat fra",
    "hourly_wage": "Timeløn",
}
CPR = "100185-1234"  # in a file only, never in a URL or a log


def _file(tmp_path: Path, rows: list[list[str]], name: str = "loen.csv") -> list[SourceFile]:
    path = tmp_path / name
    path.write_text("\n".join(";".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    return [SourceFile(name=name, path=path)]


def _row(number: str, cpr: str, name: str, facility: str, education: str = "Pædagog") -> list[str]:
    return [number, cpr, name, education, facility, "Socialpædagog", "01-02-2024", "300,00"]


@pytest.fixture
def a_person(world, settings):  # type: ignore[no-untyped-def]
    """Municipality A's (Norddjurs) person with employment number N-1, keyed by a CPR number's hash."""
    settings.CPR_POLICY = "pseudonymise"
    person = factories.employee(name="Karen Holm", person_key=pseudonymise_cpr(CPR), education="Sygeplejerske")
    factories.employment(person, world.dolmer, employment_number="N-1")
    return person


@pytest.mark.django_db
class TestImport:
    def test_b_imports_the_number_and_person_key_a_uses_and_a_is_untouched(self, world, a_person, tmp_path) -> None:
        syddjurs = Municipality.objects.get(code="0706")
        rows = [_row("N-1", CPR, "Karen H. Jensen", world.syddjurs_facility.name, education="Pædagog")]

        result = run_import(_file(tmp_path, rows), syddjurs, mapping=MAPPING)

        a_person.refresh_from_db()
        assert (a_person.name, a_person.education, a_person.municipality.code) == (
            "Karen Holm",
            "Sygeplejerske",
            "0707",
        )
        assert list(a_person.employments.values_list("employment_number", "facility")) == [("N-1", world.dolmer.pk)]
        b_person = Employee.objects.get(municipality=syddjurs, person_key=a_person.person_key)
        assert b_person.pk != a_person.pk
        assert (b_person.name, b_person.education) == ("Karen H. Jensen", "Pædagog")
        b_job = Employment.objects.get(municipality=syddjurs, employment_number="N-1")
        assert (b_job.employee_id, b_job.facility_id) == (b_person.pk, world.syddjurs_facility.pk)
        messages = " ".join(w.message for w in [*result.plan.parsed.warnings.items, *result.plan.parsed.errors.items])
        assert "anden kommune" not in messages
        assert "Norddjurs" not in messages

    def test_b_importing_again_updates_its_own_person_not_a(self, world, a_person, tmp_path) -> None:
        syddjurs = Municipality.objects.get(code="0706")
        run_import(
            _file(tmp_path, [_row("N-1", CPR, "Karen Jensen", world.syddjurs_facility.name)]), syddjurs, mapping=MAPPING
        )

        run_import(
            _file(tmp_path, [_row("N-1", CPR, "Karen Jensen", world.syddjurs_facility.name, "SOSU-assistent")]),
            syddjurs,
            mapping=MAPPING,
        )

        assert Employee.objects.get(pk=a_person.pk).education == "Sygeplejerske"
        assert Employee.objects.get(municipality=syddjurs, person_key=a_person.person_key).education == "SOSU-assistent"
        assert Employee.objects.filter(person_key=a_person.person_key).count() == 2

    def test_within_a_municipality_a_number_of_another_person_is_still_refused(self, world, a_person, tmp_path) -> None:
        norddjurs = Municipality.objects.get(code="0707")
        rows = [_row("N-1", "020290-4321", "Anden Person", world.dolmer.name)]

        with pytest.raises(ImportRejectedError) as info:
            run_import(_file(tmp_path, rows), norddjurs, mapping=MAPPING)

        messages = [e.message for e in info.value.errors.items]
        assert "Ansættelsesnummeret tilhører en anden medarbejder i Styrbord." in messages
        assert Employment.objects.filter(employment_number="N-1").count() == 1

    def test_b_is_refused_only_what_is_wrong_in_b_and_told_nothing_of_a(self, world, a_person, tmp_path) -> None:
        """B's own number of another of B's people: B's message, the same as A would get."""
        syddjurs = Municipality.objects.get(code="0706")
        theirs = world.syddjurs_staff[0].employments.get()
        rows = [_row(theirs.employment_number, CPR, "Karen Jensen", world.syddjurs_facility.name)]

        with pytest.raises(ImportRejectedError) as info:
            run_import(_file(tmp_path, rows), syddjurs, mapping=MAPPING)

        text = " ".join(f"{e.message} {e.value}" for e in info.value.errors.items)
        assert "Ansættelsesnummeret tilhører en anden medarbejder i Styrbord." in text
        assert "kommune" not in text
        assert "Norddjurs" not in text
        assert "Karen Holm" not in text


@pytest.mark.django_db
class TestModel:
    def test_the_same_number_and_key_in_two_municipalities(self, world) -> None:
        a = factories.employee(person_key="shared-key")
        factories.employment(a, world.dolmer, employment_number="X-1")
        b = Employee(municipality=world.syddjurs_facility.municipality, person_key="shared-key", name="B Person")
        b.full_clean()
        b.save()
        job = Employment(
            employee=b,
            facility=world.syddjurs_facility,
            employment_number="X-1",
            job_group="social_educator",
            start_date=dt.date(2024, 1, 1),
        )
        job.full_clean()
        job.save()
        assert job.municipality_id == world.syddjurs_facility.municipality_id

    def test_duplicates_within_a_municipality_are_errors_at_their_field(self, world) -> None:
        a = factories.employee(person_key="taken-key")
        factories.employment(a, world.dolmer, employment_number="X-2")
        twin = Employee(municipality=a.municipality, person_key="taken-key", name="Tvilling")
        with pytest.raises(ValidationError) as info:
            twin.full_clean()
        assert info.value.message_dict == {"person_key": ["Der findes allerede en medarbejder med denne personnøgle."]}
        other = factories.employee()
        job = Employment(
            employee=other,
            facility=world.glesborg,  # another facility of the same municipality
            employment_number="X-2",
            job_group="social_educator",
            start_date=dt.date(2024, 1, 1),
        )
        with pytest.raises(ValidationError) as info:
            job.full_clean()
        assert info.value.message_dict == {
            "employment_number": ["Der findes allerede en ansættelse med dette ansættelsesnummer."]
        }

    def test_an_employment_at_another_municipalitys_facility_is_refused(self, world) -> None:
        person = world.dolmer_staff[0]
        job = Employment(
            employee=person,
            facility=world.syddjurs_facility,
            employment_number="X-3",
            job_group="social_educator",
            start_date=dt.date(2024, 1, 1),
        )
        with pytest.raises(ValidationError) as info:
            job.full_clean()
        assert list(info.value.message_dict) == ["facility"]
        # Moving an existing employment there is refused the same way.
        existing = person.employments.get()
        existing.facility = world.syddjurs_facility
        with pytest.raises(ValidationError) as info:
            existing.full_clean()
        assert list(info.value.message_dict) == ["facility"]

    def test_every_write_keeps_the_employer_in_step_with_the_facility(self, world) -> None:
        person = factories.employee()
        job = factories.employment(person, world.dolmer)
        assert job.municipality_id == world.dolmer.municipality_id
        # A raw save that moves it (nothing should; ``clean`` refuses it) keeps the employer in step.
        job.facility = world.syddjurs_facility
        job.save(update_fields=["facility"])
        job.refresh_from_db()
        assert job.municipality_id == world.syddjurs_facility.municipality_id
        bulk = Employment.objects.bulk_create(
            [
                Employment(
                    employee=factories.employee(municipality=world.kbh_facility.municipality),
                    facility_id=world.kbh_facility.pk,
                    employment_number="BULK-1",
                    job_group="social_educator",
                    start_date=dt.date(2024, 1, 1),
                )
            ]
        )
        assert Employment.objects.get(pk=bulk[0].pk).municipality_id == world.kbh_facility.municipality_id


@pytest.mark.django_db
class TestMigration:
    def test_a_person_employed_in_two_municipalities_is_split(self, world) -> None:
        migration = import_module("styrbord.staff.migrations.0016_municipality_per_person")
        person = factories.employee(name="Delt Person", person_key="0707:delt")
        home = factories.employment(person, world.dolmer, employment_number="H-1", is_primary=True)
        away = factories.employment(person, world.syddjurs_facility, employment_number="H-2", is_primary=False)
        competence = factories.competence()
        factories.holding(person, competence, dt.date(2024, 1, 1))
        from styrbord.training.models import Course, Provider, Session

        provider = Provider.objects.create(name="Udbyder", kind=Provider.Kind.PUBLIC_AGENCY)
        session = Session.objects.create(
            course=Course.objects.create(
                code="c-1", name="Kursus", provider=provider, kind=Course.Kind.SPECIALIST_EDUCATION
            ),
            capacity=5,
        )
        booking = Booking.objects.bulk_create([Booking(session=session, employee=person, employment=away)])[0]
        # As before the migration: the person in the wrong municipality for the primary employment.
        Employee.objects.filter(pk=person.pk).update(municipality=world.kbh_facility.municipality)

        migration.assign_municipalities(apps)

        person.refresh_from_db()
        assert person.municipality.code == "0707"
        assert list(person.employments.values_list("pk", flat=True)) == [home.pk]
        copy = Employee.objects.get(person_key="0707:delt", municipality__code="0706")
        assert copy.name == "Delt Person"
        assert list(copy.employments.values_list("pk", flat=True)) == [away.pk]
        assert Booking.objects.get(pk=booking.pk).employee_id == copy.pk
        assert CompetenceHolding.objects.filter(employee=copy, competence=competence).count() == 1
        assert CompetenceHolding.objects.filter(employee=person, competence=competence).count() == 1
        # Everyone else keeps their municipality.
        assert {e.municipality_id for e in world.kbh_staff} == {world.kbh_facility.municipality_id}
        for employee in world.kbh_staff:
            employee.refresh_from_db()
            assert employee.municipality_id == world.kbh_facility.municipality_id


def test_a_person_with_employments_is_not_moved_to_another_municipality(world) -> None:  # type: ignore[no-untyped-def]
    f = factories
    person = world.dolmer_staff[0]
    person.municipality = f.municipality("0101")
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "kan ikke flyttes til en anden kommune" in refused.value.message_dict["municipality"][0]
    loose = f.employee("Uden Ansættelse")
    loose.municipality = f.municipality("0101")
    loose.full_clean()  # no employments: nothing ties the person to the old municipality
