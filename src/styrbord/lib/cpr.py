"""CPR numbers in text where none belongs: a name, an education, a person key.

Styrbord never keeps a CPR number in clear (only the keyed hash of one, as a person key). A CPR
number typed into another field ("Ole Nielsen 010190-1234") would be stored, shown and exported
as written, so every way in refuses it: the API, the forms and admin (the model validator) and
the HR import (a row-level error)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# Ten digits as a CPR number is written: 010190-1234, 010190 1234, 0101901234, 01.01.90-1234.
CPR_LIKE = re.compile(r"(?<!\d)\d{2}[ .]?\d{2}[ .]?\d{2}\s?[-. ]?\s?\d{4}(?!\d)")

NAME_WITH_CPR = gettext_lazy("Navnet må ikke indeholde et CPR-nummer.")
TEXT_WITH_CPR = gettext_lazy("Feltet må ikke indeholde et CPR-nummer.")


def contains_cpr(text: str | None) -> bool:
    """Whether the text holds something written like a CPR number."""
    return bool(text) and CPR_LIKE.search(text) is not None  # type: ignore[arg-type]


def no_cpr_in_name(value: str) -> None:
    """Model and form validator for a person's name."""
    if contains_cpr(value):
        raise ValidationError(NAME_WITH_CPR, code="cpr")


def no_cpr_in_text(value: str) -> None:
    """Model and form validator for other free text about a person."""
    if contains_cpr(value):
        raise ValidationError(TEXT_WITH_CPR, code="cpr")


# Six digits, maybe a dash, four or more: masked even when longer than a CPR number (a CPR number
# with more digits typed after it).
_SIX_AND_MORE = re.compile(r"(?<!\d)(\d{6})-?\d{4,}")


def mask_cpr(text: str) -> str:
    """Hide the serial part of anything written like a CPR number: 010203-1234 -> 010203-****,
    01.02.03-1234 -> 01.02.03-****."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _SIX_AND_MORE.sub(lambda m: f"{m.group(1)}-****", text)
    return CPR_LIKE.sub(lambda m: m.group(0)[:-4] + "****", text)
