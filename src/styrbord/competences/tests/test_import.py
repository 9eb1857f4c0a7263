"""Importing competence certificates from a coordinator's spreadsheet: real files, checked in full,
applied all-or-nothing, idempotent, scoped to the municipality, CPR never stored."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from styrbord.audit.models import AuditEntry
from styrbord.competences.importing import apply_holdings, check_holdings, same_person_name
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.lib.dates import add_months, local_today
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.errors import ImportRejectedError
from styrbord.staff.importing.reading import SourceFile
from styrbord.staff.importing.values import pseudonymise_cpr
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db

HEADER = "Ansættelsesnr;Medarbejdernr;E-mail;Navn;Kompetence;Opnået;Udløber;Dokumentation"


@pytest.fixture
def catalogue(world: World) -> dict[str, Competence]:
    return {
        "low": factories.competence("low-arousal", validity_months=36, name="Low Arousal"),
        "krap": factories.competence("krap", name="KRAP"),
    }


@pytest.fixture
def people(world: World) -> dict[str, object]:
    """Dolmer's three people, known to the list by employment number, HR id and e-mail."""
    first, second, third = world.dolmer_staff
    first.person_key = "0707:1042"
    first.save()
    third.email = "tredje@norddjurs.dk"
    third.save()
    return {
        "first": first,
        "second": second,
        "third": third,
        "second_number": second.employments.get().employment_number,
    }


def _csv(tmp_path: Path, lines: list[str], name: str = "beviser.csv", encoding: str = "cp1252") -> SourceFile:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return SourceFile(name=name, path=path)


def _norddjurs() -> Municipality:
    return Municipality.objects.get(code="0707")


def _good_lines(people: dict[str, object]) -> list[str]:
    return [
        HEADER,
        ";1042;;Dolmer-medarbejder 1;Low Arousal;01-03-2024;;Studio III, bevis nr. 17",
        f"{people['second_number']};;;;krap;15.05.2023;;",
        "",  # a blank line is skipped
        ";;TREDJE@norddjurs.dk;Dolmer medarbejder 3;LOW AROUSAL;2024-02-01;31-12-9999;",
    ]


