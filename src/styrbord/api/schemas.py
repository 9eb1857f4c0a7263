"""Shared API schema pieces: the input base, safe text, ids, versions, error bodies and pagination."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, create_model
from pydantic_core import PydanticCustomError

from styrbord.lib.fields import within_calendar


class Input(Schema):
    """Base of every request body schema and of every object nested in one (never of an output).

    A field the schema does not declare answers 422 ``extra_forbidden`` at the field
    (``["body", "payload", "bogus"]``, or ``[..., "employment", "bogus"]`` inside a nested object),
    instead of being silently dropped: a misspelt PATCH field is not a no-op that answers 200.
    The OpenAPI schema says so (``additionalProperties: false``), so generated clients know too.
    Ninja's ``Schema`` validates the raw dict first when extras are forbidden, so they are seen.
    """

    model_config = ConfigDict(extra="forbid")


# PostgreSQL text cannot hold NUL characters: refuse them in the schema, not with a 500.
NO_NUL = r"^[^\x00]*$"
MAX_ID = 2**53 - 1  # the largest integer a JavaScript client reads exactly
MAX_INT = 2**31 - 1
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[
    int, Field(ge=1, le=MAX_INT, description="Versionen, du læste. En forældet version giver 409 Conflict.")
]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
BirthYear = Annotated[int, Field(ge=1900, le=2100)]
SmallCount = Annotated[int, Field(ge=0, le=32767)]
# People on duty: the model's MAX_MINIMUM_STAFF (a typo of 99999 would make every day "under minimum").
StaffCount = Annotated[int, Field(ge=0, le=999)]


def _calendar_day(value: dt.date) -> dt.date:
    """The calendar rule every date keeps to (``lib.fields``), as the API's own 422 at the field."""
    try:
        within_calendar(value)
    except DjangoValidationError as error:
        raise PydanticCustomError("out_of_calendar", error.messages[0]) from None
    return value


# A query date (?on=) is checked here; a body date here too, before the model's full_clean.
Day = Annotated[
    dt.date,
    AfterValidator(_calendar_day),
    Field(description="Dato (ÅÅÅÅ-MM-DD), fra 1900-01-01 til 2199-12-31."),
]

# Strings: a length limit (the model field's) and no NUL characters. "Required" ones are non-empty.
Text40 = Annotated[str, StringConstraints(max_length=40, pattern=NO_NUL)]
Text60 = Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)]
Text100 = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
Text200 = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Text300 = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Text2000 = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
Required40 = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]
Required64 = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Required100 = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
Required200 = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")]

# Decimals: exact, sent as a string (or a number); bounded like the model field.
Hours = Annotated[Decimal, Field(max_digits=5, decimal_places=2, ge=0, le=80, allow_inf_nan=False)]
Factor = Annotated[Decimal, Field(max_digits=4, decimal_places=2, ge=0, le=Decimal("99.99"), allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(max_digits=5, decimal_places=2, ge=0, le=100, allow_inf_nan=False)]


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# A percentage in an answer, always with two decimal places ("100.00", "75.00"), as the model's
# percent fields (``target_percent``) give it, also where it is worked out: a requirement's target is
# the constant 100 for a rule that everyone must meet, and read from the field otherwise.
PercentOut = Annotated[
    Decimal,
    AfterValidator(_two_places),
    Field(description='Procent med to decimaler, som tekst (f.eks. "100.00", "75.00").'),
]
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2, ge=0, le=Decimal("999999999999.99"), allow_inf_nan=False),
]
SignedMoney = Annotated[
    Decimal,
    Field(
        max_digits=14,
        decimal_places=2,
        ge=Decimal("-999999999999.99"),
        le=Decimal("999999999999.99"),
        allow_inf_nan=False,
    ),
]


class ErrorOut(Schema):
    detail: str


class ConflictOut(Schema):
    detail: str
    current_version: int | None = None


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


def choices(enum: Any) -> Any:
    """A string restricted to a TextChoices' values (a Literal, so no clashing enum names in the schema)."""
    return Literal[tuple(enum.values)]


def int_choices(enum: Any) -> Any:
    return Literal[tuple(enum.values)]


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ConflictOut}


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    """A page of ``item``: total count, page number, page size and the items."""
    return create_model(  # type: ignore[no-any-return, call-overload]
        f"{name}Page",
        __base__=Schema,
        count=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
        items=(list[item], ...),  # type: ignore[valid-type]
    )
