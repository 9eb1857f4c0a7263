"""Load the official region and municipality codes shipped as package data; the seeded code lists.

Indeholder data fra Klimadatastyrelsen, DAGI.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from django.utils.translation import gettext_noop

ATTRIBUTION = "Indeholder data fra Klimadatastyrelsen, DAGI"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    nuts2: str


@dataclass(frozen=True)
class MunicipalityRow:
    code: str
    name: str
    region_code: str


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("styrbord.organisations").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))


def regions() -> list[RegionRow]:
    """The five regions."""
    return [RegionRow(r["regionskode"], r["regionsnavn"], r["nuts2"]) for r in _read("regioner.csv")]


def municipalities() -> list[MunicipalityRow]:
    """The 98 municipalities (Christiansø, outside the municipal division, is left out)."""
    return [
        MunicipalityRow(r["kommunekode"], r["kommunenavn"], r["regionskode"])
        for r in _read("kommuner.csv")
        if r["udenforkommuneinddeling"].strip().lower() != "true"
    ]


# Code lists that describe a facility, as the data migration seeds them: (code, Danish name).
# The names are stored in Danish (the API gives them so) and marked for makemessages, so a page
# shows them in the reader's language: see ``CodeListItem.display_name``. A name an administrator
# adds or changes later is not in these lists and is shown as written.
LEGAL_BASES = [
    ("sel-107", gettext_noop("SEL § 107 (midlertidigt botilbud)")),
    ("sel-108", gettext_noop("SEL § 108 (længerevarende botilbud)")),
    ("sel-85-abl-105", gettext_noop("SEL § 85 + ABL § 105 (almen bolig med socialpædagogisk støtte)")),
    ("sel-85", gettext_noop("SEL § 85 (socialpædagogisk støtte)")),
    ("sel-103", gettext_noop("SEL § 103 (beskyttet beskæftigelse)")),
    ("sel-104", gettext_noop("SEL § 104 (aktivitets- og samværstilbud)")),
    ("sel-110", gettext_noop("SEL § 110 (forsorgshjem)")),
    ("barnets-lov-43", gettext_noop("Barnets Lov § 43 (anbringelsessted)")),
    ("sundhedsloven", gettext_noop("Sundhedsloven (regional psykiatri)")),
]
TARGET_GROUPS = [
    ("psykiatri", gettext_noop("Sindslidelse / psykiatrisk diagnose")),
    ("dobbeltdiagnose", gettext_noop("Dobbeltdiagnose (psykiatri og rusmidler)")),
    ("autisme", gettext_noop("Autismespektrumforstyrrelse")),
    ("udviklingshaemning", gettext_noop("Udviklingshæmning")),
    ("hjerneskade", gettext_noop("Erhvervet hjerneskade")),
    ("rusmidler", gettext_noop("Rusmiddelproblematik")),
    ("hjemloeshed", gettext_noop("Hjemløshed")),
    ("udadreagerende", gettext_noop("Udadreagerende adfærd")),
]
METHODS = [
    ("krap", gettext_noop("KRAP")),
    ("recovery", gettext_noop("Recovery-orienteret rehabilitering")),
    ("housing-first", gettext_noop("Housing First")),
    ("low-arousal", gettext_noop("Low Arousal")),
    ("mentalisering", gettext_noop("Mentalisering")),
    ("traumebevidst", gettext_noop("Traumebevidst omsorg")),
    ("studio-iii", gettext_noop("Studio III")),
    ("safewards", gettext_noop("Safewards")),
]

# The seeded names of each list: those a page translates.
LEGAL_BASIS_NAMES = frozenset(name for _code, name in LEGAL_BASES)
TARGET_GROUP_NAMES = frozenset(name for _code, name in TARGET_GROUPS)
METHOD_NAMES = frozenset(name for _code, name in METHODS)
