"""Side-by-side comparison of finished runs, from their stored results (no recomputation), and
what of a stored result a reader sees (``reader_for``, ``for_reader``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy, ngettext

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


def present(result: dict[str, Any]) -> dict[str, Any]:
    """A stored result made ready for templates: amounts as Decimal, dates as dates, shares in percent."""
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
SUMMED = ("staff", "minimum", "seats", "days_away")


def _others_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The facilities a reader does not see one by one, as one row: the counts and the cost summed;
    the most away on one day and the least margin belong to one facility's day, so none is given."""
    return {
        "facility": None,
        "others": True,
        "name": str(OTHER_FACILITIES) % {"count": len(rows)},
        **{key: sum(int(row.get(key) or 0) for row in rows) for key in SUMMED},
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
    return {
        "totals": totals,
        "targets": ordered,
        "per_run": any(not (t["same_deadline"] and t["same_baseline"]) for t in ordered),
        "facilities": facility_rows,
        "hidden_targets": len(hidden_targets),
        "hidden_targets_note": hidden_targets_note(len(hidden_targets)) if hidden_targets else "",
    }
