"""Side-by-side comparison of finished runs, from their stored results (no recomputation), and
what of a stored result a reader sees (``reader_for``, ``for_reader``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.lists import format_list
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from styrbord.accounts.permissions import RETRIEVE, scoped_for
from styrbord.funding.models import Grant
from styrbord.lib.collation import sort_key
from styrbord.lib.money import ZERO
from styrbord.organisations.models import Facility
from styrbord.planning.inputs import OWN_BUDGET_ID, OWN_BUDGET_NAME
from styrbord.planning.models import PlanRun
from styrbord.requirements.models import Requirement, ScopeLevel, rule_words

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User

MONEY_KEYS = ("cost", "remaining", "planned")
WHOLE_COUNTRY = gettext_lazy("Hele landet")
# Why a target is not met, by the engine's reason (worded when shown, in the reader's language).
REASON_LABELS = {
    "budget": gettext_lazy("Penge (budget)"),
    "capacity": gettext_lazy("Pladser på holdene"),
    "staffing": gettext_lazy("Minimumsbemanding"),
    "no_session": gettext_lazy("Intet hold før fristen"),
    "clashes": gettext_lazy("Sammenfald i kalenderen"),
    "days_cap": gettext_lazy("Loft over kursusdage"),
    "time_limit": gettext_lazy("Tidsgrænsen"),
}


def _rule(row: dict[str, Any]) -> str:
    """The rule in the reader's language; runs stored before the parameters keep their words."""
    parameters = row.get("rule_parameters")
    if not parameters:
        return str(row.get("rule", ""))
    return rule_words(parameters["rule"], parameters["target"], parameters.get("months"))


def _reason(row: dict[str, Any]) -> str:
    """Why a target is missed, in the reader's language (runs store only the engine's reason)."""
    reason = row.get("reason")
    if not reason:
        return ""
    label = REASON_LABELS.get(str(reason))
    return str(label) if label is not None else str(row.get("reason_label") or reason)


def present(result: dict[str, Any], new_seats: Mapping[int, int] | None = None) -> dict[str, Any]:
    """A stored result made ready for templates: amounts as Decimal, dates as dates, shares in percent.

    ``new_seats``: per facility, the plan's new seats (``new_seats_by_facility``). A facility's
    ``seats`` count the existing bookings the plan keeps too; with it, each facility row says
    ``new_seats`` and ``existing_seats`` apart, as the run's page and its export show them."""
    out = dict(result)
    out["targets"] = [
        {
            **row,
            "deadline_date": dt.date.fromisoformat(row["deadline"]) if row.get("deadline") else None,
            "rule": _rule(row),
            # A national requirement's scope is a phrase, worded again; other scopes are names.
            "scope": str(WHOLE_COUNTRY) if row.get("scope_level") == ScopeLevel.NATIONAL else row.get("scope", ""),
            "reason_label": _reason(row),
            "attainment_pct": 100 * row.get("attainment", 0.0),
            "baseline_pct": 100 * row.get("baseline_attainment", 0.0),
        }
        for row in result.get("targets", [])
    ]
    out["facilities"] = [
        {
            **row,
            **{k: Decimal(row[k]) for k in MONEY_KEYS if k in row},
            "first_short_date": dt.date.fromisoformat(row["first_short_day"]) if row.get("first_short_day") else None,
            **(_seats_apart(row, new_seats) if new_seats is not None else {}),
        }
        for row in result.get("facilities", [])
    ]
    # Facilities with no minimum staffing at all (runs stored before this was kept say nothing).
    out["unstaffed"] = [row["name"] for row in out["facilities"] if row.get("minimum_set") is False]
    out["grants"] = [
        {
            **row,
            **{k: Decimal(row[k]) for k in MONEY_KEYS if k in row},
            **({"name": str(OWN_BUDGET_NAME)} if row.get("grant") == OWN_BUDGET_ID else {}),
        }
        for row in result.get("grants", [])
    ]
    return out


