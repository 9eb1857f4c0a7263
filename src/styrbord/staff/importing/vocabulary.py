"""The words HR files use for job codes, employment types and statuses, mapped to Styrbord's codes.

Job-code names vary between payroll systems ("Socialpædagog", "Pædagog, døgn", "Social- og
sundhedsassistentelev"); the first rule whose keyword occurs in the name decides the job group.
Order matters: "pædagogmedhjælper" must hit the care-assistant rule before the educator rule.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.utils import translation

from styrbord.staff.models import Employment, JobGroup

JOB_GROUP_RULES: list[tuple[tuple[str, ...], str]] = [
    (("leder", "forstander", "chef"), JobGroup.MANAGER),
    (("vikar",), JobGroup.SUBSTITUTE),
    (("peer",), JobGroup.PEER_WORKER),
    (("psykolog",), JobGroup.PSYCHOLOGIST),
    (("sygeplejer", "sundhedsplejer"), JobGroup.NURSE),
    (("ergoterapeut", "fysioterapeut"), JobGroup.THERAPIST),
    (("socialrådgiver", "socialformidler"), JobGroup.SOCIAL_WORKER),
    (
        ("social- og sundhedsassistent", "socialogsundhedsassistent", "sosu-assistent", "sosuassistent"),
        JobGroup.SOSU_ASSISTANT,
    ),
    (("social- og sundhedshjælper", "socialogsundhedshjælper", "sosu-hjælper", "sosuhjælper"), JobGroup.SOSU_HELPER),
    (("pædagogisk assistent", "pædagogiskassistent", "pgu"), JobGroup.PEDAGOGICAL_ASSISTANT),
    (("medhjælper", "omsorgshjælper", "ufaglært", "omsorgsassistent"), JobGroup.CARE_ASSISTANT),
    (("pædagog",), JobGroup.SOCIAL_EDUCATOR),
]

KIND_WORDS: dict[str, str] = {
    "fastansat": Employment.Kind.PERMANENT,
    "fast": Employment.Kind.PERMANENT,
    "fastansættelse": Employment.Kind.PERMANENT,
    "månedslønnet": Employment.Kind.PERMANENT,
    "månedsløn": Employment.Kind.PERMANENT,
    "ordinær": Employment.Kind.PERMANENT,
    "tjenestemand": Employment.Kind.PERMANENT,
    "overenskomstansat": Employment.Kind.PERMANENT,
    "tidsbegrænset": Employment.Kind.FIXED_TERM,
    "vikariat": Employment.Kind.FIXED_TERM,
    "midlertidig": Employment.Kind.FIXED_TERM,
    "timelønnet": Employment.Kind.HOURLY,
    "timeløn": Employment.Kind.HOURLY,
    "elev": Employment.Kind.TRAINEE,
    "lærling": Employment.Kind.TRAINEE,
    "studerende": Employment.Kind.STUDENT,
    "studentermedhjælp": Employment.Kind.STUDENT,
    "studiejob": Employment.Kind.STUDENT,
    "praktikant": Employment.Kind.INTERN,
    "praktik": Employment.Kind.INTERN,
}

STATUS_WORDS: dict[str, str] = {
    "1": Employment.Status.ACTIVE,
    "aktiv": Employment.Status.ACTIVE,
    "ja": Employment.Status.ACTIVE,
    "true": Employment.Status.ACTIVE,
    "0": Employment.Status.LEAVE,
    "inaktiv": Employment.Status.LEAVE,
    "nej": Employment.Status.LEAVE,
    "false": Employment.Status.LEAVE,
    "orlov": Employment.Status.LEAVE,
    "fratrådt": Employment.Status.ENDED,
    "ophørt": Employment.Status.ENDED,
    "stoppet": Employment.Status.ENDED,
}


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@lru_cache(maxsize=8)
def _table(kind: str) -> dict[str, str]:
    """Code and Danish label (lower case) -> code, for one choice list. Built once."""
    choices: list[tuple[str, Any]] = {
        "job_group": JobGroup.choices,
        "kind": Employment.Kind.choices,
        "status": Employment.Status.choices,
    }[kind]
    # Files are Danish whatever language the person uploading has chosen.
    with translation.override("da"):
        table = {_words(str(label)): str(value) for value, label in choices}
    table.update({str(value): str(value) for value, _ in choices})
    return table


@lru_cache(maxsize=1024)
def job_group_for_name(name: str) -> str | None:
    """The job group a job-code name belongs to, or None when no rule knows it."""
    text = _words(name)
    if not text:
        return None
    exact = _table("job_group").get(text)
    if exact:
        return exact
    for keywords, group in JOB_GROUP_RULES:
        if any(keyword in text for keyword in keywords):
            return str(group)
    return None


@lru_cache(maxsize=1024)
def job_group_for_value(text: str) -> str | None:
    """A job group given directly (its code, e.g. 'nurse', or Danish label, e.g. 'Sygeplejerske')."""
    return _table("job_group").get(_words(text)) or job_group_for_name(text)


@lru_cache(maxsize=256)
def kind_for_value(text: str) -> str | None:
    """Employment kind from a Danish word (Fastansat, Timelønnet, Elev ...) or its code."""
    value = _words(text)
    if not value:
        return str(Employment.Kind.PERMANENT)
    found = _table("kind").get(value) or KIND_WORDS.get(value)
    return str(found) if found else None


@lru_cache(maxsize=256)
def status_for_value(text: str) -> str | None:
    """Employment status from AktivStatus (1/0) or a word (Aktiv, Orlov, Fratrådt) or its code."""
    value = _words(text)
    if not value:
        return str(Employment.Status.ACTIVE)
    found = _table("status").get(value) or STATUS_WORDS.get(value)
    return str(found) if found else None
