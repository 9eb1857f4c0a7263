"""Small builders for training tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from styrbord.training.models import Course, Provider, Session

_seq = itertools.count(1)


def provider(kind: str = Provider.Kind.UNIVERSITY_COLLEGE, **kwargs: Any) -> Provider:
    n = next(_seq)
    return Provider.objects.create(name=kwargs.pop("name", f"Udbyder {n}"), kind=kind, **kwargs)


def course(provider_obj: Provider | None = None, **kwargs: Any) -> Course:
    n = next(_seq)
    kwargs.setdefault("kind", Course.Kind.CERTIFICATION)
    kwargs.setdefault("fee_per_participant", Decimal("2400.00"))
    return Course.objects.create(
        code=kwargs.pop("code", f"kursus-{n}"),
        name=kwargs.pop("name", f"Kursus {n}"),
        provider=provider_obj or provider(),
        **kwargs,
    )


def session(
    course_obj: Course | None = None,
    days: list[dt.date] | None = None,
    hours: str | Decimal = "7.40",
    **kwargs: Any,
) -> Session:
    s = Session.objects.create(course=course_obj or course(), **kwargs)
    s.set_days([(d, Decimal(hours)) for d in (days or [dt.date(2026, 3, 2)])])
    return s