def _seats_apart(row: dict[str, Any], new_seats: Mapping[int, int]) -> dict[str, int]:
    new = new_seats.get(int(row["facility"]), 0)
    return {"new_seats": new, "existing_seats": int(row.get("seats") or 0) - new}


def new_seats_by_facility(run: PlanRun) -> dict[int, int]:
    """Per facility, the new seats of the run's plan (not its existing bookings): what accepting
    it books there. A seat belongs to its person's main employment's facility as the run saw it
    (its inputs), as the stored result counts ``seats``. One query."""
    facility_of = {int(p["id"]): int(p["facility_id"]) for p in (run.inputs or {}).get("persons", [])}
    counts: dict[int, int] = {}
    for employment_id, facility_id in (
        run.assignments.filter(existing=False).order_by().values_list("employment_id", "employment__facility_id")
    ):
        facility = facility_of.get(employment_id, facility_id)
        counts[facility] = counts.get(facility, 0) + 1
    return counts


# --- what a reader sees of a run --------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Which of a run's facilities a reader sees the figures of, one by one.

    ``facilities`` None: every facility (a coordinator, finance, an administrator: the result as
    stored). Otherwise the facilities in the reader's scope (a facility manager's own): the other
    facilities' rows are summed into one row, so the totals still add up, and their names are not
    shown; nor are the requirements that apply at one of them only, nor the grants to one of them.
    """

    facilities: frozenset[int] | None = None
    # A requirement that applies at one facility (its own, or one of its units'): requirement -> facility.
    requirement_facility: Mapping[int, int] = field(default_factory=dict)
    # A grant to one facility: grant -> facility.
    grant_facility: Mapping[int, int] = field(default_factory=dict)

    @property
    def sees_all(self) -> bool:
        return self.facilities is None

    def sees(self, facility_id: int | None) -> bool:
        return self.facilities is None or facility_id is None or facility_id in self.facilities

    def sees_target(self, row: dict[str, Any]) -> bool:
        return self.sees(self.requirement_facility.get(row.get("requirement")))  # type: ignore[arg-type]

    def sees_grant(self, row: dict[str, Any]) -> bool:
        return self.sees(self.grant_facility.get(row.get("grant")))  # type: ignore[arg-type]


def reader_for(user: User | AnonymousUser, runs: Iterable[PlanRun]) -> Reader:
    """What the user sees of these runs' per-facility figures: the facilities their scope holds
    (``accounts.permissions``, the same scope as the facility pages). Three queries."""
    results = [run.result or {} for run in runs]
    facility_ids = {int(row["facility"]) for result in results for row in result.get("facilities", [])}
    requirement_ids = {row["requirement"] for result in results for row in result.get("targets", [])}
    grant_ids = {
        row["grant"] for result in results for row in result.get("grants", []) if row.get("grant") != OWN_BUDGET_ID
    }
    requirement_facility = {
        pk: facility or unit_facility
        for pk, facility, unit_facility in Requirement.objects.filter(
            pk__in=requirement_ids, scope_level__in=[ScopeLevel.FACILITY, ScopeLevel.UNIT]
        ).values_list("pk", "facility_id", "unit__facility_id")
        if facility or unit_facility
    }
    grant_facility = dict(
        Grant.objects.filter(pk__in=grant_ids, facility__isnull=False).values_list("pk", "facility_id")
    )
    named = facility_ids | set(requirement_facility.values()) | set(grant_facility.values())
    visible = set(
        scoped_for(user, RETRIEVE, "facility", Facility.objects.filter(pk__in=named)).values_list("pk", flat=True)
    )
    if visible >= named:
        return Reader()
    return Reader(frozenset(visible), requirement_facility, grant_facility)


OTHER_FACILITIES = gettext_lazy("Øvrige tilbud (%(count)s)")
OTHER_GRANTS = gettext_lazy("Tilsagn til øvrige tilbud (%(count)s)")
SUMMED = ("staff", "minimum", "seats", "new_seats", "existing_seats", "days_away")


def _others_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The facilities a reader does not see one by one, as one row: the counts and the cost summed;
    the most away on one day and the least margin belong to one facility's day, so none is given."""
    return {
        "facility": None,
        "others": True,
        "name": str(OTHER_FACILITIES) % {"count": len(rows)},
        **{key: sum(int(row.get(key) or 0) for row in rows) for key in SUMMED if any(key in row for row in rows)},
        "cost": sum((row.get("cost", ZERO) for row in rows), ZERO),
        "peak": None,
        "margin": None,
        "minimum_set": None,
        "short_days": 0,
        "new_on_short_days": 0,
        "first_short_date": None,
    }


