"""The funding domain error: carries a message the view shows as it is.

Most refusals are read at once, by the person who was refused, in their language. A few are kept:
a grant that refuses a seat's re-charge after the booking's costs changed (see
``booking_charges.follow_cost_change``) is read later on the grant's page, by someone else and
maybe in English. A refusal made with ``FundingError.of`` keeps its message and values, so it can
be worded in every language of the site (``in_languages``) and shown in the reader's
(``shown_in_reader_language``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import lazy

from styrbord.lib.formatting import RECORD_LANGUAGE, format_date, format_kr

# A value worded in the language active when the message is worded: "1.250,00 kr." / "DKK 1,250.00".
lazy_kr = lazy(format_kr, str)
lazy_date = lazy(format_date, str)


def _language_code(language: str | None) -> str:
    return (language or settings.LANGUAGE_CODE).split("-")[0]


class FundingError(Exception):
    """A funding workflow refused an action; ``message`` is meant for the user, in the language
    active when it was raised (the msgids are Danish)."""

    def __init__(self, message: str, *, template: str = "", values: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.template = template
        self.values = dict(values or {})
        # The form field the refusal is about ("posted_on" for a date outside the pool's period),
        # so a page shows it at the field; None: about the whole form.
        self.field: str | None = None

    def at(self, field: str) -> FundingError:
        """The same refusal, shown at ``field`` on a form that has it."""
        self.field = field
        return self

    def show_on(self, form: Any) -> None:
        """Add the refusal to ``form``: at its field if the form has it, else above the form."""
        form.add_error(self.field if self.field in form.fields else None, self.message)

    @classmethod
    def of(cls, template: str, **values: object) -> FundingError:
        """A refusal from a message marked ``gettext_noop`` and its values. Give the values as they
        read in any language: a name as a string, a choice's lazy label, an amount or a date through
        ``lazy_kr`` / ``lazy_date``, so each language writes them its own way."""
        error = cls("", template=template, values=values)
        error.message = error.worded()
        error.args = (error.message,)
        return error

    def worded(self, language: str | None = None) -> str:
        """The message in ``language`` (the active one if None)."""
        if not self.template:
            return self.message
        with translation.override(language or translation.get_language()):
            text = translation.gettext(self.template)
            return text % {key: str(value) for key, value in self.values.items()} if self.values else text

    def in_languages(self) -> dict[str, str]:
        """The message in each language of the site, to keep ({"da": ..., "en": ...}). A refusal not
        made with ``of`` is kept as it was shown, in the language it was raised in."""
        if not self.template:
            return {_language_code(translation.get_language()): self.message}
        return {code: self.worded(code) for code, _name in settings.LANGUAGES}


def shown_in_reader_language(texts: Mapping[str, str]) -> str:
    """A refusal kept by ``FundingError.in_languages``, in the reader's language; else in the
    record language (Danish); else in the one language it was kept in."""
    if not texts:
        return ""
    return (
        texts.get(_language_code(translation.get_language()))
        or texts.get(RECORD_LANGUAGE)
        or next(iter(texts.values()))
    )
