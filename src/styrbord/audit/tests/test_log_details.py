"""The log page's "Detaljer": every key with a label in the page's language, records by name and
id, dates, money and counts as the rest of the page writes them, people by id only."""

from __future__ import annotations

import ast
import datetime as dt
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from styrbord.audit.details import LABELS, DetailReader
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_access, log_action
from styrbord.organisations.models import Municipality

pytestmark = pytest.mark.django_db


def _details(client: Any, language: str, **params: Any) -> list[list[tuple[str, str]]]:
    """Each row's details on the log page, as (label, text) pairs, newest first."""
    client.cookies["django_language"] = language
    html = client.get("/audit/", params).content.decode()
    lists = re.findall(r'<dl class="details">(.*?)</dl>', html, re.DOTALL)
    return [
        [
            (unescape(label), unescape(text))
            for label, text in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", found, re.DOTALL)
        ]
        for found in lists
    ]


def test_the_evidence_sheet_view_reads_facility_and_date_in_either_language(world, client) -> None:
    """The tester's row: "facility 3 / on 2026-12-07" beside "07 Dec 2026" in the same row."""
    log_access(
        world.manager,
        "requirements.evidence_sheet.viewed",
        [p.pk for p in world.dolmer_staff],
        {"facility": world.dolmer.pk, "on": dt.date(2026, 12, 7)},
    )
    client.force_login(world.admin)

    assert _details(client, "da") == [[("Tilbud", f"Dolmer Have ({world.dolmer.pk})"), ("Dato", "07-12-2026")]]
    assert _details(client, "en") == [[("Facility", f"Dolmer Have ({world.dolmer.pk})"), ("Date", "07 Dec 2026")]]


def test_an_import_names_the_municipality_by_its_code_and_writes_the_counts(world, client) -> None:
    norddjurs = Municipality.objects.get(code="0707")
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.CHANGE,
        action="competences.holdings.imported",
        actor_label="koordinator",
        data={"municipality": "0707", "file": "beviser.xlsx", "rows": 12500, "holdings_created": 1200},
    )
    client.force_login(world.admin)

    assert _details(client, "da") == [
        [
            ("Kommune", f"{norddjurs.official_name} (0707)"),
            ("Rækker", "12.500"),
            ("Kompetencebeviser oprettet", "1.200"),
            ("Fil", "beviser.xlsx"),
        ]
    ]
    assert _details(client, "en")[0][1:3] == [("Rows", "12,500"), ("Certificates created", "1,200")]


def test_a_ledger_entry_reads_its_coded_values_money_and_date(world, client) -> None:
    """The details of a posting are fields of the posting: their names, choices, kroner and dates."""
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.CHANGE,
        action="funding.ledger.corrected",
        actor_label="oekonomi",
        object_type="funding.ledgerentry",
        object_id="41",
        data={
            "kind": "correction",
            "balance": "actual",
            "category": "fee",
            "amount": "-3200.00",
            "posted_on": "2026-12-07",
            "corrects": 40,
            "old_amount": "3200.00",
        },
    )
    client.force_login(world.admin)

    (danish,) = _details(client, "da")
    assert dict(danish) == {
        "Type": "Korrektion",
        "Saldo": "Forbrug",
        "Udgiftsart": "Kursusgebyr",
        "Beløb": "-3.200,00 kr.",
        "Dato": "07-12-2026",
        "Korrigerer": "40",
        "Tidligere beløb": "3.200,00 kr.",
    }
    (english,) = _details(client, "en")
    assert ("Date", "07 Dec 2026") in english
    assert ("Previous amount", "DKK 3,200.00") in english


def test_a_change_from_the_admin_names_its_fields_and_the_admin_site(world, client) -> None:
    log_action(
        world.dolmer, "organisations.facility.updated", world.admin, {"via": "admin", "fields": ["places", "name"]}
    )
    client.force_login(world.admin)

    assert _details(client, "da") == [[("Ændrede felter", "pladser, navn"), ("Via", "administrationsmodulet")]]
    assert _details(client, "en") == [[("Fields changed", "places, name"), ("Via", "the admin site")]]


def test_an_unknown_key_is_made_readable_and_a_record_gone_keeps_its_id(world, client) -> None:
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.ACCESS,
        action="training.absence.exported",
        actor_label="leder",
        data={"facility": 999_999, "some_new_key": "2026-12-07T09:30:00+00:00", "month": "2026-12"},
    )
    client.force_login(world.admin)

    assert _details(client, "da") == [
        [("Tilbud", "999999 (findes ikke)"), ("Måned", "2026-12"), ("Some new key", "07-12-2026 10:30")]
    ]
    english = _details(client, "en")[0]
    assert english[0] == ("Facility", "999999 (does not exist)")
    assert english[2] == ("Some new key", "07 Dec 2026 10:30")