def for_reader(result: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """A presented result (``present``) as the reader may see it (see ``Reader``); unchanged for a
    reader who sees every facility. ``hidden_targets``: the requirements left out."""
    if reader.sees_all:
        return {**result, "hidden_targets": 0, "partial": False}
    out = dict(result)
    out["partial"] = True  # the run's own totals (cost, new seats) are still the whole plan's
    own = [row for row in result["facilities"] if reader.sees(row["facility"])]
    others = [row for row in result["facilities"] if not reader.sees(row["facility"])]
    out["facilities"] = own + ([_others_row(others)] if others else [])
    out["unstaffed"] = [row["name"] for row in own if row.get("minimum_set") is False]
    out["targets"] = [row for row in result["targets"] if reader.sees_target(row)]
    out["hidden_targets"] = len(result["targets"]) - len(out["targets"])
    grants = [row for row in result["grants"] if reader.sees_grant(row)]
    hidden = [row for row in result["grants"] if not reader.sees_grant(row)]
    if hidden:
        grants.append(
            {
                "grant": None,
                "others": True,
                "name": str(OTHER_GRANTS) % {"count": len(hidden)},
                "remaining": sum((row.get("remaining", ZERO) for row in hidden), ZERO),
                "planned": sum((row.get("planned", ZERO) for row in hidden), ZERO),
            }
        )
    out["grants"] = grants
    return out


def hidden_targets_note(count: int) -> str:
    """Said where requirements are left out for the reader (the page and the export alike)."""
    return ngettext(
        "%(count)s krav gælder kun tilbud uden for dit område og vises ikke.",
        "%(count)s krav gælder kun tilbud uden for dit område og vises ikke.",
        count,
    ) % {"count": count}


# --- what differs between runs' inputs ----------------------------------------------------------

# What two runs may have been worked out from differently, in the order named; each from the
# runs' stored parameters (the scenario's settings) and inputs (the data, ``inputs.snapshot``).
DIFFERENCES = {
    "period": pgettext_lazy("runs differ in", "periode"),
    "facilities": pgettext_lazy("runs differ in", "tilbud"),
    "staff": pgettext_lazy("runs differ in", "medarbejdere"),
    "competences": pgettext_lazy("runs differ in", "medarbejdernes kompetencer"),
    "requirements": pgettext_lazy("runs differ in", "krav"),
    "validity": pgettext_lazy("runs differ in", "kompetencernes gyldighed"),
    "sessions": pgettext_lazy("runs differ in", "kurser og hold"),
    "bookings": pgettext_lazy("runs differ in", "eksisterende bookinger"),
    "staffing": pgettext_lazy("runs differ in", "minimumsbemanding"),
    "grants": pgettext_lazy("runs differ in", "tilsagn"),
    "remaining": pgettext_lazy("runs differ in", "tilsagnenes restbeløb"),
    "own_budget": pgettext_lazy("runs differ in", "egen finansiering"),
    "days_cap": pgettext_lazy("runs differ in", "loft over kursusdage pr. person"),
    "keep_accepted": pgettext_lazy("runs differ in", "om godkendte bookinger må flyttes"),
    "time_limit": pgettext_lazy("runs differ in", "tidsgrænse"),
}
# What a requirement's deadline and its coverage without a plan follow from.
COVERAGE_INPUTS = ("period", "facilities", "staff", "competences", "requirements")
# A person's data that is the scenario's (a parameter) or the municipality's, not the person's.
NOT_PERSONAL = ("holdings", "days_cap_per_year", "municipality_id")
LAST_DAY = "9999-12-31"


def _differ(values: list[Any]) -> bool:
    return any(value != values[0] for value in values[1:])


def _common(sets: Iterable[Iterable[Any]]) -> set[Any]:
    found: set[Any] | None = None
    for items in sets:
        found = set(items) if found is None else found & set(items)
    return found or set()


def input_differences(runs: list[PlanRun]) -> list[str] | None:
    """What the runs were worked out from differently (keys of ``DIFFERENCES``, in its order): []
    when nothing; None for fewer than two runs, or a run stored without its inputs.

    Each difference is named once, not again as the others it brings along: with other facilities
    come other people, requirements and grants' scopes, so the people, requirements and grants
    are compared at the facilities all runs plan for; the courses and bookings are compared
    within the period all runs plan, and the people's days away on the course days all runs have.
    The people decide who shares an in-house course's price and whose seats are someone else's,
    so with other people the sessions' prices and free seats are not compared."""
    if len(runs) < 2 or not all((run.inputs or {}).get("persons") is not None for run in runs):
        return None
    stored = [(run.parameters or {}, run.inputs) for run in runs]
    params = [p for p, _ in stored]
    problems = [i for _, i in stored]
    found: list[str] = []

    def scalar(key: str, name: str, convert: Any = str) -> None:
        values = [p.get(name) for p in params]
        if None not in values and _differ([convert(v) for v in values]):
            found.append(key)

    # The period: the scenario's, and the first day a run could put someone on a course.
    periods = [(p.get("start_date"), p.get("horizon_end"), i.get("start")) for p, i in stored]
    if _differ(periods):
        found.append("period")
    first = max(str(i.get("start") or "") for i in problems)
    last = min(str(p.get("horizon_end") or LAST_DAY) for p in params)
    facilities = [
        sorted(p["facilities"]) if "facilities" in p else sorted(r["facility_id"] for r in i.get("staffing", []))
        for p, i in stored
    ]
    if _differ(facilities):
        found.append("facilities")
    at = _common(facilities)
    session_days = _common({day for s in i.get("sessions", []) for day in s["days"]} for i in problems)

    def personal(person: dict[str, Any]) -> dict[str, Any]:
        row = {k: v for k, v in person.items() if k not in NOT_PERSONAL}
        row["unavailable"] = sorted(set(row.get("unavailable", [])) & session_days)
        away = {f: sorted(set(days) & session_days) for f, days in (row.get("away_at") or {}).items()}
        row["away_at"] = {f: days for f, days in away.items() if days}
        return row

    people = [{p["id"]: p for p in i["persons"] if p["facility_id"] in at} for i in problems]
    if _differ([{pk: personal(person) for pk, person in group.items()} for group in people]):
        found.append("staff")
    other_people = "staff" in found
    both = _common(people)
    if _differ([{pk: group[pk].get("holdings") for pk in both} for group in people]):
        found.append("competences")

    def requirement(row: dict[str, Any], horizon: Any) -> dict[str, Any]:
        # The people in scope follow the people; a deadline that is the horizon follows the period.
        out = {k: v for k, v in row.items() if k != "population"}
        out["deadline"] = "horizon" if row.get("deadline") == horizon else row.get("deadline")
        return out

    requirements = [
        {r["id"]: requirement(r, p.get("horizon_end")) for r in i.get("requirements", [])} for p, i in stored
    ]
    if "facilities" in found or other_people:  # which ones apply follows those: only the shared ones
        shared = _common(requirements)
        requirements = [{pk: group[pk] for pk in shared} for group in requirements]
    if _differ(requirements):
        found.append("requirements")
    validity = [i.get("validity_months") or {} for i in problems]
    shared = _common(validity)
    if _differ([{c: group[c] for c in shared} for group in validity]):
        found.append("validity")

    def course_session(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not (other_people and k in ("fee_ore", "capacity"))}

    sessions = [
        {s["id"]: course_session(s) for s in i.get("sessions", []) if s["days"] and first <= s["days"][0] <= last}
        for i in problems
    ]
    if _differ(sessions):
        found.append("sessions")
    in_all = _common({s["id"] for s in i.get("sessions", [])} for i in problems)
    moves = _differ([p.get("keep_accepted") for p in params])
    bookings = [
        sorted(
            (b["person_id"], b["session_id"], b["paid"], None if moves else b["fixed"])
            for b in i.get("bookings", [])
            if b["person_id"] in both and b["session_id"] in in_all
        )
        for i in problems
    ]
    if _differ(bookings):
        found.append("bookings")

    def rule(row: dict[str, Any]) -> dict[str, Any]:
        # Public holidays are the calendar's, and a period outside the shared one the period's.
        out = {k: v for k, v in row.items() if k != "holidays"}
        out["periods"] = [p for p in row.get("periods", []) if p["start"] <= last and p["end"] >= first]
        return out

    staffing = [{r["facility_id"]: rule(r) for r in i.get("staffing", []) if r["facility_id"] in at} for i in problems]
    if _differ(staffing):
        found.append("staffing")

    grant_rows = [{g["id"]: g for g in i.get("grants", []) if g["id"] != OWN_BUDGET_ID} for i in problems]
    chosen = [
        sorted(p["grants"]) if "grants" in p else sorted(rows) for p, rows in zip(params, grant_rows, strict=True)
    ]
    held = _common(grant_rows)
    # A grant to the municipality pays at the facilities planned for: that follows the facilities.
    ignored = {"remaining_ore", "name"} | ({"facility_ids"} if "facilities" in found else set())
    terms = [{pk: {k: v for k, v in rows[pk].items() if k not in ignored} for pk in held} for rows in grant_rows]
    if _differ(chosen) or _differ(terms):
        found.append("grants")
    if _differ([{pk: rows[pk]["remaining_ore"] for pk in held} for rows in grant_rows]):
        found.append("remaining")
    scalar("own_budget", "own_budget", Decimal)
    scalar("days_cap", "days_cap_per_year", int)
    scalar("keep_accepted", "keep_accepted", bool)
    scalar("time_limit", "time_limit_s", int)
    return found


def _listed(keys: Iterable[str]) -> str:
    """The differences named as a list in the reader's language ("periode og medarbejdere")."""
    locale = "en_GB" if (get_language() or "da").startswith("en") else "da_DK"
    return format_list([str(DIFFERENCES[key]) for key in keys], locale=locale)


def differences_note(keys: list[str] | None) -> str:
    """What the compared runs were worked out from differently, said above their figures."""
    if keys is None:
        return ""
    if not keys:
        return _("Kørslerne er regnet på de samme inddata.")
    return _("Kørslerne er regnet på forskellige inddata: %(differences)s.") % {"differences": _listed(keys)}


def per_run_note(keys: list[str] | None) -> str:
    """Said where a requirement's deadline or coverage without a plan is not the same for every
    run: why (of the differences, those these follow from), when the stored inputs tell."""
    why = [key for key in keys or [] if key in COVERAGE_INPUTS]
    if not why:
        return _(
            "Fristen eller dækningen uden plan er ikke den samme for alle kørslerne. Hvor de ikke er ens, står "
            "kørslens egen under dens tal."
        )
    return _(
        "Fristen eller dækningen uden plan er ikke den samme for alle kørslerne. Det skyldes forskelle i "
        "%(differences)s. Hvor de ikke er ens, står kørslens egen under dens tal."
    ) % {"differences": _listed(why)}


# --- comparing runs -------------------------------------------------------------------------------


def _shared(entry: dict[str, Any]) -> None:
    """A requirement's deadline and its coverage without a plan belong to each run: a run's
    horizon is the deadline of a requirement without one, and its facilities decide who counts.
    The row shows them once when every run agrees, and in each run's cell when they differ."""
    cells = [cell for cell in entry["cells"] if cell is not None]
    deadlines = {cell["deadline"] for cell in cells}
    baselines = {round(cell["baseline_pct"], 6) for cell in cells}
    entry["same_deadline"] = len(deadlines) == 1
    entry["same_baseline"] = len(baselines) == 1
    entry["deadline_date"] = cells[0]["deadline_date"] if entry["same_deadline"] else None
    entry["baseline_pct"] = cells[0]["baseline_pct"] if entry["same_baseline"] else None
    entry["first_deadline"] = min((d or "" for d in deadlines), default="")


def comparison(runs: list[PlanRun], reader: Reader | None = None) -> dict[str, Any]:
    """Rows for the compare page: totals, coverage by deadline per requirement, impact per facility.

    The totals are the runs' own; the rows are what ``reader`` sees (default: everything), the
    facilities outside their scope summed into one row per run."""
    reader = reader or Reader()
    totals = []
    targets: dict[Any, dict[str, Any]] = {}
    facilities: dict[Any, dict[str, Any]] = {}
    hidden_targets: set[Any] = set()
    others: set[int] = set()
    for index, run in enumerate(runs):
        whole = present(run.result or {})
        rows = whole["targets"]
        grants_planned = sum((g["planned"] for g in whole["grants"] if g["grant"] != OWN_BUDGET_ID), Decimal("0"))
        totals.append(
            {
                "run": run,
                "points": run.points,
                "met": sum(1 for t in rows if t["met"]),
                "targets": len(rows),
                "cost": run.cost,
                "grants_planned": grants_planned,
                "seats": whole.get("seats", 0),
                "new_seats": whole.get("new_seats", 0),
            }
        )
        result = for_reader(whole, reader)
        hidden_targets |= {row["requirement"] for row in rows if not reader.sees_target(row)}
        others |= {row["facility"] for row in whole["facilities"] if not reader.sees(row["facility"])}
        for row in result["targets"]:
            entry = targets.setdefault(
                row["requirement"], {"name": row["name"], "scope": row.get("scope", ""), "cells": [None] * len(runs)}
            )
            entry["cells"][index] = row
        for row in result["facilities"]:
            key = "others" if row.get("others") else row["facility"]
            entry = facilities.setdefault(key, {"name": row["name"], "cells": [None] * len(runs)})
            entry["cells"][index] = row
    for entry in targets.values():
        _shared(entry)
    ordered = sorted(targets.values(), key=lambda t: (t["first_deadline"], sort_key(t["name"])))
    rest = facilities.pop("others", None)
    facility_rows = sorted(facilities.values(), key=lambda f: sort_key(f["name"]))
    if rest is not None:  # last, named with every run's other facilities counted once
        rest["name"] = str(OTHER_FACILITIES) % {"count": len(others)}
        rest["others"] = True
        facility_rows.append(rest)
    differences = input_differences(runs)
    return {
        "totals": totals,
        "targets": ordered,
        "per_run": any(not (t["same_deadline"] and t["same_baseline"]) for t in ordered),
        "differences": differences,
        "differences_note": differences_note(differences),
        "per_run_note": per_run_note(differences),
        "facilities": facility_rows,
        "hidden_targets": len(hidden_targets),
        "hidden_targets_note": hidden_targets_note(len(hidden_targets)) if hidden_targets else "",
    }
