"""The facility pages' big tables: rows of ready-formatted values, rendered to HTML in Python.

Why not in the template: a facility page at national scale has a few thousand cells, and the
template engine plus Babel cost far more per cell than the queries behind the page
(see `styrbord bench pages`). The rows stay plain dataclasses (tests read them); the HTML
is joined from strings where every value passes through ``escape``, and each number, percent
and date is formatted once per language by the one formatting helper and then reused.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from styrbord.lib import formatting
from styrbord.organisations.models import Facility
from styrbord.organisations.services import FacilityCompetences, FacilitySummary, StaffFigures, StaffMember
from styrbord.staff.models import Employment, JobGroup

DASH = "–"


def escape(value: object) -> str:
    """HTML-escape a value, exactly as ``django.utils.html.escape`` does.

    The plain function skips Django's lazy-string wrapper, which costs more than the escaping
    itself at a few thousand cells a page (the values here are never lazy).
    """
    return html.escape(str(value))


def _language() -> str:
    """The active language, looked up once per table instead of once per cell."""
    return translation.get_language() or "da"


@lru_cache(maxsize=8192)
def _cached_number(language: str, value: Decimal | int, places: int) -> str:
    return formatting.format_number(Decimal(value), places, locale=language)


@lru_cache(maxsize=4096)
def _cached_percent(language: str, value: Decimal) -> str:
    return formatting.format_percent(value, locale=language)


def num(value: Decimal | int | None, places: int = 0, language: str | None = None) -> str:
    """A number in the active (or given) language, e.g. 1.234,5 (a dash for none)."""
    if value is None:
        return DASH
    return _cached_number(language or _language(), value, places)


def pct(value: Decimal | None, language: str | None = None) -> str:
    """A share in percent points, e.g. 67 % (a dash for none)."""
    if value is None:
        return DASH
    return _cached_percent(language or _language(), value)


@dataclass(frozen=True)
class Share:
    """A share for a <meter>: the raw value for the attribute and the formatted text."""

    value: str
    text: str

    @classmethod
    def of(cls, value: Decimal | None, language: str | None = None) -> Share | None:
        return None if value is None else cls(str(value), pct(value, language))


def _meter(share: Share | None) -> str:
    """Coloured against 50 % and 75 % (red below half, yellow below the 75 % target). Escaped HTML."""
    if share is None:
        return DASH
    return (
        f'<meter min="0" max="100" low="50" high="75" optimum="100" value="{escape(share.value)}" '
        f'aria-hidden="true"></meter> {escape(share.text)}'
    )


@dataclass(frozen=True)
class FacilityRow:
    pk: int
    name: str
    municipality: str
    kind: str
    operator: str  # '' for a municipal facility, else 'Region' / 'Privat'
    places: str
    headcount: str
    fte: str
    relevant: Share | None
    contacts: str


def facility_rows(facilities: list[FacilitySummary], figures: dict[int, StaffFigures]) -> list[FacilityRow]:
    kinds = {value: str(label) for value, label in Facility.Kind.choices}
    operators = {value: str(label) for value, label in Facility.OperatorKind.choices}
    language = _language()
    rows = []
    for f in facilities:
        fig = figures[f.pk]
        rows.append(
            FacilityRow(
                pk=f.pk,
                name=f.name,
                municipality=f.municipality,
                kind=kinds.get(f.kind, f.kind),
                operator="" if f.operator_kind == Facility.OperatorKind.MUNICIPALITY else operators[f.operator_kind],
                places=num(f.places, 0, language),
                headcount=num(fig.headcount, 0, language),
                fte=num(fig.fte, 1, language),
                relevant=Share.of(fig.relevant_share, language),
                contacts=pct(fig.contact_share, language),
            )
        )
    return rows


def facility_rows_html(rows: list[FacilityRow], list_url: str, show_municipality: bool) -> SafeString:
    """The <tr> elements of a facility table (columns as in _facility_table.html)."""
    base = escape(list_url)
    out = []
    for r in rows:
        operator = f' <span class="badge badge-info">{escape(r.operator)}</span>' if r.operator else ""
        municipality = f"<td>{escape(r.municipality)}</td>" if show_municipality else ""
        out.append(
            f'<tr><td><a href="{base}{r.pk}/">{escape(r.name)}</a>{operator}'
            f'<div class="small narrow-only">{escape(r.kind)}</div></td>{municipality}'
            f'<td class="wide-only">{escape(r.kind)}</td><td class="num">{escape(r.places)}</td>'
            f'<td class="num">{escape(r.headcount)}</td><td class="num">{escape(r.fte)}</td>'
            f'<td>{_meter(r.relevant)}</td><td class="num">{escape(r.contacts)}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


@dataclass(frozen=True)
class HeldCompetenceRow:
    name: str
    expiring: bool
    expires_on: str  # formatted, '' when it does not expire


@dataclass(frozen=True)
class StaffRow:
    employee_id: int
    name: str
    unit: str
    job_group: str
    fte: str
    contact: bool
    on_leave: bool
    education: str
    relevant: bool
    held: list[HeldCompetenceRow]


def staff_rows(staff: list[StaffMember], competences: FacilityCompetences) -> list[StaffRow]:
    groups = {value: str(label) for value, label in JobGroup.choices}
    language = _language()
    # Many people hold the same competence until the same day: one (immutable) row each.
    made: dict[tuple[int, dt.date | None, bool], HeldCompetenceRow] = {}
    rows = []
    for e in staff:
        held = []
        for h in competences.by_employee.get(e.employee_id, []):
            key = (h.competence.pk, h.expires_on, h.expiring)
            row = made.get(key)
            if row is None:
                until = "" if h.expires_on is None else formatting.format_date(h.expires_on, language)
                row = made[key] = HeldCompetenceRow(h.competence.name, h.expiring, until)
            held.append(row)
        rows.append(
            StaffRow(
                employee_id=e.employee_id,
                name=e.name,
                unit=e.unit,
                job_group=groups.get(e.job_group, e.job_group),
                fte=num(e.fte, 2, language),
                contact=e.is_contact_person,
                on_leave=e.status == Employment.Status.LEAVE,
                education=e.education,
                relevant=e.education_relevant,
                held=held,
            )
        )
    return rows


def staff_rows_html(rows: list[StaffRow], profile_base: str | None = None) -> SafeString:
    """The <tr> elements of the staff table (columns as in facility_detail.html).

    With ``profile_base`` (the person pages' URL prefix, for users who may open them) each
    name links to the person's competence profile.
    """
    base = escape(profile_base) if profile_base else None
    yes_text, no_text, leave_text, relevant_text = _("Ja"), _("Nej"), _("Orlov"), _("Relevant")
    # On a tablet the job group, FTE and key-worker columns fold under the name (narrow-only).
    fte_text, contact_text = _("årsværk"), _("kontaktperson")
    contact_badge = f' · <span class="badge badge-info">{escape(contact_text)}</span>'
    yes = f'<span class="badge badge-info">{escape(yes_text)}</span>'
    no = f'<span class="small">{escape(no_text)}</span>'
    leave = f' <span class="badge badge-warn">{escape(leave_text)}</span>'
    relevant = f' <span class="badge badge-ok">{escape(relevant_text)}</span>'
    valid_until = _("Gyldig til %(day)s")
    made: dict[HeldCompetenceRow, str] = {}

    def badge(h: HeldCompetenceRow) -> str:
        html = made.get(h)
        if html is None:
            html = made[h] = (
                f'<span class="badge {"badge-warn" if h.expiring else "badge-ok"}"'
                + (f' title="{escape(valid_until % {"day": h.expires_on})}"' if h.expires_on else "")
                + f">{escape(h.name)}</span>"
            )
        return html

    def name(r: StaffRow) -> str:
        return f'<a href="{base}{r.employee_id}/">{escape(r.name)}</a>' if base else str(escape(r.name))

    out = []
    for r in rows:
        badges = " ".join([badge(h) for h in r.held]) or DASH
        unit = f'<br><span class="small">{escape(r.unit)}</span>' if r.unit else ""
        folded = (
            f'<div class="small narrow-only">{escape(r.job_group)} · {escape(r.fte)} {escape(fte_text)}'
            f"{contact_badge if r.contact else ''}</div>"
        )
        out.append(
            f"<tr><td>{name(r)}{leave if r.on_leave else ''}{unit}{folded}</td>"
            f'<td class="wide-only">{escape(r.job_group)}</td>'
            f'<td class="num wide-only">{escape(r.fte)}</td><td class="wide-only">{yes if r.contact else no}</td>'
            f"<td>{escape(r.education) or DASH}{relevant if r.relevant else ''}</td><td>{badges}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


@dataclass(frozen=True)
class CoverageRow:
    name: str
    validity: str
    holders: str
    share: str
    contacts: Share | None
    expiring: int


def coverage_rows(competences: FacilityCompetences) -> list[CoverageRow]:
    language = _language()
    rows = []
    for c in competences.coverage:
        months = c.competence.validity_months
        rows.append(
            CoverageRow(
                name=c.competence.name,
                validity=_("gyldig %(months)s mdr.") % {"months": months} if months else "",
                holders=f"{num(c.holders, 0, language)} / {num(c.staff, 0, language)}",
                share=pct(c.share, language),
                contacts=Share.of(c.contact_share, language),
                expiring=c.expiring,
            )
        )
    return rows


def coverage_rows_html(rows: list[CoverageRow]) -> SafeString:
    """The <tr> elements of the coverage table."""
    out = []
    for r in rows:
        validity = f' <span class="small">({escape(r.validity)})</span>' if r.validity else ""
        expiring = f'<span class="badge badge-warn">{r.expiring}</span>' if r.expiring else "0"
        out.append(
            f'<tr><th scope="row">{escape(r.name)}{validity}</th><td class="num">{escape(r.holders)}</td>'
            f'<td class="num">{escape(r.share)}</td><td>{_meter(r.contacts)}</td><td class="num">{expiring}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def figures_text(figures: StaffFigures) -> dict[str, str]:
    """The headline figures of a facility or scope, formatted."""
    return {
        "headcount": num(figures.headcount),
        "fte": num(figures.fte, 1),
        "relevant": pct(figures.relevant_share),
        "contacts": pct(figures.contact_share),
    }
