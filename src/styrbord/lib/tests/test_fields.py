"""Dates keep to the calendar Styrbord plans by: in the model (the API's full_clean) and in forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from styrbord.lib.dates import EARLIEST, LATEST, in_calendar
from styrbord.lib.fields import CalendarDateField, CalendarDateFormField, within_calendar
from styrbord.requirements.models import Requirement


def test_the_calendar_runs_from_1900_to_2199_inclusive() -> None:
    assert dt.date(1900, 1, 1) == EARLIEST
    assert dt.date(2199, 12, 31) == LATEST
    assert in_calendar(EARLIEST)
    assert in_calendar(LATEST)
    assert not in_calendar(EARLIEST - dt.timedelta(days=1))
    assert not in_calendar(LATEST + dt.timedelta(days=1))
    assert not in_calendar(dt.datetime(9999, 12, 31, 12, 0))


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("da", "Datoen skal ligge mellem 01-01-1900 og 31-12-2199."),
        ("en", "The date must lie between 01 Jan 1900 and 31 Dec 2199."),
    ],
)
def test_a_date_outside_says_which_dates_are_allowed(language: str, message: str) -> None:
    with translation.override(language):
        with pytest.raises(ValidationError) as raised:
            within_calendar(dt.date(9999, 12, 31))

        assert raised.value.messages == [message]
    assert raised.value.code == "out_of_calendar"


def test_the_model_field_validates_and_gives_the_form_field_that_does() -> None:
    field = Requirement._meta.get_field("deadline")

    assert isinstance(field, CalendarDateField)
    with pytest.raises(ValidationError):
        field.clean(dt.date(1, 1, 1), None)
    assert field.clean(dt.date(2027, 12, 31), None) == dt.date(2027, 12, 31)
    form_field = field.formfield()
    assert isinstance(form_field, CalendarDateFormField)
    with pytest.raises(ValidationError, match="Datoen skal ligge mellem"):
        form_field.clean("9999-12-31")
    assert form_field.clean("31.12.2027") == dt.date(2027, 12, 31)


def test_a_date_picker_offers_only_the_calendars_dates() -> None:
    from styrbord.requirements.forms import CoverageFilterForm

    html = str(CoverageFilterForm()["dato"])

    assert 'type="date"' in html
    assert 'min="1900-01-01"' in html
    assert 'max="2199-12-31"' in html
