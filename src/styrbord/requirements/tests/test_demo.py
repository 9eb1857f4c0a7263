"""The demo shows a 75 %-of-contact-staff target and a within-6-months-of-hire rule with live gaps."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.urls import reverse

from styrbord.accounts.models import Role, User
from styrbord.demo.services import build_demo
from styrbord.organisations.models import Facility
from styrbord.requirements.coverage import GapReason, coverage_for, gaps_for
from styrbord.requirements.models import Population, Requirement, Rule

TODAY = dt.date(2026, 11, 23)
STEPS = [
    "styrbord.organisations",
    "styrbord.staff",
    "styrbord.competences",
    "styrbord.accounts",
    "styrbord.requirements",
]
SPECIALISED = "75 % af kontaktpersonerne videreuddannet og specialiseret"
NEW_STAFF = "Nyansatte: konflikthåndtering inden for 6 måneder"


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Build the demo once for the module and remove it afterwards (it takes a while)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(2024, TODAY, only=STEPS)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_75_percent_contact_staff_target_is_missed_at_dolmer_with_named_gaps(demo: Any) -> None:
    req = Requirement.objects.get(name=SPECIALISED, municipality__code="0707")
    assert (req.rule, req.population, req.target) == (Rule.PERCENT_PEOPLE, Population.CONTACT_PERSONS, 75)

    rows = {r.facility.name: r for r in coverage_for([req], on=TODAY)}

    dolmer = rows["Dolmer Have"]
    assert dolmer.in_scope > 0
    assert dolmer.share is not None
    assert dolmer.share < 75
    assert dolmer.meets_target is False
    assert any(r.meets_target for r in rows.values())  # and met elsewhere
    breaches = [g for g in gaps_for(req, dolmer.facility, TODAY) if g.is_breach]
    assert len(breaches) == dolmer.non_compliant > 0
    assert {g.reason for g in breaches} <= {GapReason.MISSING, GapReason.EXPIRED}
    assert all(g.is_contact_person for g in breaches)


@pytest.mark.django_db
def test_the_within_six_months_of_hire_rule_has_overdue_and_not_yet_due_people(demo: Any) -> None:
    req = Requirement.objects.get(name=NEW_STAFF, municipality__code="0707")
    assert (req.rule, req.months, req.population) == (Rule.WITHIN_MONTHS_OF_HIRE, 6, Population.NEW_STAFF)

    rows = coverage_for([req], on=TODAY)
    gaps = [g for r in rows for g in gaps_for(req, r.facility, TODAY)]

    reasons = Counter(g.reason for g in gaps)
    assert reasons[GapReason.OVERDUE] > 0, reasons
    assert reasons[GapReason.NOT_YET_DUE] > 0, reasons
    assert sum(r.non_compliant for r in rows) == sum(g.is_breach for g in gaps)
    for gap in gaps:
        # Lacking it (or holding only an expired one) is a breach exactly once the 6 months are up.
        assert gap.due_on is not None
        assert (gap.due_on < TODAY) == gap.is_breach
        assert gap.is_breach == (gap.reason in (GapReason.OVERDUE, GapReason.EXPIRED))


@pytest.mark.django_db
def test_the_coordinators_pages_show_both_requirements_with_their_gaps(demo: Any, client: Any) -> None:
    coordinator = User.objects.filter(role=Role.COORDINATOR, municipality__code="0707").first()
    assert coordinator is not None
    client.force_login(coordinator)
    dolmer = Facility.objects.get(name="Dolmer Have")

    overview = client.get(reverse("requirements:overview"), {"dato": TODAY.isoformat()}).content.decode()
    overview = overview.replace("\u00ad", "")  # the heat map's soft hyphens
    page = client.get(
        reverse("requirements:facility_coverage", args=[dolmer.pk]), {"dato": TODAY.isoformat()}
    ).content.decode()
    req = Requirement.objects.get(name=NEW_STAFF, municipality__code="0707")
    gap_list = client.get(
        reverse("requirements:gap_list", args=[dolmer.pk]), {"krav": req.pk, "dato": TODAY.isoformat()}
    )

    assert SPECIALISED in overview
    assert NEW_STAFF in overview
    assert SPECIALISED in page
    assert "Mindst 75 % af personerne" in page
    assert "Ikke opfyldt" in page
    assert NEW_STAFF in page
    assert "Inden for 6 måneder efter ansættelse" in page
    assert gap_list.status_code == 200
    assert {g.requirement.pk for g in gap_list.context["gaps"]} == {req.pk}
