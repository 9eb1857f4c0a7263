"""Template filters: formatting through the one formatting helper (styrbord.lib.formatting), and
whether a user may open a page (the route policy)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from styrbord.accounts import route_policy
from styrbord.lib import formatting

register = template.Library()


@register.filter
def hyphenate(value: object) -> str:
    """{{ name|hyphenate }}: long words may break at Danish syllables, with a hyphen (see
    ``formatting.soft_hyphens``). Escaped by the template as any other text."""
    return "" if value is None else formatting.soft_hyphens(str(value))


@register.filter
def kr(value: Decimal | int | None) -> str:
    """{{ amount|kr }} -> 1.022.000 kr."""
    return "" if value is None else formatting.format_kr(value)


@register.filter
def kr_ore(value: Decimal | None) -> str:
    """{{ amount|kr_ore }} -> 127,03 kr."""
    return "" if value is None else formatting.format_ore(value)


@register.filter
def price(value: Decimal | int | None) -> str:
    """{{ fee|price }} -> 2.400 kr., or 2.450,50 kr. when the price has øre (never rounded away)."""
    return "" if value is None else formatting.format_price(value)


@register.filter
def amount(value: Decimal | int | None) -> str:
    """{{ amount|amount }} -> 4.440,50: exact kroner and øre for a table whose header says "(kr.)",
    so the rows add up to the total row as shown."""
    return "" if value is None else formatting.format_number(Decimal(value), 2)


@register.filter
def mio(value: Decimal | int | None, places: int = 3) -> str:
    """{{ amount|mio }} -> 1,022 mio. kr."""
    return "" if value is None else formatting.format_mio(value, places)


@register.filter
def num(value: Decimal | int | None, places: int = 0) -> str:
    """{{ value|num:1 }} -> 1.234,5"""
    return "" if value is None else formatting.format_number(Decimal(str(value)), int(places))


@register.filter
def pct(value: Decimal | int | None, places: int = 0) -> str:
    """{{ share|pct }} -> 75 % (value already in percent points)."""
    return "" if value is None else formatting.format_percent(Decimal(str(value)), int(places))


@register.filter
def ddate(value: dt.date | dt.datetime | None) -> str:
    """{{ day|ddate }} -> 18-12-2024"""
    return formatting.format_date(value)


@register.filter
def weekday(value: dt.date | None) -> str:
    """{{ day|weekday }} -> lør."""
    return "" if value is None else formatting.format_weekday(value)


@register.filter
def ddatetime(value: dt.datetime | None) -> str:
    """{{ when|ddatetime }} -> 18-12-2024 14:05 (Copenhagen time)"""
    return formatting.format_datetime(value)


@register.filter
def record(value: str | None) -> str:
    """{{ entry.text|record }} -> a text the system wrote into a record, in the reader's language
    ("Tilbageførsel: Bookingen er fordelt igen" reads "Reversal: The booking was charged again")."""
    return formatting.shown_record_text(value or "")


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """{{ mapping|get_item:key }} for dict lookups with a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def may_open(user: Any, url_name: str) -> bool:
    """``{% if user|may_open:"training:initiative_list" %}``: show a link only to users it would not refuse."""
    return route_policy.may_open(user, url_name)


@register.simple_tag(takes_context=True)
def subnav_link(context: template.Context, url_name: str, label: str) -> str:
    """``{% subnav_link "training:absence" _("Fravær") %}``: a sub-menu button for a page the user may
    open (nothing otherwise), marked ``aria-current="page"`` on that page itself."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not route_policy.may_open(user, url_name):
        return ""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == url_name:
        return format_html(
            '<a class="button button-secondary" href="{}" aria-current="page">{}</a>', reverse(url_name), label
        )
    return format_html('<a class="button button-secondary" href="{}">{}</a>', reverse(url_name), label)
