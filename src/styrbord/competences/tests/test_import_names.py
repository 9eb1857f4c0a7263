"""Saved competence names: a certificate list's own names for catalogue competences ("KRAP
grundforløb v/ Kursushuset"), chosen once on the check page and known to the municipality's
later lists; per municipality, audited, and forgettable."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.competences.importing import NamesTakenError, check_holdings, name_key, save_names
from styrbord.competences.models import Competence, CompetenceHolding, CompetenceName
from styrbord.organisations.models import Municipality
from styrbord.staff.import_models import ImportBatch
from styrbord.staff.importing.reading import SourceFile
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db

HEADER = "Medarbejdernr;Navn;Kompetence;Opnået"
PROVIDER_NAME = "KRAP grundforløb v/ Kursushuset (3 dage)"


@pytest.fixture
def catalogue(world: World) -> dict[str, Competence]:
    return {
        "krap": factories.competence("krap", name="KRAP"),
        "low": factories.competence("low-arousal", validity_months=36, name="Low Arousal"),
    }


@pytest.fixture
def person(world: World) -> Any:
    first = world.dolmer_staff[0]
    first.person_key = "0707:1042"
    first.save()
    return first


def _file(tmp_path: Path, lines: list[str], name: str = "beviser.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    return path


def _upload(client: Any, path: Path) -> Any:
    with path.open("rb") as handle:
        return client.post(reverse("competences:import_upload"), {"file": handle})


def _fields(page: str) -> dict[str, str]:
    """The names form's select per name: label text -> field name."""
    labels = dict(re.findall(r'<label for="id_(name_[0-9a-f]{16})">([^<]*)</label>', page))
    return {text: field for field, text in labels.items()}


