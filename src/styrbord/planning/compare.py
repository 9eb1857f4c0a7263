"""Side-by-side comparison of finished runs, from their stored results (no recomputation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from styrbord.lib.collation import sort_key
from styrbord.planning.inputs import OWN_BUDGET_ID, OWN_BUDGET_NAME
from styrbord.planning.models import PlanRun
from styrbord.requirements.models import ScopeLevel, rule_words

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


def comparison(runs: list[PlanRun]) -> dict[str, Any]:
    """Rows for the compare page: totals, coverage by deadline per requirement, impact per facility."""
    totals = []
    targets: dict[Any, dict[str, Any]] = {}
    facilities: dict[Any, dict[str, Any]] = {}
    for index, run in enumerate(runs):
        result = present(run.result or {})
        rows = result["targets"]
        grants_planned = sum((g["planned"] for g in result["grants"] if g["grant"] != OWN_BUDGET_ID), Decimal("0"))
        totals.append(
            {
                "run": run,
                "points": run.points,
                "met": sum(1 for t in rows if t["met"]),
                "targets": len(rows),
                "cost": run.cost,
                "grants_planned": grants_planned,
                "seats": result.get("seats", 0),
                "new_seats": result.get("new_seats", 0),
            }
        )
        for row in rows:
            entry = targets.setdefault(
                row["requirement"], {"name": row["name"], "scope": row.get("scope", ""), "cells": [None] * len(runs)}
            )
            entry["cells"][index] = row
        for row in result["facilities"]:
            entry = facilities.setdefault(row["facility"], {"name": row["name"], "cells": [None] * len(runs)})
            entry["cells"][index] = row
    for entry in targets.values():
        _shared(entry)
    ordered = sorted(targets.values(), key=lambda t: (t["first_deadline"], sort_key(t["name"])))
    return {
        "totals": totals,
        "targets": ordered,
        "per_run": any(not (t["same_deadline"] and t["same_baseline"]) for t in ordered),
        "facilities": sorted(facilities.values(), key=lambda f: sort_key(f["name"])),
    }
