"""Load the official region and municipality codes shipped as package data.

Indeholder data fra Klimadatastyrelsen, DAGI.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

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


# Code lists that describe a facility. (code, Danish name)
LEGAL_BASES = [
    ("sel-107", "SEL § 107 (midlertidigt botilbud)"),
    ("sel-108", "SEL § 108 (længerevarende botilbud)"),
    ("sel-85-abl-105", "SEL § 85 + ABL § 105 (almen bolig med socialpædagogisk støtte)"),
    ("sel-85", "SEL § 85 (socialpædagogisk støtte)"),
    ("sel-103", "SEL § 103 (beskyttet beskæftigelse)"),
    ("sel-104", "SEL § 104 (aktivitets- og samværstilbud)"),
    ("sel-110", "SEL § 110 (forsorgshjem)"),
    ("barnets-lov-43", "Barnets Lov § 43 (anbringelsessted)"),
    ("sundhedsloven", "Sundhedsloven (regional psykiatri)"),
]
TARGET_GROUPS = [
    ("psykiatri", "Sindslidelse / psykiatrisk diagnose"),
    ("dobbeltdiagnose", "Dobbeltdiagnose (psykiatri og rusmidler)"),
    ("autisme", "Autismespektrumforstyrrelse"),
    ("udviklingshaemning", "Udviklingshæmning"),
    ("hjerneskade", "Erhvervet hjerneskade"),
    ("rusmidler", "Rusmiddelproblematik"),
    ("hjemloeshed", "Hjemløshed"),
    ("udadreagerende", "Udadreagerende adfærd"),
]
METHODS = [
    ("krap", "KRAP"),
    ("recovery", "Recovery-orienteret rehabilitering"),
    ("housing-first", "Housing First"),
    ("low-arousal", "Low Arousal"),
    ("mentalisering", "Mentalisering"),
    ("traumebevidst", "Traumebevidst omsorg"),
    ("studio-iii", "Studio III"),
    ("safewards", "Safewards"),
]