def test_people_and_their_records_stay_ids(world, client) -> None:
    """The log names people by employee id only: a booking (a person's record) is its id."""
    person = world.dolmer_staff[0]
    log_action(
        person, "training.booking.cancelled", world.admin, {"booking": 12, "bookings": [12, 13], "reason": "Syg"}
    )
    client.force_login(world.admin)

    html = client.get("/audit/").content.decode()
    (details,) = _details(client, "da")
    assert ("Booking", "12") in details
    assert ("Bookinger", "12, 13") in details
    assert ("Begrundelse", "Syg") in details
    assert person.name not in html


def test_the_records_of_a_page_are_looked_up_together(world) -> None:
    """A page of 100 rows naming facilities costs one query for the facilities, not one per row."""
    facilities = [world.dolmer, world.glesborg, world.syddjurs_facility, world.kbh_facility]
    for n in range(40):
        log_access(world.admin, "training.calendar.exported", [], {"facility": facilities[n % 4].pk})
    reader = DetailReader()
    entries = list(AuditEntry.objects.all())

    with CaptureQueriesContext(connection) as queries:
        reader.load(entries)
        shown = [reader.details(entry) for entry in entries]

    assert len(queries) == 1
    assert {text for ((_label, text),) in shown} == {f"{f.name} ({f.pk})" for f in facilities}


def _written_keys() -> set[str]:
    """The keys of every dict literal the code passes as details to log_action/log_access/log_changes/log_refused."""
    root = Path(__file__).resolve().parents[2]
    keys: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.parent.name == "migrations":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("log_action", "log_access", "log_changes", "log_refused"):
                continue
            data = next((k.value for k in node.keywords if k.arg == "data"), None)
            if data is None and len(node.args) >= 4:
                data = node.args[3]
            if isinstance(data, ast.Dict):
                keys.update(k.value for k in data.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return keys


def _keys_returned_by(path: str, function: str) -> set[str]:
    """The string keys one function of the code (a helper that builds details) puts in a dict:
    the keys of its dict literals and those it sets (``counts["rows_skipped"] = ...``)."""
    root = Path(__file__).resolve().parents[2]
    tree = ast.parse((root / path).read_text())
    found = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    keys: set[str] = set()
    for node in ast.walk(found):
        if isinstance(node, ast.Dict):
            keys.update(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            keys.add(node.slice.value)
    return keys


def test_every_detail_key_the_code_writes_has_a_label() -> None:
    """A new key without a label would show as a code word: name it in audit/details.py."""
    written = _written_keys()
    assert {"facility", "on", "via", "fields", "rows"} <= written  # the scan finds the calls
    # Written by helpers: the import counts, a posting's details (and what follows a posting),
    # a requirement's competences, the admin's change log.
    helpers = (
        _keys_returned_by("staff/importing/plan.py", "counts")
        | _keys_returned_by("competences/importing.py", "counts")
        | _keys_returned_by("funding/services/ledger.py", "_audit_data")
        | _keys_returned_by("requirements/manage_views.py", "_audit_data")
        | {"reverses", "reopens", "releases", "corrects", "old_amount", "reason", "changed_personal_fields"}
    )
    assert {"employments_created", "holdings_created", "rows_skipped", "posted_on", "competences"} <= helpers
    assert sorted((written | helpers) - set(LABELS)) == []


def test_a_requirements_competences_before_and_after_are_named(world, client) -> None:
    from styrbord.testing import factories

    first, second = factories.competence(name="KRAP"), factories.competence(name="Low Arousal")
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.CHANGE,
        action="requirements.requirement.updated",
        actor_label="koordinator",
        data={"before": {"competences": [first.pk]}, "after": {"competences": [first.pk, second.pk]}},
    )
    client.force_login(world.admin)

    assert _details(client, "da") == [
        [
            ("Før", f"Kompetencer: {first.name} ({first.pk})"),
            ("Efter", f"Kompetencer: {first.name} ({first.pk}), {second.name} ({second.pk})"),
        ]
    ]
    assert [label for label, _text in _details(client, "en")[0]] == ["Before", "After"]


# An amount in the details (a key the log calls money, or a money field of the entry's object) as
# the log writes it: the value as given -> the log's text. What is no amount reads as any other value.
MONEY_TEXTS = [
    ("1234.5", "1.234,50 kr."),
    (12, "12,00 kr."),
    (0.5, "0,50 kr."),
    (True, "Ja"),  # a bool is no amount
    (False, "Nej"),
    (None, "–"),
    ("", "–"),
    ("abc", "abc"),
    ("2026-01-05", "05-01-2026"),  # the log's own reading of a date
    (["1", "x"], "1, x"),
    ({"a": 1}, "A: 1"),
    ("NaN", "NaN"),  # no amount, and no error: it once stopped the whole page
    ("Infinity", "Infinity"),
]


@pytest.mark.parametrize(("value", "text"), MONEY_TEXTS)
def test_money_in_the_details_reads_as_an_amount_or_as_the_value_it_is(value: Any, text: str) -> None:
    from styrbord.funding.models import LedgerEntry

    reader = DetailReader()
    assert reader.value("amount", value) == text  # a money key of LABELS
    assert reader.value("amount", value, LedgerEntry) == text  # the ledger entry's money field