def test_a_windows_1252_list_adds_each_certificate_with_the_catalogues_validity_and_a_trail(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    source = _csv(tmp_path, _good_lines(people))

    result = apply_holdings(source, _norddjurs(), user=world.coordinator)

    assert not result.errors
    assert result.counts == {"rows": 3, "holdings_created": 3, "holdings_unchanged": 0}
    got = {
        (h.employee.name, h.competence.code, h.acquired_on, h.expires_on, h.evidence, h.source)
        for h in CompetenceHolding.objects.select_related("employee", "competence")
    }
    assert got == {
        (
            "Dolmer-medarbejder 1",
            "low-arousal",
            dt.date(2024, 3, 1),
            add_months(dt.date(2024, 3, 1), 36),
            "Studio III, bevis nr. 17",
            "import",
        ),
        ("Dolmer-medarbejder 2", "krap", dt.date(2023, 5, 15), None, "", "import"),
        # payroll's "no end" (31-12-9999) means the catalogue's validity, as a blank does
        ("Dolmer-medarbejder 3", "low-arousal", dt.date(2024, 2, 1), add_months(dt.date(2024, 2, 1), 36), "", "import"),
    }
    trail = AuditEntry.objects.filter(action="competences.holding.imported")
    assert sorted(trail.values_list("subject_employee_id", flat=True)) == sorted(p.pk for p in world.dolmer_staff)
    assert all(entry.actor_label == world.coordinator.username for entry in trail)
    assert AuditEntry.objects.get(action="competences.holdings.imported").data["holdings_created"] == 3


def test_importing_the_same_list_again_adds_nothing(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    source = _csv(tmp_path, _good_lines(people))
    apply_holdings(source, _norddjurs())

    again = apply_holdings(source, _norddjurs())

    assert again.counts == {"rows": 3, "holdings_created": 0, "holdings_unchanged": 3}
    assert CompetenceHolding.objects.count() == 3


def test_every_problem_is_reported_with_row_column_and_value_and_nothing_is_written(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    syddjurs_person = world.syddjurs_staff[0]
    syddjurs_person.person_key = "0707:7777"  # an id that would match, but the person is not Norddjurs'
    syddjurs_person.save()
    source = _csv(
        tmp_path,
        [
            HEADER,
            ";1042;;;Low Arousal;01-03-2024;;",  # fine on its own
            ";9999;;;Low Arousal;01-03-2024;;",  # nobody
            ";7777;;;Low Arousal;01-03-2024;;",  # another municipality's person: not found, not told
            ";1042;;;Yoga;01-03-2024;;",  # unknown competence
            f";1042;;;KRAP;{tomorrow:%d-%m-%Y};;",  # in the future
            ";1042;;;KRAP;01-03-2024;01-02-2024;",  # expires before obtained
            ";1042;;;KRAP;32-01-2024;;",  # not a date
            ";;;;KRAP;01-01-2024;;",  # says not who
        ],
    )

    result = check_holdings(source, _norddjurs())
    with pytest.raises(ImportRejectedError):
        apply_holdings(source, _norddjurs())

    found = [(i.row, i.column, i.value, i.message) for i in result.errors]
    assert found == [
        (3, "Medarbejdernr", "9999", "Ingen medarbejder i kommunen har dette medarbejdernummer."),
        (4, "Medarbejdernr", "7777", "Ingen medarbejder i kommunen har dette medarbejdernummer."),
        (
            5,
            "Kompetence",
            "Yoga",
            "Ukendt kompetence. Angiv, hvad navnet betyder, spring det over, eller ret det til katalogets navn eller kode.",
        ),
        (6, "Opnået", f"{tomorrow:%d-%m-%Y}", "Datoen ligger efter i dag; et bevis kan ikke være opnået endnu."),
        (7, "Udløber", "01-02-2024", "Udløbsdatoen ligger før den dag, kompetencen blev opnået."),
        (8, "Opnået", "32-01-2024", "Ugyldig dato; skriv f.eks. 01-02-2024, 01.02.2024 eller 2024-02-01."),
        (9, "", "", "Rækken siger ikke hvem: udfyld Ansættelsesnr, Medarbejdernr, E-mail eller CPR."),
    ]
    assert CompetenceHolding.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="competences.holding").exists()


def test_a_file_without_a_column_that_says_who_or_without_rows_is_refused(
    world: World, catalogue: dict[str, Competence], tmp_path: Path
) -> None:
    no_who = check_holdings(_csv(tmp_path, ["Navn;Kompetence;Opnået", "Anne;KRAP;01-01-2024"]), _norddjurs())
    no_rows = check_holdings(_csv(tmp_path, [HEADER], name="tom.csv"), _norddjurs())
    no_date = check_holdings(_csv(tmp_path, ["Medarbejdernr;Kompetence", "1042;KRAP"], name="x.csv"), _norddjurs())

    assert [i.message for i in no_who.errors] == [
        "Filen mangler en kolonne, der siger hvem: Ansættelsesnr, Medarbejdernr (BrugerId), E-mail eller CPR."
    ]
    assert [i.message for i in no_rows.errors] == ["Filen har ingen rækker med beviser."]
    assert [i.message for i in no_date.errors] == ["Påkrævede kolonner mangler: Opnået."]


def test_an_email_two_people_share_is_refused_as_ambiguous(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    other = world.glesborg_staff[0]
    other.email = "tredje@norddjurs.dk"
    other.save()

    result = check_holdings(
        _csv(tmp_path, ["E-mail;Kompetence;Opnået", "tredje@norddjurs.dk;KRAP;01-01-2024"]), _norddjurs()
    )

    assert [i.message for i in result.errors] == [
        "Flere medarbejdere i kommunen har denne e-mail; brug Ansættelsesnr eller Medarbejdernr i stedet."
    ]


def test_a_name_that_is_not_the_persons_is_a_warning_but_a_left_out_middle_name_is_not(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    result = check_holdings(
        _csv(
            tmp_path,
            [HEADER, ";1042;;Karen Hansen;KRAP;01-01-2024;;", ";1042;;DOLMER-MEDARBEJDER  1;Low Arousal;01-01-2024;;"],
        ),
        _norddjurs(),
    )

    assert not result.errors
    assert [(i.row, i.value) for i in result.warnings] == [(2, "Karen Hansen")]
    assert len(result.new) == 2
    assert same_person_name("Brian Svendsen", "Brian  Skov Svendsen")
    assert not same_person_name("Brian Svendsen", "Brian Skov")


def test_a_cpr_column_finds_the_pseudonymised_person_and_is_never_stored(
    world: World, catalogue: dict[str, Competence], tmp_path: Path
) -> None:
    person = world.glesborg_staff[1]
    person.person_key = pseudonymise_cpr("010190-1234")
    person.save()
    source = _csv(tmp_path, ["CPR-nr;Kompetence;Opnået", "010190-1234;KRAP;01-01-2024"])

    apply_holdings(source, _norddjurs(), user=world.coordinator)

    holding = CompetenceHolding.objects.get()
    assert holding.employee == person
    stored = "".join(str(v) for v in AuditEntry.objects.values_list("data", "after", "before"))
    assert "010190" not in stored
    assert "1234" not in holding.evidence


@override_settings(CPR_POLICY="reject")
def test_under_the_reject_policy_a_cpr_column_refuses_the_file(
    world: World, catalogue: dict[str, Competence], tmp_path: Path
) -> None:
    result = check_holdings(_csv(tmp_path, ["CPR;Kompetence;Opnået", "010190-1234;KRAP;01-01-2024"]), _norddjurs())

    assert [i.column for i in result.errors] == ["CPR"]
    assert "010190-1234" not in str([i.value for i in result.errors])


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "beviser.xlsx") -> SourceFile:
    book = Workbook()
    cover = book.active
    cover.title = "Forside"
    cover.append(["Kompetencebeviser, Norddjurs Kommune"])  # a cover sheet in front is passed over
    sheet = book.create_sheet("Beviser")
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return SourceFile(name=name, path=path)


def test_a_workbook_is_read_from_its_certificate_sheet_with_real_dates_and_a_formula_is_never_evaluated(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    source = _xlsx(
        tmp_path,
        [
            ["Medarbejdernr", "Kompetence", "Opnået"],
            [1042, "KRAP", dt.datetime(2024, 4, 2)],
            [1042, "Low Arousal", "=TODAY()"],
        ],
    )

    result = check_holdings(source, _norddjurs())

    assert [(i.row, i.column, i.value) for i in result.errors] == [(3, "Opnået", "=TODAY()")]
    source = _xlsx(tmp_path, [["Medarbejdernr", "Kompetence", "Opnået"], [1042, "KRAP", dt.datetime(2024, 4, 2)]])
    apply_holdings(source, _norddjurs())
    assert CompetenceHolding.objects.get().acquired_on == dt.date(2024, 4, 2)


def test_a_truncated_workbook_is_refused_with_nothing_written(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    whole = _xlsx(tmp_path, [["Medarbejdernr", "Kompetence", "Opnået"], [1042, "KRAP", "01-01-2024"]])
    cut = tmp_path / "afkortet.xlsx"
    cut.write_bytes(whole.path.read_bytes()[:900])

    result = check_holdings(SourceFile(name="afkortet.xlsx", path=cut), _norddjurs())

    assert result.errors
    assert "XLSX" in result.errors.items[0].message
    assert CompetenceHolding.objects.count() == 0
    assert zipfile.is_zipfile(whole.path)


def test_the_command_checks_dry_runs_and_imports(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    source = _csv(tmp_path, _good_lines(people))
    out = io.StringIO()

    call_command("import_holdings", str(source.path), "--municipality", "707", "--dry-run", stdout=out)
    assert CompetenceHolding.objects.count() == 0
    assert "3 kompetencebeviser ville blive tilføjet" in out.getvalue()
    call_command("import_holdings", str(source.path), "--municipality", "0707", stdout=out)
    assert CompetenceHolding.objects.count() == 3
    bad = _csv(tmp_path, [HEADER, ";1042;;;Yoga;01-01-2024;;"], name="bad.csv")
    with pytest.raises(CommandError, match="1 fejl"):
        call_command("import_holdings", str(bad.path), "--municipality", "0707", stdout=out, stderr=io.StringIO())


# --- pages ----------------------------------------------------------------------------------------


def _upload(client: object, path: Path, **data: object) -> object:
    with path.open("rb") as handle:
        return client.post(reverse("competences:import_upload"), {"file": handle, **data})  # type: ignore[attr-defined]


def test_a_coordinator_uploads_checks_and_applies_a_list(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    client = client_for(world.coordinator)
    source = _csv(tmp_path, _good_lines(people))

    response = _upload(client, source.path)
    assert response.status_code == 302  # type: ignore[attr-defined]
    preview = client.get(response["Location"])  # type: ignore[index]
    html = preview.content.decode()
    assert "Tilføj 3 beviser" in html
    assert "Dolmer-medarbejder 2" in html
    assert CompetenceHolding.objects.count() == 0

    done = client.post(response["Location"], follow=True)  # type: ignore[index]

    assert "3 kompetencebeviser tilføjet, 0 fandtes allerede" in done.content.decode()
    assert CompetenceHolding.objects.count() == 3
    batch = ImportBatch.objects.get(source_format=ImportBatch.Format.HOLDINGS)
    assert (batch.status, batch.counts["holdings_created"], batch.storage_token) == ("applied", 3, "")
    # the HR import's history lists HR deliveries only
    assert "beviser.csv" not in client.get(reverse("staff:import_upload")).content.decode()


def test_a_file_with_errors_is_shown_on_the_upload_page_and_not_kept(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    """Errors only the file can mend. (A file with competence names the catalogue does not know
    is kept, so the check page can ask what they mean: ``test_import_names``.)"""
    source = _csv(tmp_path, [HEADER, ";1042;;;krap;01-01-2099;;", ";9999;;;krap;01-01-2024;;"])

    response = _upload(client_for(world.coordinator), source.path)

    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Datoen ligger efter i dag" in page
    assert "Ingen medarbejder i kommunen har dette medarbejdernummer" in page
    assert not ImportBatch.objects.exists()


def test_applying_refuses_when_the_certificates_changed_since_the_check(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    client = client_for(world.coordinator)
    response = _upload(client, _csv(tmp_path, _good_lines(people)).path)
    client.get(response["Location"])  # type: ignore[index]
    factories.holding(people["second"], catalogue["krap"], dt.date(2023, 5, 15))  # registered by hand meanwhile

    refused = client.post(response["Location"])  # type: ignore[index]

    assert refused.status_code == 409
    assert "Tilføj 2 beviser" in refused.content.decode()
    assert CompetenceHolding.objects.count() == 1


def test_only_importers_may_open_it_and_an_upload_is_its_uploaders(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    for user in (world.manager, world.finance, world.employee_user, world.analyst, world.grantor_user):
        assert client_for(user).get(reverse("competences:import_upload")).status_code == 403
    response = _upload(client_for(world.coordinator), _csv(tmp_path, _good_lines(people)).path)
    other = client_for(world.other_coordinator)
    for answer in (other.get(response["Location"]), other.post(response["Location"])):  # type: ignore[index]
        assert answer.status_code == 302  # back to their own upload page: nothing of the upload is shown
        assert answer["Location"] == reverse("competences:import_upload")
    assert CompetenceHolding.objects.count() == 0
    assert ImportBatch.objects.get().status == "pending"


def test_an_administrator_chooses_the_municipality(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    client = client_for(world.admin)
    source = _csv(tmp_path, _good_lines(people))
    assert _upload(client, source.path).status_code == 200  # type: ignore[attr-defined]  # the form asks for it
    syddjurs = _upload(client, source.path, municipality=Municipality.objects.get(code="0706").pk)
    assert syddjurs.status_code == 422  # type: ignore[attr-defined]  # Norddjurs' people are unknown there
    norddjurs = _upload(client, source.path, municipality=_norddjurs().pk)
    assert norddjurs.status_code == 302  # type: ignore[attr-defined]


def test_a_row_given_twice_is_skipped_with_a_warning(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    result = check_holdings(
        _csv(tmp_path, [HEADER, ";1042;;;KRAP;01-03-2024;;", ";1042;;;krap;1.3.2024;;"]), _norddjurs()
    )

    assert not result.errors
    assert len(result.new) == 1
    assert [(i.row, i.message) for i in result.warnings] == [
        (3, "Samme bevis (medarbejder, kompetence og dato) står også i række 2; rækken springes over.")
    ]


def test_a_name_a_list_writes_its_own_way_is_found_or_the_likely_ones_are_suggested(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    factories.competence("konflikt", name="Konflikthåndtering og de-eskalering")
    result = check_holdings(
        _csv(
            tmp_path,
            [
                HEADER,
                ";1042;;;Low arousal (2 dage);01-03-2024;;",  # the catalogue's name with a note in brackets
                ";1042;;;KRAP-uddannelse;01-03-2024;;",
                ";1042;;;Konflikthåndtering;01-03-2024;;",
                ";1042;;;Yoga;01-03-2024;;",
            ],
        ),
        _norddjurs(),
    )

    assert [(i.row, i.message) for i in result.errors] == [
        (
            3,
            "Ukendt kompetence. Mente du »KRAP« (krap)? Angiv, hvad navnet betyder, spring det over, eller ret det til katalogets navn eller kode.",
        ),
        (
            4,
            "Ukendt kompetence. Mente du »Konflikthåndtering og de-eskalering« (konflikt)? Angiv, hvad navnet "
            "betyder, spring det over, eller ret det til katalogets navn eller kode.",
        ),
        (
            5,
            "Ukendt kompetence. Angiv, hvad navnet betyder, spring det over, eller ret det til katalogets navn eller kode.",
        ),
    ]


def test_an_all_digit_id_excel_stripped_of_its_leading_zeros_is_found_if_only_one_reads_so(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    first, second = world.dolmer_staff[0].employments.get(), world.dolmer_staff[1].employments.get()
    first.employment_number = "01042"
    first.save()
    second.employment_number = "0077"
    second.save()
    world.glesborg_staff[0].employments.update(employment_number="077")  # "77" is two people's

    result = check_holdings(
        _csv(tmp_path, ["Ansættelsesnr;Kompetence;Opnået", "1042;KRAP;01-03-2024", "77;KRAP;01-03-2024"]),
        _norddjurs(),
    )

    assert [h.employee_id for h in result.new] == [world.dolmer_staff[0].pk]
    assert [(i.row, i.value) for i in result.errors] == [(3, "77")]


def test_a_list_whose_people_are_none_of_the_municipalitys_says_so_first(
    world: World, catalogue: dict[str, Competence], tmp_path: Path
) -> None:
    lines = ["Medarbejdernr;Kompetence;Opnået"] + [f"{9000 + n};KRAP;01-03-2024" for n in range(3)]

    result = check_holdings(_csv(tmp_path, lines), _norddjurs())

    assert result.errors.total == 4
    assert result.errors.items[0].message == (
        "Ingen af filens medarbejdere findes i Norddjurs Kommune. Er det den rigtige kommune, og er det den "
        "rigtige kolonne, der siger hvem?"
    )


def test_an_excel_date_number_an_expired_certificate_and_a_no_end_expiry_are_said(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    result = check_holdings(
        _csv(
            tmp_path,
            [
                "Medarbejdernr;Kompetence;Opnået;Udløber",
                "1042;KRAP;45352;",
                "1042;Low Arousal;01-03-2020;",  # 36 months: lapsed in 2023
                "1042;Low Arousal;01-03-2024;31-12-9999",
            ],
        ),
        _norddjurs(),
    )

    assert [(i.row, i.value, i.message) for i in result.errors] == [
        (
            2,
            "45352",
            "Ligner et Excel-datotal, ikke en dato: formatér kolonnen som dato i Excel (f.eks. 01-03-2024), og gem igen.",
        )
    ]
    assert [(i.row, i.message) for i in result.warnings] == [
        (3, "Beviset udløb 01-03-2023; det tilføjes som historik og tæller ikke i dækningen."),
        (
            4,
            "Udløber 31-12-9999 betyder ingen udløbsdato, men kompetencen gælder 36 måneder: beviset udløber "
            "01-03-2027.",
        ),
    ]


def test_a_list_with_nothing_new_is_said_on_the_upload_page_and_nothing_waits(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    source = _csv(tmp_path, _good_lines(people))
    apply_holdings(source, _norddjurs())

    page = _upload(client_for(world.coordinator), source.path)

    assert page["Location"] == reverse("competences:import_upload")  # type: ignore[index]
    assert not ImportBatch.objects.exists()


def test_going_back_to_an_applied_check_leads_to_the_upload_page(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    client = client_for(world.coordinator)
    check = _upload(client, _csv(tmp_path, _good_lines(people)).path)["Location"]  # type: ignore[index]
    client.post(check)

    back = client.get(check, follow=True)

    assert "Importen er allerede gennemført eller annulleret; intet er ændret." in back.content.decode()
    assert CompetenceHolding.objects.count() == 3


def test_a_title_row_of_two_cells_over_a_narrow_list_is_not_taken_for_its_header(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    """The reader's rule for unknown headers took "Kompetenceoversigt | Udtrukket" for the header
    of a three-column list; the certificate columns' names now decide."""
    title = ["Kompetenceoversigt Dolmer Have", "Udtrukket 01-11-2026"]
    header = ["Medarbejdernr", "Kompetence", "Opnået"]
    one_sheet = tmp_path / "titel.xlsx"
    book = Workbook()
    for row in (title, header, [1042, "KRAP", "01-03-2024"]):
        book.active.append(row)
    book.save(one_sheet)
    source = _xlsx(tmp_path, [title, header, [1042, "KRAP", "01-03-2024"], [1042, "Yoga", "01-03-2024"]])

    alone = check_holdings(SourceFile(name="titel.xlsx", path=one_sheet), _norddjurs())
    behind_a_cover = check_holdings(source, _norddjurs())

    assert not alone.errors
    assert len(alone.new) == 1
    assert [(i.file, i.row, i.column) for i in behind_a_cover.errors] == [
        ("beviser.xlsx, arket Beviser", 4, "Kompetence")
    ]


def test_the_template_is_filled_in_and_imported(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    client = client_for(world.coordinator)
    download = client.get(reverse("competences:import_template"))
    book = load_workbook(io.BytesIO(download.content))
    sheet, codes = book.worksheets
    assert [c.value for c in sheet[1]] == [
        "Ansættelsesnr",
        "Medarbejdernr",
        "E-mail",
        "Navn",
        "Kompetence",
        "Opnået",
        "Udløber",
        "Dokumentation",
    ]
    assert ("KRAP", "krap") in [tuple(r) for r in codes.iter_rows(min_row=2, values_only=True)]
    sheet.append([None, "1042", None, "Dolmer-medarbejder 1", "krap", dt.datetime(2024, 3, 1), None, "Bevis 7"])
    filled = tmp_path / "udfyldt.xlsx"
    book.save(filled)

    response = _upload(client, filled)
    client.post(response["Location"])  # type: ignore[index]

    holding = CompetenceHolding.objects.get()
    assert (holding.employee_id, holding.acquired_on, holding.evidence) == (
        world.dolmer_staff[0].pk,
        dt.date(2024, 3, 1),
        "Bevis 7",
    )
    assert client_for(world.manager).get(reverse("competences:import_template")).status_code == 403


def test_a_certificate_days_from_one_the_person_already_has_is_said(
    world: World, catalogue: dict[str, Competence], people: dict[str, object], tmp_path: Path
) -> None:
    """The course registered KRAP on its last day (21-05-2025); the list says 20-05-2025."""
    factories.holding(people["first"], catalogue["krap"], dt.date(2025, 5, 21))

    result = check_holdings(
        _csv(tmp_path, ["Medarbejdernr;Kompetence;Opnået", "1042;KRAP;20-05-2025", "1042;KRAP;01-03-2020"]),
        _norddjurs(),
    )

    assert len(result.new) == 2
    assert [(i.row, i.value, i.message) for i in result.warnings] == [
        (
            2,
            "20-05-2025",
            "Medarbejderen har allerede beviset fra 21-05-2025. Er det samme kursus, så ret datoen til den, eller "
            "slet rækken; ellers tilføjes et bevis mere.",
        )
    ]


@pytest.mark.parametrize("header", ["Tjenestenr.", "Tjenestenummer", "Lønnr.", "Tj.nr."])
def test_the_employment_number_is_known_by_the_payroll_systems_names(
    header: str, world: World, catalogue: dict[str, Competence], tmp_path: Path
) -> None:
    """A sheet headed "Tjenestenr." (as the HR export the import had just read calls the column)
    was refused: "Filen mangler en kolonne, der siger hvem"."""
    employment = world.dolmer_staff[0].employments.get()

    result = check_holdings(
        _csv(tmp_path, [f"{header};Kompetence;Opnået", f"{employment.employment_number};KRAP;01-03-2024"]),
        _norddjurs(),
    )

    assert not result.errors.total
    assert [h.employee_id for h in result.new] == [world.dolmer_staff[0].pk]
