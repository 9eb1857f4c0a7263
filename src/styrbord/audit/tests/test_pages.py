"""Administrator pages: the audit log with filters, and the export per data subject."""

from __future__ import annotations

import io
import json
import re

import openpyxl

from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action


def test_only_administrators_see_the_log(world, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/audit/").status_code == 302  # anonymous: to the login page
    client.force_login(world.coordinator)
    assert client.get("/audit/").status_code == 403
    client.force_login(world.admin)
    assert client.get("/audit/").status_code == 200


def test_the_log_filters_by_subject_and_kind(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.dolmer_staff[0]
    log_access(world.coordinator, "staff.employee.viewed", [person.pk])
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})
    client.force_login(world.admin)
    page = client.get("/audit/", {"subject": person.pk, "kind": "access"}).content.decode()
    assert "staff.employee.viewed" in page
    assert "organisations.facility.updated" not in page
    assert person.name not in page  # people are shown by id, never by name


def test_a_refused_filter_lists_nothing_and_says_why(world, client) -> None:  # type: ignore[no-untyped-def]
    """A "Til dato" before "Fra dato" silently found nothing, and a subject that is no number listed
    every entry under its error: both now list nothing and say what is wrong at the field."""
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})
    client.force_login(world.admin)
    backwards = client.get("/audit/", {"date_from": "2026-12-07", "date_to": "2026-12-01"})
    assert backwards.context["form"].errors["date_to"] == ["Til-datoen ligger før fra-datoen."]
    assert list(backwards.context["page"]) == []
    not_a_number = client.get("/audit/", {"subject": "abc"})
    assert "subject" in not_a_number.context["form"].errors
    assert list(not_a_number.context["page"]) == []
    assert len(client.get("/audit/").context["page"]) > 0  # no filter: the log


def test_one_view_of_many_people_is_one_row_with_their_ids(world, client) -> None:  # type: ignore[no-untyped-def]
    people = sorted(p.pk for p in [*world.dolmer_staff, *world.glesborg_staff])  # five
    log_access(world.coordinator, "staff.employee.viewed", people, data={"facility_id": world.dolmer.pk})
    log_access(world.coordinator, "staff.employee.viewed", people[:1], data={"facility_id": world.dolmer.pk})
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})
    client.force_login(world.admin)

    html = client.get("/audit/").content.decode()

    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 3  # the change, the view of one person, the view of five
    five = next(r for r in rows if "5 personer" in r)
    assert [int(i) for i in re.findall(r'<a href="\?subject=(\d+)">', five)] == people
    assert "staff.employee.viewed" in five
    # Filtered by one person, each event is its own row again.
    mine = client.get("/audit/", {"subject": people[0]}).content.decode()
    assert mine.split("<tbody>", 1)[1].count("<tr>") == 2
    assert "personer" not in mine.split("<tbody>", 1)[1]


def test_a_grouped_row_lists_twelve_ids_and_counts_the_rest(world) -> None:  # type: ignore[no-untyped-def]
    from styrbord.audit.views import group_events

    log_access(world.coordinator, "staff.employee.viewed", list(range(1000, 1030)))

    (event,) = group_events(AuditEntry.objects.order_by("id"))

    assert event.subjects == list(range(1000, 1030))
    assert (event.subjects_shown, event.subjects_hidden) == (list(range(1000, 1012)), 18)


