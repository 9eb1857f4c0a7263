"""Date fields that take only the dates Styrbord plans by (``lib.dates.EARLIEST`` to ``LATEST``),
and the edit forms' state fingerprint (``state_digest``).

Every date a person enters goes through these: the model field validates on ``full_clean``
(the API's writes), and its form field validates before a form's own ``clean`` computes with the
date (an expiry, a period), so a year such as 9999 is a clear message, never a server error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from styrbord.lib.dates import EARLIEST, LATEST, in_calendar
from styrbord.lib.formatting import format_date

OUT_OF_CALENDAR = _("Datoen skal ligge mellem %(earliest)s og %(latest)s.")


def within_calendar(value: dt.date | None) -> None:
    """Validator: the date lies between EARLIEST and LATEST."""
    if value is not None and not in_calendar(value):
        raise ValidationError(
            OUT_OF_CALENDAR,
            code="out_of_calendar",
            params={"earliest": format_date(EARLIEST), "latest": format_date(LATEST)},
        )


class CalendarDateFormField(forms.DateField):
    default_validators = [within_calendar]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        """A date picker offers only the calendar's dates (``min``/``max``); the server still checks."""
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date" or widget.attrs.get("type") == "date":
            attrs.update(min=EARLIEST.isoformat(), max=LATEST.isoformat())
        return attrs


class CalendarDateField(models.DateField):  # type: ignore[type-arg]
    """A ``DateField`` whose values and form field keep to the calendar Styrbord plans by."""

    default_validators = [within_calendar]

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": CalendarDateFormField, **kwargs})


def state_digest(state: Mapping[str, Any]) -> str:
    """A short fingerprint of a row's state as an edit form was opened (a hidden field): saving is
    refused when the stored state's fingerprint differs, so one user does not silently undo another's
    change."""
    raw = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]
