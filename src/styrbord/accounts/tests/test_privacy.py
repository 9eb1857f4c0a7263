"""Personal data: export everything about a person, anonymise them while keeping accounts and ledgers valid."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from styrbord.accounts import privacy, privacy_sheets
from styrbord.accounts.models import ApiToken, RetentionHold, Role
from styrbord.accounts.tokens import create_token
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access
from styrbord.funding.models import Grant, LedgerEntry, Pool
from styrbord.funding.services.ledger import commit
from styrbord.lib.costs import CostCategory
from styrbord.lib.spreadsheets import unique_sheet_name
from styrbord.staff.models import Absence, Employee, Employment
from styrbord.testing import factories
from styrbord.training.models import Course, Provider, Session
from styrbord.training.services.bookings import book


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    """The employee persona's person, with a holding, an absence, a booking and a ledger reference."""
    employee = world.dolmer_staff[0]
    Employee.objects.filter(pk=employee.pk).update(email="person@example.dk", birth_year=1980, education="Pædagog")
    employee.refresh_from_db()
    factories.holding(employee, factories.competence(), dt.date(2025, 1, 1), evidence="Bevis fra kursus")
    Absence.objects.create(
        employee=employee, kind=Absence.Kind.SICKNESS, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 1, 9)
    )
    provider = Provider.objects.create(name="Udbyder", kind=Provider.Kind.PRIVATE)
    course = Course.objects.create(code="k1", name="Kursus", provider=provider, kind=Course.Kind.AMU)
    session = Session.objects.create(course=course, name="Hold 1")
    session.set_days([(dt.date(2026, 3, 2), Decimal("7.40"))])
    book(employee, session, note="Ønsker vegetarmad", on=dt.date(2026, 2, 2))  # planned before the course
    pool = Pool.objects.create(
        grantor=world.grantor,
        name="Pulje",
        total=Decimal("1000.00"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        eligible_categories=["fee"],
    )
    grant = Grant.objects.create(pool=pool, facility=world.dolmer, amount=Decimal("1000.00"))
    entry = commit(grant, CostCategory.FEE, Decimal("100.00"), dt.date(2026, 3, 2), None)
    LedgerEntry.objects.filter(pk=entry.pk)  # the entry refers to the grant; a booking charge would name the person
    log_access(world.manager, "staff.employee.viewed", [employee.pk])
    return employee


def test_the_export_holds_every_kind_of_data_about_the_person(person, world) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(privacy.export_json(person))
    sections = data["sections"]
    assert sections["staff.employee"][0]["email"] == "person@example.dk"
    assert len(sections["staff.employment"]) == 1
    assert len(sections["competences.competenceholding"]) == 1
    assert len(sections["staff.absence"]) == 1
    assert sections["training.booking"][0]["note"] == "Ønsker vegetarmad"
    assert sections["accounts.user"][0]["username"] == "medarbejder"
    assert "password" not in sections["accounts.user"][0]
    assert [e["action"] for e in sections["audit.auditentry"]][-1] == "staff.employee.viewed"
    workbook = openpyxl.load_workbook(io.BytesIO(privacy.export_xlsx(person)))
    assert {"Om udtrækket", "Medarbejdere", "Ansættelser", "Fravær", "Bookinger"} <= set(workbook.sheetnames)
    assert workbook.sheetnames[-1] == "Log over opslag og ændringer"


def _sheet(workbook: openpyxl.Workbook, name: str) -> list[dict[str, object]]:
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_spreadsheet_export_reads_as_the_application_names_things(person) -> None:  # type: ignore[no-untyped-def]
    """For the person asking: fields by their names, coded values by their labels, in the
    reader's language (the JSON export keeps the codes)."""
    workbook = openpyxl.load_workbook(io.BytesIO(privacy.export_xlsx(person)))
    (employee,) = _sheet(workbook, "Medarbejdere")
    assert (employee["Navn"], employee["E-mail"], employee["Fødselsår"]) == (person.name, "person@example.dk", 1980)
    assert "Adgangskode" not in _sheet(workbook, "Brugerkonti")[0]  # secrets stay out, as in the JSON
    (absence,) = _sheet(workbook, "Fravær")
    assert absence["Type"] == "Sygdom"  # the label, not the code "sickness"
    (employment,) = _sheet(workbook, "Ansættelser")
    assert employment["Kontaktperson"] in ("Ja", "Nej")
    assert employment["Tilbud"] == "Dolmer Have"  # a reference by the name of what it refers to
    (booking,) = _sheet(workbook, "Bookinger")
    assert booking["Bemærkning"] == "Ønsker vegetarmad"
    assert _sheet(workbook, "Kursusønsker") == []  # a kind of data with nothing recorded: headers, no rows
    log = _sheet(workbook, "Log over opslag og ændringer")
    assert log[-1]["Beskrivelse"] == "Medarbejder set"
    assert log[-1]["Type"] == "Opslag"
    about = {row[0]: row[1] for row in workbook["Om udtrækket"].iter_rows(min_row=2, values_only=True)}
    assert about["Medarbejder (id)"] == person.pk
    # A moment shows its time of day; an empty list is empty and a small mapping reads as text.
    extracted = next(r for r in workbook["Om udtrækket"].iter_rows(min_row=2) if r[0].value == "Udtrukket")[1]
    assert extracted.number_format == "dd-mm-yyyy hh:mm"
    details = [row["Detaljer"] for row in log if row["Detaljer"]]
    assert details
    assert all(isinstance(c, str) and not c.startswith(("{", "[")) for c in details)
    assert "Oprettet" in [c.value for c in workbook["Kursusønsker"][1]]  # not "Created at"
    with translation.override("en"):
        english = openpyxl.load_workbook(io.BytesIO(privacy.export_xlsx(person)))
    assert {"About this extract", "Employees", "Employments", "Bookings"} <= set(english.sheetnames)
    assert _sheet(english, "Absences")[0]["Type"] == "Sickness"
    assert _sheet(english, "Log of views and changes")[-1]["Description"] == "Employee viewed"


def test_the_spreadsheet_export_names_every_detail_of_the_log_in_the_readers_language(person, world) -> None:  # type: ignore[no-untyped-def]
    """Keys the export had no name of its own for came out as code words in a Danish file
    ("Facility id: 1; Page: organisations.facility_detail"): the audit log's labels now."""
    log_access(
        world.coordinator,
        "organisations.facility.viewed",
        [person.pk],
        {"facility_id": world.dolmer.pk, "page": "organisations.facility_detail", "days": 3},
    )
    workbook = openpyxl.load_workbook(io.BytesIO(privacy.export_xlsx(person)))
    details = " | ".join(str(row["Detaljer"]) for row in _sheet(workbook, "Log over opslag og ændringer"))
    assert "Tilbud: Dolmer Have" in details
    assert "Side: organisations.facility_detail" in details
    assert "Dage: 3" in details
    assert "Facility id" not in details
    assert "Page:" not in details


@pytest.fixture
def answer(person, world):  # type: ignore[no-untyped-def]
    """The person's data as an access request finds it in use: a competence and a course request,
    a seat booked by the coordinator on a session a colleague also attends, charged to a grant by
    finance, and the facility manager's look at the participants (logged for both of them)."""
    from styrbord.funding.services.booking_charges import charge_booking
    from styrbord.funding.tests import helpers
    from styrbord.training.models import CourseInterest

    type(world.coordinator).objects.filter(pk=world.coordinator.pk).update(first_name="Mette", last_name="Kjær")
    type(world.finance).objects.filter(pk=world.finance.pk).update(first_name="Lars", last_name="Bach")
    world.coordinator.refresh_from_db()
    world.finance.refresh_from_db()
    factories.holding(person, factories.competence(name="Low Arousal"), dt.date(2025, 3, 4))
    CourseInterest.objects.create(
        employee=person,
        course=Course.objects.create(
            code="fi",
            name="Uddannelse til forebyggelsesinstruktør",
            provider=Provider.objects.get(name="Udbyder"),
            kind=Course.Kind.AMU,
        ),
    )
    session = helpers.session([dt.date(2025, 3, 3), dt.date(2025, 3, 4)], course_name="Low Arousal i praksis")
    booking = book(person, session, user=world.coordinator, on=dt.date(2025, 2, 1))
    colleague = world.dolmer_staff[1]
    book(colleague, session, user=world.coordinator, on=dt.date(2025, 2, 1))
    grant = helpers.grant(helpers.pool(name="Kompetencepuljen"), world.dolmer)
    charge_booking(booking, [(grant, 100)], world.finance, skip_ineligible=True)
    log_access(
        world.manager, "training.session.participants_viewed", [person.pk, colleague.pk], {"session": session.pk}
    )
    return session, colleague


def _cells(workbook: openpyxl.Workbook) -> list[str]:
    return [str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_the_spreadsheet_reads_without_codes_and_names_no_one_else(person, answer, world) -> None:  # type: ignore[no-untyped-def]
    """What a data protection officer hands the person: references by name, the log in words with
    who acted, details as text, no framework fields, and nobody else's data."""
    session, colleague = answer
    workbook = openpyxl.load_workbook(io.BytesIO(privacy.export_xlsx(person)))
    cells = _cells(workbook)
    headers = [str(v) for ws in workbook for v in next(ws.iter_rows(max_row=1, values_only=True))]
    assert not [h for h in headers if "(id)" in h]  # a reference is a name, not an id
    assert not [c for c in cells if c.startswith(("{", "["))]  # no JSON
    codes = set(AuditEntry.objects.values_list("action", flat=True)) | set(
        AuditEntry.objects.exclude(object_type="").values_list("object_type", flat=True)
    )
    assert "training.booking.created" in codes
    assert not [c for c in cells if any(code in c for code in codes)]  # actions and types in words
    assert colleague.name not in " ".join(cells)  # the colleague on the same session stays out
    assert "Low Arousal" in cells  # the competence, by its name
    assert "Uddannelse til forebyggelsesinstruktør" in cells  # the course requested
    (booked,) = [b for b in _sheet(workbook, "Bookinger") if b["Hold"] != "Kursus – Hold 1 (02-03-2026)"]
    assert booked["Hold"] == f"Low Arousal i praksis – {session.name} (03-03-2025–04-03-2025)"  # course – dates
    assert booked["Ansættelse"] == f"{person.employments.get().employment_number} – Dolmer Have"  # her own reference
    assert booked["Oprettet af"] == "Mette Kjær, Kommunal koordinator (HR/kompetence)"
    (account,) = _sheet(workbook, "Brugerkonti")
    assert {"Brugernavn", "Fornavn", "E-mail-adresse", "Rolle", "Omfang", "Sidst logget ind"} <= set(account)
    assert not {"Superbrugerstatus", "Admin-status", "Version", "ID"} & set(account)
    assert (account["Brugernavn"], account["Omfang"]) == ("medarbejder", "Egne oplysninger")
    assert "Version" not in _sheet(workbook, "Medarbejdere")[0]
    log = _sheet(workbook, "Log over opslag og ændringer")
    created = next(row for row in log if row["Beskrivelse"] == "Booking oprettet" and "Low Arousal" in row["Vedrører"])
    assert created["Udført af"] == "Mette Kjær, Kommunal koordinator (HR/kompetence)"  # who, not "Bruger-id 2"
    assert created["Objekttype"] == "Booking"
    assert created["Detaljer"].startswith("Hold: Low Arousal i praksis")
    charged = next(row for row in log if row["Beskrivelse"] == "Booking konteret på tilsagn")
    assert charged["Udført af"] == "Lars Bach, Økonomimedarbejder"
    assert "Betalt af: Kompetencepuljen – Dolmer Have (100 %)" in charged["Detaljer"]
    assert "Konteret beløb: " in charged["Detaljer"]
    assert " kr." in charged["Detaljer"]
    assert "reversed" not in charged["Detaljer"]  # bookkeeping left out
    viewed = next(row for row in log if row["Beskrivelse"] == "Deltagerliste set")
    assert viewed["Udført af"] == "leder, Tilbudsleder"
    assert viewed["Detaljer"] == f"Hold: Low Arousal i praksis – {session.name} (03-03-2025–04-03-2025)"


def test_the_spreadsheet_reads_in_english_too(person, answer) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        workbook = openpyxl.load_workbook(io.BytesIO(privacy.export_xlsx(person)))
    assert {"User accounts", "Retention holds", "Grant ledger entries"} <= set(workbook.sheetnames)
    assert not {"Holds", "Entries"} & set(workbook.sheetnames)
    cells = _cells(workbook)
    assert not [c for c in cells if c.startswith(("{", "["))]
    assert "training.booking.created" not in " ".join(cells)
    log = _sheet(workbook, "Log of views and changes")
    created = next(row for row in log if row["Description"] == "Booking created" and "Low Arousal" in row["Concerns"])
    assert created["By"] == "Mette Kjær, Municipal coordinator (HR/competence)"
    assert created["Details"].startswith("Session: Low Arousal i praksis")
    assert "(03 Mar 2025–04 Mar 2025)" in created["Details"]
    assert _sheet(workbook, "User accounts")[0]["Scope"] == "Own data"


def test_a_reference_to_someone_elses_record_never_names_them(person, answer, world) -> None:  # type: ignore[no-untyped-def]
    """The guard behind "nobody else's data": another person, or their booking, is "anden person";
    an ordinary employee's account (not the person's own) is named by its role only."""
    from styrbord.training.models import Booking

    _session, colleague = answer
    reader = privacy_sheets.Reader(person)
    assert reader.reference(Employee, colleague.pk) == "anden person"
    assert reader.reference(Booking, colleague.bookings.get().pk) == "anden person"
    assert reader.reference(Employee, person.pk) == person.name
    colleague_account = factories.user(Role.EMPLOYEE, "kollega", employee=colleague, first_name="Kim")
    assert reader.person(colleague_account) == "Medarbejder"
    assert reader.person(world.employee_user) == f"{world.employee_user.get_full_name() or 'medarbejder'}, Medarbejder"
    assert reader.actor(None) == "Styrbord (automatisk)"


def test_the_page_names_each_kind_of_data_in_both_languages(person, world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.employee_user)
    danish = client.get(f"/audit/persondata/{person.pk}/").content.decode()
    assert "Posteringer på tilsagn" in danish
    assert "Log over opslag og ændringer" in danish
    client.cookies["django_language"] = "en"
    english = client.get(f"/audit/persondata/{person.pk}/").content.decode()
    assert "Grant ledger entries" in english
    assert "Retention holds" in english
    assert ">Holds<" not in english
    assert ">Entries<" not in english


def test_worksheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    names = [unique_sheet_name(title, taken) for title in ("Fravær", "fravær", "a/b:c?" + "x" * 40, "[]", "Fravær")]
    assert names == ["Fravær", "fravær (2)", "a b c " + "x" * 25, "Ark", "Fravær (3)"]
    assert all(len(name) <= 31 for name in names)


def test_the_export_file_name_has_no_name_in_it(person) -> None:  # type: ignore[no-untyped-def]
    name = privacy.export_filename(person, "xlsx")
    assert name.startswith(f"persondata-medarbejder-{person.pk}-")
    assert person.name.split()[0] not in name


def test_anonymising_replaces_what_identifies_and_keeps_the_rows(person, world) -> None:  # type: ignore[no-untyped-def]
    _token, _raw = create_token(world.employee_user, "telefon")
    bookings = person.bookings.count()
    employments = Employment.objects.filter(employee=person).count()
    privacy.anonymise_employee(person, world.admin, "Anmodning om sletning")
    person.refresh_from_db()
    assert person.name == f"Anonymiseret medarbejder {person.pk}"
    assert person.email == ""
    assert person.birth_year is None
    assert person.education == ""
    assert person.person_key.startswith("anonymiseret-")
    assert person.anonymised_at is not None
    assert person.bookings.count() == bookings
    assert person.bookings.get().note == ""
    assert Employment.objects.filter(employee=person).count() == employments
    assert Employment.objects.get(employee=person).employment_number.startswith("ANON-")
    assert person.holdings.get().evidence == ""
    assert not Absence.objects.filter(employee=person).exists()
    account = type(world.employee_user).objects.get(pk=world.employee_user.pk)
    assert not account.is_active
    assert account.username.startswith("anonymiseret-")
    assert not account.has_usable_password()
    assert not ApiToken.objects.filter(user=account, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="staff.employee.anonymised")
    assert entry.subject_employee_id == person.pk
    assert entry.data["reason"] == "Anmodning om sletning"


def test_anonymising_twice_changes_nothing_more(person, world) -> None:  # type: ignore[no-untyped-def]
    privacy.anonymise_employee(person, world.admin, "x")
    first = Employee.objects.get(pk=person.pk).person_key
    privacy.anonymise_employee(person, world.admin, "x")
    assert Employee.objects.get(pk=person.pk).person_key == first
    assert AuditEntry.objects.filter(action="staff.employee.anonymised").count() == 1


def test_a_hold_stops_anonymisation(person, world) -> None:  # type: ignore[no-untyped-def]
    RetentionHold.objects.create(employee=person, reason="Arkivering: tilsynssag")
    with pytest.raises(privacy.PrivacyError, match="tilbageholdelse"):
        privacy.anonymise_employee(person, world.admin, "x")
    assert Employee.objects.get(pk=person.pk).anonymised_at is None


def test_the_pages_export_and_anonymise_with_the_right_roles(person, world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.employee_user)
    own = client.get(f"/audit/persondata/{person.pk}/eksport.json")
    assert own.status_code == 200  # the right of access: a person exports their own data
    assert f'filename="persondata-medarbejder-{person.pk}-' in own["Content-Disposition"]
    # The person's own page names the kinds of data in words, without the technical model names.
    own_page = client.get(f"/audit/persondata/{person.pk}/").content.decode()
    assert "Ansættelser" in own_page
    assert "staff.employment" not in own_page
    assert client.get(f"/audit/persondata/{world.dolmer_staff[1].pk}/eksport.json").status_code == 404
    assert (
        client.post(f"/audit/persondata/{person.pk}/anonymiser/", {"reason": "x", "confirm": "on"}).status_code == 403
    )
    client.force_login(world.other_coordinator)
    assert client.get(f"/audit/persondata/{person.pk}/").status_code == 404
    client.force_login(world.admin)
    page = client.get(f"/audit/persondata/{person.pk}/")
    assert page.status_code == 200
    # Still employed at Dolmer Have: the page says so before the anonymisation, which is allowed.
    assert "Personen er stadig ansat (Dolmer Have)." in page.content.decode()
    former = world.dolmer_staff[1]
    Employment.objects.filter(employee=former).update(
        end_date=dt.date(2020, 12, 31), status=Employment.Status.ENDED, start_date=dt.date(2015, 1, 1)
    )
    assert 'id="still-employed"' not in client.get(f"/audit/persondata/{former.pk}/").content.decode()
    response = client.post(f"/audit/persondata/{person.pk}/anonymiser/", {"reason": "Sletning", "confirm": "on"})
    assert response.status_code == 302
    assert Employee.objects.get(pk=person.pk).anonymised_at is not None


def test_the_api_exports_and_anonymises(person, world) -> None:  # type: ignore[no-untyped-def]
    from styrbord.api.tests.conftest import ApiClient

    manager = ApiClient(world.manager)
    # The whole record (every employment, the account, who looked) is for the person and the
    # personal-data administrators; a facility manager read a colleague's employment elsewhere.
    # The manager may read the person, so the refusal is said as such (403), not as missing.
    assert manager.get(f"/employees/{person.pk}/personal-data").status_code == 403
    data = ApiClient(world.admin).get(f"/employees/{person.pk}/personal-data")
    assert data.status_code == 200
    assert data.json()["sections"]["staff.employee"][0]["id"] == person.pk
    assert (
        manager.post(f"/employees/{person.pk}/anonymise", {"version": person.version, "reason": "x"}).status_code == 403
    )
    admin = ApiClient(world.admin)
    stale = admin.post(f"/employees/{person.pk}/anonymise", {"version": person.version + 5, "reason": "x"})
    assert stale.status_code == 409
    done = admin.post(f"/employees/{person.pk}/anonymise", {"version": person.version, "reason": "Sletning"})
    assert done.status_code == 200
    assert done.json()["name"] == f"Anonymiseret medarbejder {person.pk}"


# An amount in the log's details as the export writes it: the value as given -> the text. What is
# no amount reads as the export's other values do (not as the log page's: no "–", dates as stored).
EXPORT_MONEY_TEXTS = [
    ("1234.5", "1.234,50 kr."),
    (12, "12,00 kr."),
    (0.5, "0,50 kr."),
    (True, "Ja"),  # a bool is no amount
    (False, "Nej"),
    ("abc", "abc"),
    ("2026-01-05", "2026-01-05"),
    (["1", "x"], "1, x"),
    ({"a": 1}, "a: 1"),
    ("NaN", "NaN"),  # no amount, and no error: it once stopped the whole export
]


@pytest.mark.parametrize(("value", "text"), EXPORT_MONEY_TEXTS)
def test_money_in_the_logs_details_reads_as_an_amount_or_as_the_value_it_is(person, value, text) -> None:  # type: ignore[no-untyped-def]
    reader = privacy_sheets.Reader(person)
    # A detail the export names itself, and a money field of the entry's object (a ledger entry's amount).
    assert reader.details("funding.ledgerentry", {"charged": value}) == f"Konteret beløb: {text}"
    assert reader.details("funding.ledgerentry", {"amount": value}) == f"Beløb: {text}"
    # Nothing given, nothing written.
    assert reader.details("funding.ledgerentry", {"charged": None, "amount": ""}) == ""