def test_the_subject_export_has_every_entry_about_the_person(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.dolmer_staff[0]
    log_access(world.manager, "staff.employee.viewed", [person.pk])
    log_access(world.manager, "staff.employee.viewed", [world.dolmer_staff[1].pk])
    client.force_login(world.admin)
    response = client.get(f"/audit/registreret/{person.pk}/eksport.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="auditlog-medarbejder-{person.pk}-'
        + response["Content-Disposition"].split("-")[-3]
        + "-"
        + "-".join(response["Content-Disposition"].split("-")[-2:])
    )
    rows = json.loads(response.content)
    assert [r["handling"] for r in rows] == ["staff.employee.viewed"]
    assert [r["beskrivelse"] for r in rows] == ["Medarbejder set"]
    xlsx = client.get(f"/audit/registreret/{person.pk}/eksport.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 3).value == "handling"
    assert sheet.cell(2, 3).value == "staff.employee.viewed"
    assert (sheet.cell(1, 4).value, sheet.cell(2, 4).value) == ("beskrivelse", "Medarbejder set")
    # The export itself is logged.
    assert AuditEntry.objects.filter(action="audit.subject.exported", subject_employee_id=person.pk).exists()


def test_actions_have_readable_names_in_danish_and_english(world) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    from styrbord.audit.actions import action_label

    assert action_label("funding.ledger.reversed") == "Postering tilbageført"  # named
    assert action_label("funding.grant.created") == "Tilsagn oprettet"  # model and verb
    assert action_label("staff.employment.deleted") == "Ansættelse slettet"  # the admin's change log
    assert action_label("api.staff.employee.viewed") == "Medarbejder set (via API)"
    assert action_label("organisations.facility.methods_changed") == "Tilbud: metoder ændret"  # many-to-many
    assert action_label("made.up.thing") == "made.up.thing"  # unknown ids are shown as they are
    with translation.override("en"):
        assert action_label("funding.ledger.reversed") == "Entry reversed"
        assert action_label("funding.grant.created") == "Grant created"


def test_every_action_the_code_writes_has_a_readable_name() -> None:
    """A new action id without a name would show as a bare id in the log: name it in audit/actions.py."""
    from pathlib import Path

    from styrbord.audit.actions import action_label

    root = Path(__file__).resolve().parents[2]
    apps = "|".join(p.name for p in root.iterdir() if (p / "apps.py").exists())
    literal = re.compile(rf'"((?:api\.)?(?:{apps})\.[a-z_]+\.[a-z_]+)"')
    ids: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" not in path.parts and path.parent.name != "migrations":
            ids.update(literal.findall(path.read_text()))
    assert len(ids) > 60
    assert sorted(i for i in ids if action_label(i) == i) == []


def test_the_log_shows_readable_names_and_filters_by_them(world, client) -> None:  # type: ignore[no-untyped-def]
    log_action(world.dolmer, "organisations.facility.updated", world.admin, {"field": "places"})
    log_action(world.dolmer, "funding.ledger.reversed", world.admin)
    client.force_login(world.admin)
    page = client.get("/audit/").content.decode()
    assert "Tilbud ændret" in page
    assert '<code class="small">organisations.facility.updated</code>' in page
    assert f"<td>Tilbud {world.dolmer.pk}</td>" in page  # the object by its model's name and id
    found = client.get("/audit/", {"action": "postering tilbage"}).content.decode()
    assert "Postering tilbageført" in found
    assert "Tilbud ændret" not in found
    by_id = client.get("/audit/", {"action": "facility.upd"}).content.decode()
    assert "Tilbud ændret" in by_id
    assert "Postering tilbageført" not in by_id


def test_a_change_shows_the_fields_it_altered_and_the_details_as_lines(world, client) -> None:  # type: ignore[no-untyped-def]
    log_action(
        world.dolmer,
        "organisations.facility.updated",
        world.admin,
        {"via": "admin", "fields": ["places", "name"]},
        before={"places": 24, "name": "Dolmer Have", "kind": "botilbud"},
        after={"places": 26, "name": "Dolmer Have", "kind": "botilbud"},
    )
    client.force_login(world.admin)
    page = client.get("/audit/").content.decode()
    assert "1 felt ændret" in page
    assert "<td><code>places</code></td><td>24</td><td>26</td>" in page
    assert "<code>name</code>" not in page  # unchanged fields are left out
    assert "<dt>Via</dt><dd>administrationsmodulet</dd>" in page  # labelled, in the page's language
    assert "<dt>Ændrede felter</dt><dd>pladser, navn</dd>" in page
    assert "{&#x27;via&#x27;" not in page  # no Python dict repr


def test_an_unknown_format_answers_404(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.admin)
    assert client.get(f"/audit/registreret/{world.dolmer_staff[0].pk}/eksport.exe").status_code == 404