def test_a_name_chosen_once_is_known_to_the_next_list(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    client = client_for(world.coordinator)
    first = _file(tmp_path, [f"1042;;{PROVIDER_NAME};01-03-2024", "1042;;Yoga;02-03-2024"])

    uploaded = _upload(client, first)
    assert uploaded.status_code == 302  # kept: the check page asks what the names mean
    check = client.get(uploaded["Location"])
    assert check.status_code == 422
    page = check.content.decode()
    fields = _fields(page)
    assert set(fields) == {PROVIDER_NAME, "Yoga"}
    assert "Mest sandsynligt" in page  # KRAP is offered first for the provider's name

    answered = client.post(
        reverse("competences:import_names", kwargs={"token": ImportBatch.objects.get().storage_token}),
        {fields[PROVIDER_NAME]: str(catalogue["krap"].pk), fields["Yoga"]: ""},
    )
    assert answered.status_code == 302
    assert answered["Location"] == uploaded["Location"]
    saved = CompetenceName.objects.get()
    assert (saved.municipality.code, saved.written, saved.competence) == ("0707", PROVIDER_NAME, catalogue["krap"])
    assert saved.key == "krap grundforløb v/ kursushuset (3 dage)"
    entry = AuditEntry.objects.get(action="competences.name.saved")
    assert entry.data["written"] == PROVIDER_NAME
    assert entry.data["competence"] == "krap"

    again = client.get(uploaded["Location"]).content.decode()
    assert set(_fields(again)) == {"Yoga"}  # only the name left unchosen is still asked about
    # The upload waits: its uploader finds the way back from the history (nobody else does).
    history = client.get(reverse("competences:import_upload")).content.decode()
    assert f'<a href="{uploaded["Location"]}">Åbn kontrollen</a>' in history
    assert "Åbn kontrollen" not in client_for(world.admin).get(reverse("competences:import_upload")).content.decode()
    assert "1 navn er gemt for Norddjurs" in again

    # A later list writes the name in other case and spacing: it is KRAP. Another course length
    # in the brackets may be another course: asked about again, never guessed.
    later = _file(
        tmp_path,
        [
            "1042;;krap GRUNDFORLØB  v/ Kursushuset (3 DAGE);01-04-2025",
            "1042;;KRAP grundforløb v/ Kursushuset (1 dag);02-04-2025",
        ],
        "maj.csv",
    )
    result = check_holdings(SourceFile(name="maj.csv", path=later), Municipality.objects.get(code="0707"))
    assert [(h.employee_id, h.competence) for h in result.new] == [(person.pk, catalogue["krap"])]
    assert [name.written for name in result.unknown_names.values()] == ["KRAP grundforløb v/ Kursushuset (1 dag)"]


def test_names_that_differ_in_brackets_are_asked_about_one_by_one(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    """ "(grundkursus)" and "(opfølgning)" may be two courses: two questions, not one that would
    credit the follow-up rows as the basic course."""
    client = client_for(world.coordinator)
    lines = ["1042;;Konflikt (grundkursus);01-03-2024", "1042;;Konflikt (opfølgning);01-03-2025"]
    uploaded = _upload(client, _file(tmp_path, lines))
    fields = _fields(client.get(uploaded["Location"]).content.decode())
    assert set(fields) == {"Konflikt (grundkursus)", "Konflikt (opfølgning)"}
    client.post(
        reverse("competences:import_names", kwargs={"token": ImportBatch.objects.get().storage_token}),
        {fields["Konflikt (grundkursus)"]: str(catalogue["low"].pk)},
    )
    again = client.get(uploaded["Location"]).content.decode()
    assert set(_fields(again)) == {"Konflikt (opfølgning)"}


def test_choosing_nothing_is_refused_and_nothing_is_saved(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    client = client_for(world.coordinator)
    uploaded = _upload(client, _file(tmp_path, ["1042;;Yoga;02-03-2024"]))
    token = ImportBatch.objects.get().storage_token
    fields = _fields(client.get(uploaded["Location"]).content.decode())

    refused = client.post(reverse("competences:import_names", kwargs={"token": token}), {fields["Yoga"]: ""})

    assert refused.status_code == 422
    assert "Vælg, hvad mindst ét af navnene betyder." in refused.content.decode()
    forged = client.post(reverse("competences:import_names", kwargs={"token": token}), {fields["Yoga"]: "999999"})
    assert forged.status_code == 422  # not a catalogue competence
    assert not CompetenceName.objects.exists()


def test_saved_names_are_the_municipalitys_own(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    norddjurs, syddjurs = Municipality.objects.get(code="0707"), world.syddjurs_facility.municipality
    save_names(norddjurs, {name_key(PROVIDER_NAME): (PROVIDER_NAME, catalogue["krap"])}, world.coordinator)
    other = world.syddjurs_staff[0]
    other.person_key = f"{syddjurs.code}:5001"
    other.save()
    path = _file(tmp_path, [f"5001;;{PROVIDER_NAME};01-03-2024"])

    theirs = check_holdings(SourceFile(name="beviser.csv", path=path), syddjurs)

    assert list(theirs.unknown_names) == [name_key(PROVIDER_NAME)]  # Norddjurs's choice is not theirs
    saved = CompetenceName.objects.get()
    other_coordinator = client_for(world.other_coordinator)
    assert PROVIDER_NAME not in other_coordinator.get(reverse("competences:import_upload")).content.decode()
    deleting = other_coordinator.post(reverse("competences:import_name_delete", kwargs={"pk": saved.pk}))
    assert deleting.status_code == 404
    assert CompetenceName.objects.exists()
    for user in (world.manager, world.finance, world.employee_user):
        forbidden = client_for(user).post(reverse("competences:import_name_delete", kwargs={"pk": saved.pk}))
        assert forbidden.status_code == 403
    assert PROVIDER_NAME in client_for(world.coordinator).get(reverse("competences:import_upload")).content.decode()


def test_forgetting_a_name_asks_again_and_keeps_the_certificates(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    norddjurs = Municipality.objects.get(code="0707")
    save_names(norddjurs, {name_key(PROVIDER_NAME): (PROVIDER_NAME, catalogue["krap"])}, world.coordinator)
    client = client_for(world.coordinator)
    uploaded = _upload(client, _file(tmp_path, [f"1042;;{PROVIDER_NAME};01-03-2024"]))
    client.post(uploaded["Location"])  # applied: one KRAP certificate
    assert CompetenceHolding.objects.get().competence == catalogue["krap"]

    forgotten = client.post(
        reverse("competences:import_name_delete", kwargs={"pk": CompetenceName.objects.get().pk}), follow=True
    )

    assert f"Navnet »{PROVIDER_NAME}« er glemt." in forgotten.content.decode()
    assert not CompetenceName.objects.exists()
    assert CompetenceHolding.objects.count() == 1
    entry = AuditEntry.objects.get(action="competences.name.deleted")
    assert entry.before == {"written": PROVIDER_NAME, "competence": "krap"}
    path = _file(tmp_path, [f"1042;;{PROVIDER_NAME};01-03-2025"], "igen.csv")
    assert check_holdings(SourceFile(name="igen.csv", path=path), norddjurs).unknown_names


def test_a_name_someone_saved_meanwhile_keeps_their_choice(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    client = client_for(world.coordinator)
    uploaded = _upload(client, _file(tmp_path, [f"1042;;{PROVIDER_NAME};01-03-2024"]))
    fields = _fields(client.get(uploaded["Location"]).content.decode())
    norddjurs = Municipality.objects.get(code="0707")
    save_names(norddjurs, {name_key(PROVIDER_NAME): (PROVIDER_NAME, catalogue["low"])}, world.admin)

    posted = client.post(
        reverse("competences:import_names", kwargs={"token": ImportBatch.objects.get().storage_token}),
        {fields[PROVIDER_NAME]: str(catalogue["krap"].pk)},
    )

    # The file no longer has the name as unknown: back to the check, the other choice stands.
    assert posted.status_code == 302
    assert CompetenceName.objects.get().competence == catalogue["low"]
    check = client.get(uploaded["Location"])
    assert check.status_code == 200
    assert "Low Arousal" in check.content.decode()
    # Saved between the page's own re-check and its save: refused whole, nothing replaced.
    with pytest.raises(NamesTakenError):
        save_names(
            norddjurs,
            {
                name_key("Yoga"): ("Yoga", catalogue["krap"]),
                name_key(PROVIDER_NAME): (PROVIDER_NAME, catalogue["krap"]),
            },
            world.coordinator,
        )
    assert list(CompetenceName.objects.values_list("written", flat=True)) == [PROVIDER_NAME]


def test_the_catalogue_wins_over_a_saved_name(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    norddjurs = Municipality.objects.get(code="0707")
    save_names(norddjurs, {name_key("Recovery"): ("Recovery", catalogue["low"])}, world.coordinator)
    recovery = factories.competence("recovery", name="Recovery")
    path = _file(tmp_path, ["1042;;Recovery;01-03-2024"])

    result = check_holdings(SourceFile(name="beviser.csv", path=path), norddjurs)

    assert [h.competence for h in result.new] == [recovery]


def test_rows_of_a_name_left_out_are_skipped_in_this_import_only(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    """First aid is not in the catalogue and never will be: its rows are left out of this import
    (each a warning), the rest is imported, and the choice is not saved for later lists."""
    client = client_for(world.coordinator)
    path = _file(tmp_path, ["1042;;KRAP;01-03-2024", "1042;;Førstehjælp;02-03-2024", "9999;;Førstehjælp;03-03-2024"])
    uploaded = _upload(client, path)
    fields = _fields(client.get(uploaded["Location"]).content.decode())
    token = ImportBatch.objects.get().storage_token

    answered = client.post(
        reverse("competences:import_names", kwargs={"token": token}), {fields["Førstehjælp"]: "skip"}, follow=True
    )

    page = answered.content.decode()
    assert answered.status_code == 200
    assert "Rækkerne med 1 navn indlæses ikke i denne import. Filen er kontrolleret igen." in page
    assert "Rækken springes over: »Førstehjælp« er valgt fra i denne import." in page
    assert 'id="skipped-rows"' in page
    assert not CompetenceName.objects.exists()
    applied = client.post(uploaded["Location"])
    assert applied.status_code == 302
    assert [h.competence for h in CompetenceHolding.objects.all()] == [catalogue["krap"]]
    assert ImportBatch.objects.get().counts["rows_skipped"] == 2
    # The next list with the name asks again.
    again = _upload(client, _file(tmp_path, ["1042;;Førstehjælp;02-03-2025"], "igen.csv"))
    assert set(_fields(client.get(again["Location"]).content.decode())) == {"Førstehjælp"}


def _command(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_holdings", str(path), "--municipality", "0707", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_lists_unknown_names_and_takes_the_answers(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    path = _file(tmp_path, [f"1042;;{PROVIDER_NAME};01-03-2024", "1042;;Yoga;02-03-2024", "1042;;KRAP;03-03-2025"])
    err = io.StringIO()
    with pytest.raises(CommandError, match="Importen blev afvist: 2 fejl"):
        call_command("import_holdings", str(path), "--municipality", "0707", stdout=io.StringIO(), stderr=err)
    told = err.getvalue()
    assert "Navne, kataloget ikke kender (svar med --name eller --skip-name):" in told
    assert f'"{PROVIDER_NAME}": 1 række; mest sandsynligt: krap (KRAP)' in told
    assert '"Yoga": 1 række' in told
    assert not CompetenceHolding.objects.filter(employee=person).exists()

    # A dry run with the answers: the names are not saved, nothing is written.
    # The competence by its name works as well as by its code.
    out, _ = _command(path, "--name", f"{PROVIDER_NAME}=low arousal", "--skip-name", "yoga", "--dry-run")
    assert "Prøvekørsel, intet er gemt: 2 kompetencebeviser ville blive tilføjet" in out
    assert f"Ville blive gemt for Norddjurs Kommune: »{PROVIDER_NAME}« betyder »Low Arousal« (low-arousal)." in out
    assert not CompetenceName.objects.exists()
    assert not CompetenceHolding.objects.filter(employee=person).exists()
    dry = ImportBatch.objects.get()
    assert (dry.status, dry.dry_run, dry.counts["holdings_created"]) == (ImportBatch.Status.DRY_RUN, True, 2)
    dry.delete()

    out, err_text = _command(path, "--name", f"{PROVIDER_NAME}=krap", "--skip-name", "Yoga")  # the code
    assert "Indlæst: 2 kompetencebeviser tilføjet" in out
    assert f"Gemt for Norddjurs Kommune: »{PROVIDER_NAME}« betyder »KRAP« (krap)." in out
    assert "»Yoga« er valgt fra i denne import" in err_text
    saved = CompetenceName.objects.get()
    assert (saved.written, saved.competence, saved.municipality.code) == (PROVIDER_NAME, catalogue["krap"], "0707")
    assert AuditEntry.objects.filter(action="competences.name.saved").count() == 1
    assert CompetenceHolding.objects.filter(employee=person, competence=catalogue["krap"]).count() == 2
    # In the upload page's history, by the command line, as its saved name is.
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_by, batch.file_names) == (ImportBatch.Status.APPLIED, None, ["beviser.csv"])
    assert batch.counts["holdings_created"] == 2
    page = client_for(world.coordinator).get(reverse("competences:import_upload")).content.decode()
    assert page.count("<td>kommandolinjen</td>") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "KRAP grundforløb"], 'skal skrives "NAVN SOM I LISTEN=KODE"'),
        (
            ["--name", "KRAP grundforløb=findes-ikke"],
            "kataloget har ingen kompetence med koden eller navnet »findes-ikke«",
        ),
        (["--name", "Yoga=krap", "--skip-name", "YOGA"], "både gemmes med --name og springes over"),
        # A mistyped name would be saved for the municipality's later lists without anyone noticing.
        (
            ["--name", "Yogaa=krap"],
            "»Yogaa« står ikke i filen som et navn, kataloget ikke kender. Filens ukendte navne: »Yoga«.",
        ),
        (["--skip-name", "Pilates"], "»Pilates« står ikke i filen som et navn, kataloget ikke kender."),
        (["--name", "KRAP=low-arousal"], "»KRAP« står ikke i filen"),
    ],
)
def test_the_command_refuses_answers_it_cannot_use(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path, args: list[str], message: str
) -> None:
    path = _file(tmp_path, ["1042;;Yoga;02-03-2024"])
    with pytest.raises(CommandError, match=re.escape(message)):
        _command(path, *args)
    assert not CompetenceName.objects.exists()
    assert not CompetenceHolding.objects.filter(employee=person).exists()


def test_the_command_does_not_replace_a_saved_name(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    municipality = Municipality.objects.get(code="0707")
    save_names(municipality, {name_key("Yoga"): ("Yoga", catalogue["low"])}, world.coordinator)
    path = _file(tmp_path, ["1042;;Yoga;02-03-2024"])
    with pytest.raises(CommandError, match="»Yoga« er allerede gemt for kommunen som »Low Arousal«"):
        _command(path, "--name", "yoga=krap")
    assert CompetenceName.objects.get().competence == catalogue["low"]


def test_names_saved_by_the_command_are_undone_when_the_list_is_refused(
    world: World, catalogue: dict[str, Competence], person: Any, tmp_path: Path
) -> None:
    path = _file(tmp_path, [f"1042;;{PROVIDER_NAME};01-03-2024", "9999;;KRAP;02-03-2024"])  # 9999: nobody
    with pytest.raises(CommandError, match="Importen blev afvist: 1 fejl"):
        _command(path, "--name", f"{PROVIDER_NAME}=krap")
    assert not CompetenceName.objects.exists()
