"""Cell values as municipalities write them, and the sniffing of encodings and delimiters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from styrbord.lib.cpr import mask_cpr
from styrbord.lib.formatting import parse_decimal
from styrbord.staff.importing.columns import BAD_NUMBER, BETWEEN, Columns, NumberRule
from styrbord.staff.importing.errors import IssueList
from styrbord.staff.importing.reading import Table, decode, sniff_delimiter
from styrbord.staff.importing.values import (
    cpr_birth_year,
    looks_like_cpr,
    parse_bool,
    parse_date,
)
from styrbord.staff.importing.vocabulary import job_group_for_name, kind_for_value, status_for_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,50", Decimal("1234.50")),
        ("37,0", Decimal("37.0")),
        ("37", Decimal("37")),
        ("37.5", Decimal("37.5")),
        ("1.234", Decimal("1234")),
        ("1 234,5", Decimal("1234.5")),
        ("1,234.50", Decimal("1234.50")),
        ("-2,5", Decimal("-2.5")),
    ],
)
def test_danish_and_plain_decimals_are_read(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


def test_a_repeated_number_is_read_as_each_cell_writes_it_and_each_bad_cell_is_reported() -> None:
    """A number cell is parsed, rounded and checked once per distinct text (a file repeats the
    same hours thousands of times): equal numbers still keep the places their cell was written
    with, and every cell that is wrong gets its own error, not only the first."""
    errors = IssueList()
    columns = Columns(Table(file="f.csv", headers=["Timer"], header_row=1, rows=iter(()), kind="csv"), errors)
    rule = NumberRule(Decimal(0), Decimal(80), 5, 2)
    cells = ["37,0", "37,00", "37,0", "x", "x", "90", "90", "7,125", ""]

    read = [columns.number(text, row, 0, rule) for row, text in enumerate(cells, start=2)]

    assert [None if value is None else str(value) for value in read] == [
        "37.0",
        "37.00",
        "37.0",
        None,
        None,
        None,
        None,
        "7.13",
        None,
    ]
    assert [(issue.row, issue.value, issue.msgid) for issue in errors] == [
        (5, "x", BAD_NUMBER),
        (6, "x", BAD_NUMBER),
        (7, "90", BETWEEN),
        (8, "90", BETWEEN),
    ]


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "NaN", "Infinity"])
def test_things_that_are_not_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r".*"):
        parse_decimal(text)


@pytest.mark.parametrize(
    "text", ["01-02-2024", "01.02.2024", "1/2/2024", "2024-02-01", "2024-02-01 00:00:00", " 1-2-2024 "]
)
def test_dates_are_day_first_or_iso(text: str) -> None:
    assert parse_date(text) == dt.date(2024, 2, 1)


@pytest.mark.parametrize("text", ["31-02-2024", "01-13-2024", "01-02-24", "2024/02/01", "i går"])
def test_impossible_or_ambiguous_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r".*"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("ja", True), ("X", True), ("1", True), ("nej", False), ("0", False), ("", False)]
)
def test_yes_and_no(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


def test_cpr_numbers_are_recognised_by_their_date() -> None:
    assert looks_like_cpr("010185-1234")
    assert looks_like_cpr("0101851234")
    assert not looks_like_cpr("320185-1234")  # no 32nd of January
    assert not looks_like_cpr("12345")
    assert cpr_birth_year("010185-1234") == 1985
    assert cpr_birth_year("010105-4234") == 2005  # 7th digit 4 and year <= 36: the 2000s


def test_anything_shaped_like_a_cpr_number_is_masked() -> None:
    assert mask_cpr("Person 010185-1234 og 0101851234") == "Person 010185-**** og 010185-****"
    assert mask_cpr("010185-12345") == "010185-****"
    assert mask_cpr("Ansat 01-02-2024, 37 timer") == "Ansat 01-02-2024, 37 timer"
    assert mask_cpr("Ole 01.01.90-1234") == "Ole 01.01.90-****"
    assert mask_cpr("Ole 010190 1234") == "Ole 010190 ****"


def test_the_encoding_is_sniffed() -> None:
    text = "Navn;By\nSøren Ærø;Århus\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(("Navn;Stilling\nÅse – leder;Sø\n").encode("cp1252")) == ("Navn;Stilling\nÅse – leder;Sø\n", "cp1252")
    decoded, encoding = decode(text.encode("latin-1"))
    assert decoded == text
    assert encoding in ("cp1252", "latin-1")  # identical for the Danish letters


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("a;b;c\n1;2;3\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ("Navn;Timer\nHansen, Ib;37,0\n", ";"),
        # A title (with a comma) and a date line above the header; Danish decimals below it.
        ("Ansatte, Norddjurs\nUdtrukket 01-11-2026\n\nNavn;Timer;Løn\nIb;37,0;300,50\nBo;30,0;280,00\n", ";"),
        ("Ansatte;;;\nNavn,Timer,Start\nIb,37,2024-01-01\n", ","),  # Excel's title row, saved with ;
        ('Navn;Noter\n"Hansen; Ib";"a, b"\n', ";"),  # quotes are honoured
    ],
)
def test_the_delimiter_is_sniffed(sample: str, delimiter: str) -> None:
    assert sniff_delimiter(sample) == delimiter


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("Socialpædagog", "social_educator"),
        ("Pædagog, døgn", "social_educator"),
        ("Pædagogmedhjælper", "care_assistant"),
        ("Omsorgs- og pædagogmedhjælper", "care_assistant"),
        ("Pædagogisk assistent", "pedagogical_assistant"),
        ("Social- og sundhedsassistent", "sosu_assistant"),
        ("Social- og sundhedsassistentelev", "sosu_assistant"),
        ("SOSU-hjælper", "sosu_helper"),
        ("Sygeplejerske", "nurse"),
        ("Socialrådgiver", "social_worker"),
        ("Afdelingsleder", "manager"),
        ("Ergoterapeut", "therapist"),
        ("Kok", None),
    ],
)
def test_job_code_names_map_to_job_groups(name: str, group: str | None) -> None:
    assert job_group_for_name(name) == group


def test_employment_kinds_and_statuses_accept_danish_words() -> None:
    assert kind_for_value("Timelønnet") == "hourly"
    assert kind_for_value("elev") == "trainee"
    assert kind_for_value("") == "permanent"
    assert kind_for_value("Freelance") is None
    assert status_for_value("1") == "active"
    assert status_for_value("0") == "leave"
    assert status_for_value("Fratrådt") == "ended"


def test_the_header_is_found_below_title_date_and_label_lines() -> None:
    from styrbord.staff.importing.reading import _header_among

    header = ["Nr", "Navn", "Timer", "Start"]
    rows = [
        (1, ["Ansatte", "", "", ""]),
        (2, ["", "", "", ""]),
        (3, ["Udtrukket:", "01-11-2026", "", ""]),  # a label and its value: two cells, not a header
        (4, header),
        (5, ["1", "Ib", "37", ""]),  # data may leave cells empty
        (6, ["2", "Bo", "30", "2024-01-01"]),
    ]
    rest = iter([(7, ["3", "Al", "20", "2024-02-01"])])
    assert _header_among(iter(rows + list(rest))) == (4, header, [*rows[4:], (7, ["3", "Al", "20", "2024-02-01"])])
    # The first rows of a plain file: the header is row 1, and every row read past it comes back.
    plain = [(1, header), (2, ["1", "Ib", "37", "2024-01-01"])]
    assert _header_among(iter(plain)) == (1, header, plain[1:])
    # A header with an unnamed column, below data that fills it, is still the header.
    unnamed = [(1, ["Nr", "Navn", "", "Timer"]), (2, ["1", "Ib", "x", "37"])]
    assert _header_among(iter(unnamed)) == (1, unnamed[0][1], unnamed[1:])
    # A file of one column: its first row is the header.
    single = [(1, ["Navn"]), (2, ["Ib"]), (3, ["Bo"])]
    assert _header_among(iter(single)) == (1, ["Navn"], single[1:])
    # More title-like rows than a title block can have: the first is the header after all.
    many = [(n, [f"r{n}"]) for n in range(1, 9)] + [(9, ["a", "b"]), (10, ["c", "d"])]
    header_row, found, replay = _header_among(iter(many))  # type: ignore[misc]
    assert (header_row, found) == (1, ["r1"])
    assert [n for n, _ in replay] == list(range(2, 11))
    assert _header_among(iter([(1, ["", " "])])) is None
