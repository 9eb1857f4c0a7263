"""The one money helper: Decimal amounts exact to the øre, never float.

Every money path goes through these functions, so rounding is decided in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.lib.formatting import format_number, parse_typed_decimal

ZERO = Decimal("0.00")
ORE = Decimal("0.01")
MAX_DIGITS = 14  # up to 999.999.999.999,99 kr.: a regional budget fits with room


class MoneyError(ValueError):
    """An amount could not be read as money."""


def to_money(value: Decimal | int | str) -> Decimal:
    """Convert to a Decimal rounded half-up to the øre. Floats are refused."""
    if isinstance(value, float):
        raise MoneyError("money is never a float; pass a Decimal, int or string")
    if isinstance(value, bool):
        raise MoneyError("a boolean is not an amount")
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def round_money(value: Decimal) -> Decimal:
    """Round an intermediate result (e.g. hours x wage x factor) to the øre."""
    return to_money(value)


def to_ore(value: Decimal | int | str) -> int:
    """Whole øre as an int, for solvers that need integers."""
    return int(to_money(value) * 100)


def from_ore(ore: int) -> Decimal:
    """Back from whole øre to a kroner Decimal."""
    return (Decimal(ore) / 100).quantize(ORE)


def allocate(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` by ``weights`` so that the parts sum exactly to the total.

    Uses the largest-remainder method on whole øre; ties go to the earliest part.
    """
    total_ore = to_ore(total)
    if not weights:
        raise MoneyError("cannot allocate over no parts")
    dec_weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in dec_weights):
        raise MoneyError("weights must not be negative")
    weight_sum = sum(dec_weights)
    if weight_sum == 0:
        raise MoneyError("weights must not all be zero")
    exact = [Decimal(total_ore) * w / weight_sum for w in dec_weights]
    floors = [int(e.to_integral_value(rounding="ROUND_FLOOR")) for e in exact]
    remainder = total_ore - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: abs(remainder)]:
        floors[i] += 1 if remainder > 0 else -1
    return [from_ore(f) for f in floors]


def money_sum(values: Sequence[Decimal]) -> Decimal:
    """Sum amounts, starting from an exact zero."""
    return to_money(sum(values, ZERO))


def MoneyField(verbose_name: Any = None, **kwargs: Any) -> models.DecimalField:  # noqa: N802
    """A DecimalField for kroner with two places; the only way models store money."""
    kwargs.setdefault("max_digits", MAX_DIGITS)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


class DanishDecimalFormField(forms.DecimalField):
    """A decimal read as Danes write it, thousands dots included ("2.400,50", "7,4"; also "7.4");
    on an English page as the English write it ("2,400.50"), see ``parse_typed_decimal``.

    Django's own parsing drops thousands dots only when thousands separators are switched on for the
    whole site."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_typed_decimal(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def _money_input() -> forms.TextInput:
    # A text box, not a number box: a browser's number box refuses the Danish decimal comma.
    return forms.TextInput(attrs={"inputmode": "decimal"})


class MoneyInput(forms.TextInput):
    """A money box (text, not number, as ``money_form_field``'s) that writes an amount the form fills in
    itself, a default or a saved value, with thousands dots: "100.000,00", not "100000,00". What the
    user typed is shown back as typed; the field reads both. Pass as ``widget=MoneyInput()``."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_number(value, 2)
        return super().format_value(value)  # type: ignore[no-any-return]


def money_form_field(label: Any, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    """A form field for kroner with øre, written the Danish way: "2.400,50" or "2400,50" (also 2400.50)."""
    kwargs.setdefault("widget", _money_input())
    if kwargs.get("min_value") == 0:  # said as an amount, not Django's "større end eller lig 0"
        kwargs["error_messages"] = {
            "min_value": _("Beløbet kan ikke være negativt."),
            **kwargs.get("error_messages", {}),
        }
    return DanishDecimalFormField(
        label=label, max_digits=MAX_DIGITS, decimal_places=2, localize=True, required=required, **kwargs
    )


def is_money_field(field: Any) -> bool:
    """Whether a model field is a money column (``MoneyField``, the only way models store kroner):
    two places, the money field's width."""
    return isinstance(field, models.DecimalField) and field.decimal_places == 2 and field.max_digits == MAX_DIGITS


def money_formfield_callback(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """``Meta.formfield_callback`` for model forms: every money column (``MoneyField``) becomes a
    Danish kroner box like ``money_form_field``; other columns keep their own form field."""
    if is_money_field(db_field):
        kwargs.setdefault("form_class", DanishDecimalFormField)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", _money_input())
    return db_field.formfield(**kwargs)
