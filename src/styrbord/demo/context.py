"""What the demo steps share: a seeded random generator, the demo's 'today', and what
earlier steps created, so later steps (requirements, courses, pools, plans) can refer to it.

Each app that contributes demo data has a ``demo.py`` with ``build(ctx: DemoContext) -> None``.
The steps run in ``DEMO_STEPS`` order inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

# Order matters: each step may use what the steps before it created.
DEMO_STEPS = [
    "styrbord.organisations",
    "styrbord.staff",
    "styrbord.competences",
    "styrbord.accounts",
    "styrbord.requirements",
    "styrbord.workforce",
    "styrbord.training",
    "styrbord.funding",
    "styrbord.planning",
    "styrbord.reports",
]


@dataclass
class DemoContext:
    """Shared state of one demo build. ``rng`` is the only source of randomness allowed."""

    seed: int
    today: dt.date
    rng: random.Random
    # Filled by the steps. Keys are stable names (facility names, competence codes, usernames).
    municipalities: dict[str, Any] = field(default_factory=dict)  # by code, e.g. "0707"
    facilities: dict[str, Any] = field(default_factory=dict)  # by name, e.g. "Dolmer Have"
    competences: dict[str, Any] = field(default_factory=dict)  # by code, e.g. "konflikthaandtering"
    employees: list[Any] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)  # by username
    extra: dict[str, Any] = field(default_factory=dict)  # anything else a later step needs
    log: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        """A line for the build summary printed by `styrbord demo`."""
        self.log.append(message)


def make_context(seed: int, today: dt.date) -> DemoContext:
    return DemoContext(seed=seed, today=today, rng=random.Random(seed))
