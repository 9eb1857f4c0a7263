"""The coverage engine against hand-computed cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from styrbord.requirements import coverage
from styrbord.requirements.coverage import GapReason, coverage_for, forecast, gaps_for, history, renewal_cutoff
from styrbord.requirements.models import Population, Rule, ScopeLevel
from styrbord.requirements.tests.helpers import d, requirement
from styrbord.staff.models import Employment, JobGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import World

pytestmark = pytest.mark.django_db


def one_row(rows: list[coverage.CoverageRow]) -> coverage.CoverageRow:
    assert len(rows) == 1, rows
    return rows[0]


def test_fte_weighted_share_with_part_timers_is_exact() -> None:
    facility = factories.facility("Deltidshuset")
    comp = factories.competence()
    full, thirty, half = (factories.employee() for _ in range(3))
    factories.employment(full, facility, weekly_hours="37")
    factories.employment(thirty, facility, weekly_hours="30")
    factories.employment(half, facility, weekly_hours="18.5")
    factories.holding(full, comp, d("2024-01-01"))
    factories.holding(half, comp, d("2024-01-01"))
    req = requirement([comp], facility=facility, rule=Rule.PERCENT_FTE, target="65")

    row = one_row(coverage_for([req], on=d("2026-11-23")))

    # 37 h = 1,0000 FTE; 30 h = 0,8108; 18,5 h = 0,5000. Compliant 1,5 of 2,3108 = 64,91 %.
    assert row.in_scope == 3
    assert row.compliant == 2
    assert row.in_scope_fte == Decimal("2.3108")
    assert row.compliant_fte == Decimal("1.5000")
    assert row.share == Decimal("64.9")
    assert row.target == Decimal("65")
    assert row.meets_target is False
    assert row.status == "warn"


def test_people_share_counts_heads_not_hours() -> None:
    facility = factories.facility()
    comp = factories.competence()
    people = [factories.employee() for _ in range(3)]
    for person, hours in zip(people, ["37", "30", "18.5"], strict=True):
        factories.employment(person, facility, weekly_hours=hours)
    factories.holding(people[1], comp, d("2024-01-01"))
    req = requirement([comp], facility=facility, rule=Rule.PERCENT_PEOPLE, target="30")

    row = one_row(coverage_for([req], on=d("2026-11-23")))

    assert (row.compliant, row.in_scope, row.share, row.meets_target) == (1, 3, Decimal("33.3"), True)
    assert row.compliant_fte == Decimal("0.8108")


def test_a_holding_is_valid_on_its_expiry_day_and_not_the_day_after() -> None:
    facility = factories.facility()
    comp = factories.competence(validity_months=24)
    person = factories.employee()
    factories.employment(person, facility)
    factories.holding(person, comp, d("2024-06-30"), d("2026-06-30"))
    req = requirement([comp], facility=facility)

    assert one_row(coverage_for([req], on=d("2026-06-30"))).compliant == 1
    after = one_row(coverage_for([req], on=d("2026-07-01")))
    assert after.compliant == 0
    [gap] = gaps_for(req, facility, on=d("2026-07-01"))
    assert (gap.reason, gap.expires_on) == (GapReason.EXPIRED, d("2026-06-30"))


def test_a_holding_counts_from_its_acquisition_day() -> None:
    facility = factories.facility()
    comp = factories.competence()
    person = factories.employee()
    factories.employment(person, facility)
    factories.holding(person, comp, d("2026-03-01"))
    req = requirement([comp], facility=facility)

    assert one_row(coverage_for([req], on=d("2026-02-28"))).compliant == 0
    assert one_row(coverage_for([req], on=d("2026-03-01"))).compliant == 1
    [gap] = gaps_for(req, facility, on=d("2026-02-28"))
    assert gap.reason == GapReason.MISSING


def test_a_person_who_changes_facility_counts_where_the_employment_is_on_each_date() -> None:
    first = factories.facility("Første")
    second = factories.facility("Andet")
    comp = factories.competence()
    mover = factories.employee()
    stayer = factories.employee()
    factories.employment(mover, first, start_date=d("2025-01-01"), end_date=d("2026-03-31"))
    factories.employment(mover, second, start_date=d("2026-04-01"))
    factories.employment(stayer, first, start_date=d("2025-01-01"))
    factories.holding(mover, comp, d("2025-02-01"))
    req = requirement([comp], scope_level=ScopeLevel.MUNICIPALITY, municipality=first.municipality)

    march = {r.facility.name: (r.compliant, r.in_scope) for r in coverage_for([req], on=d("2026-03-31"))}
    april = {r.facility.name: (r.compliant, r.in_scope) for r in coverage_for([req], on=d("2026-04-01"))}

    assert march == {"Første": (1, 2)}
    assert april == {"Første": (0, 1), "Andet": (1, 1)}
    # The history per facility agrees with the single-date answers.
    at_first = history(req, facilities=[first.pk], on=d("2026-05-15"), months=3)
    assert [(p.on, p.compliant, p.in_scope) for p in at_first] == [
        (d("2026-02-28"), 1, 2),
        (d("2026-03-31"), 1, 2),
        (d("2026-04-30"), 0, 1),
        (d("2026-05-15"), 0, 1),
    ]
    at_second = history(req, facilities=[second.pk], on=d("2026-05-15"), months=3)
    assert [(p.compliant, p.in_scope) for p in at_second] == [(0, 0), (0, 0), (1, 1), (1, 1)]


def test_any_one_of_the_alternatives_counts() -> None:
    facility = factories.facility()
    krap, recovery, other = (factories.competence() for _ in range(3))
    people = [factories.employee() for _ in range(4)]
    for person in people:
        factories.employment(person, facility, is_contact_person=True)
    factories.holding(people[0], krap, d("2025-01-01"))
    factories.holding(people[1], recovery, d("2025-01-01"))
    factories.holding(people[2], krap, d("2025-01-01"))
    factories.holding(people[2], recovery, d("2025-01-01"))  # two alternatives: still one person
    factories.holding(people[3], other, d("2025-01-01"))
    req = requirement(
        [krap, recovery],
        facility=facility,
        rule=Rule.PERCENT_PEOPLE,
        target="75",
        population=Population.CONTACT_PERSONS,
    )

    row = one_row(coverage_for([req], on=d("2026-11-23")))

    assert (row.compliant, row.in_scope, row.share, row.meets_target) == (3, 4, Decimal("75.0"), True)
    assert [g.employee for g in gaps_for(req, facility, d("2026-11-23"))] == [people[3]]


def test_contact_person_and_job_group_filters_narrow_the_population() -> None:
    facility = factories.facility()
    comp = factories.competence()
    contact_nurse = factories.employee()
    contact_educator = factories.employee()
    other_nurse = factories.employee()
    factories.employment(contact_nurse, facility, job_group=JobGroup.NURSE, is_contact_person=True)
    factories.employment(contact_educator, facility, job_group=JobGroup.SOCIAL_EDUCATOR, is_contact_person=True)
    factories.employment(other_nurse, facility, job_group=JobGroup.NURSE, is_contact_person=False)
    req = requirement([comp], facility=facility, population=Population.CONTACT_PERSONS, job_groups=[JobGroup.NURSE])

    row = one_row(coverage_for([req], on=d("2026-11-23")))

    assert row.in_scope == 1
    assert [g.employee for g in gaps_for(req, facility, d("2026-11-23"))] == [contact_nurse]


def test_two_employments_at_one_facility_count_one_person_with_both_ftes() -> None:
    facility = factories.facility()
    comp = factories.competence()
    person = factories.employee()
    factories.employment(person, facility, weekly_hours="20")
    factories.employment(person, facility, weekly_hours="10")
    factories.holding(person, comp, d("2025-01-01"))
    req = requirement([comp], facility=facility, rule=Rule.PERCENT_FTE, target="50")

    row = one_row(coverage_for([req], on=d("2026-11-23")))

    assert (row.in_scope, row.compliant) == (1, 1)
    assert row.in_scope_fte == Decimal("0.5405") + Decimal("0.2703")


def test_within_six_months_of_hire_is_not_yet_due_through_the_due_day_then_overdue() -> None:
    facility = factories.facility()
    comp = factories.competence(validity_months=24)
    early = factories.employee(name="Før reglen")
    new = factories.employee(name="Ny januar")
    trained = factories.employee(name="Ny og uddannet")
    factories.employment(early, facility, start_date=d("2025-06-01"))
    factories.employment(new, facility, start_date=d("2026-01-15"))
    factories.employment(trained, facility, start_date=d("2026-02-01"))
    factories.holding(trained, comp, d("2026-03-10"), d("2028-03-10"))
    req = requirement(
        [comp],
        facility=facility,
        rule=Rule.WITHIN_MONTHS_OF_HIRE,
        months=6,
        population=Population.NEW_STAFF,
        effective_from=d("2026-01-01"),
    )

    on_due_day = one_row(coverage_for([req], on=d("2026-07-15")))
    day_after = one_row(coverage_for([req], on=d("2026-07-16")))

    # On the due day "Ny januar" lacks it but is not yet due: not complying, and not measured either.
    # The share is over the one measured ("Ny og uddannet", who holds it).
    assert (on_due_day.in_scope, on_due_day.compliant, on_due_day.not_yet_due) == (2, 1, 1)
    assert (on_due_day.measured, on_due_day.non_compliant, on_due_day.share) == (1, 0, Decimal("100.0"))
    # The day after, they are overdue: measured and missing.
    assert (day_after.in_scope, day_after.compliant, day_after.not_yet_due) == (2, 1, 0)
    assert (day_after.measured, day_after.non_compliant, day_after.share) == (2, 1, Decimal("50.0"))
    [not_yet] = gaps_for(req, facility, d("2026-07-15"))
    assert (not_yet.employee, not_yet.reason, not_yet.due_on, not_yet.is_breach) == (
        new,
        GapReason.NOT_YET_DUE,
        d("2026-07-15"),
        False,
    )
    [overdue] = gaps_for(req, facility, d("2026-07-16"))
    assert (overdue.reason, overdue.due_on, overdue.is_breach) == (GapReason.OVERDUE, d("2026-07-15"), True)
    assert gaps_for(req, facility, d("2026-07-15"), include_warnings=False) == []


def test_within_months_of_hire_at_a_month_end_clamps_like_the_calendar() -> None:
    facility = factories.facility()
    comp = factories.competence()
    person = factories.employee()
    factories.employment(person, facility, start_date=d("2026-08-31"))
    req = requirement([comp], facility=facility, rule=Rule.WITHIN_MONTHS_OF_HIRE, months=6)

    # 31 August + 6 months = 28 February (2027 is not a leap year): due that day, overdue on 1 March.
    due_day = one_row(coverage_for([req], on=d("2027-02-28")))
    assert (due_day.compliant, due_day.not_yet_due, due_day.share, due_day.status) == (0, 1, None, "pending")
    overdue = one_row(coverage_for([req], on=d("2027-03-01")))
    assert (overdue.compliant, overdue.not_yet_due, overdue.share, overdue.status) == (0, 0, Decimal("0.0"), "bad")


def test_renew_every_twelve_months_lapses_the_day_after_the_anniversary() -> None:
    facility = factories.facility()
    comp = factories.competence()  # never expires by itself
    person = factories.employee()
    factories.employment(person, facility)
    factories.holding(person, comp, d("2025-11-23"))
    req = requirement([comp], facility=facility, rule=Rule.RENEW_EVERY, months=12)

    assert one_row(coverage_for([req], on=d("2026-11-23"))).compliant == 1
    assert one_row(coverage_for([req], on=d("2026-11-24"))).compliant == 0
    [gap] = gaps_for(req, facility, d("2026-11-24"))
    assert (gap.reason, gap.expires_on) == (GapReason.EXPIRED, d("2026-11-23"))


def test_renewal_uses_the_latest_training_and_the_shorter_of_expiry_and_renewal() -> None:
    facility = factories.facility()
    comp = factories.competence(validity_months=6)
    renewed = factories.employee()
    short = factories.employee()
    factories.employment(renewed, facility)
    factories.employment(short, facility)
    factories.holding(renewed, comp, d("2025-03-01"), d("2025-09-01"))
    factories.holding(renewed, comp, d("2026-10-01"), d("2027-04-01"))
    factories.holding(short, comp, d("2026-01-10"), d("2026-07-10"))  # lapses before the 12-month renewal
    req = requirement([comp], facility=facility, rule=Rule.RENEW_EVERY, months=12)

    row = one_row(coverage_for([req], on=d("2026-11-01")))

    assert (row.compliant, row.in_scope) == (1, 2)
    [gap] = gaps_for(req, facility, d("2026-11-01"))
    assert (gap.employee, gap.reason, gap.expires_on) == (short, GapReason.EXPIRED, d("2026-07-10"))


def test_reasons_missing_expired_and_expires_before_deadline() -> None:
    facility = factories.facility()
    comp = factories.competence(validity_months=24)
    missing = factories.employee(name="A mangler")
    expired = factories.employee(name="B udløbet")
    soon = factories.employee(name="C udløber snart")
    fine = factories.employee(name="D i orden")
    for person in (missing, expired, soon, fine):
        factories.employment(person, facility)
    factories.holding(expired, comp, d("2023-01-01"), d("2025-01-01"))
    factories.holding(soon, comp, d("2025-02-01"), d("2027-02-01"))
    factories.holding(fine, comp, d("2026-06-01"), d("2028-06-01"))
    req = requirement([comp], facility=facility, deadline=d("2027-06-30"))

    gaps = gaps_for(req, facility, d("2026-11-23"))
    row = one_row(coverage_for([req], on=d("2026-11-23")))

    assert [(g.employee.name, g.reason, g.expires_on) for g in gaps] == [
        ("A mangler", GapReason.MISSING, None),
        ("B udløbet", GapReason.EXPIRED, d("2025-01-01")),
        ("C udløber snart", GapReason.EXPIRES_BEFORE_DEADLINE, d("2027-02-01")),
    ]
    # The person whose holding lapses before the deadline still complies today.
    assert (row.compliant, row.in_scope) == (2, 4)
    assert row.in_scope - row.compliant == sum(g.is_breach for g in gaps)


def test_history_and_forecast_follow_expiry_and_planned_completions() -> None:
    facility = factories.facility()
    comp = factories.competence(validity_months=24)
    lapsing = factories.employee()
    steady = factories.employee()
    factories.employment(lapsing, facility)
    factories.employment(steady, facility)
    factories.holding(lapsing, comp, d("2025-01-31"), d("2027-01-31"))
    factories.holding(steady, comp, d("2026-09-15"), d("2028-09-15"))
    req = requirement([comp], facility=facility, rule=Rule.PERCENT_PEOPLE, target="75", deadline=d("2027-03-31"))
    today = d("2026-11-23")

    past = history(req, on=today, months=3)
    ahead = forecast(req, on=today)
    planned = forecast(req, on=today, planned=[(lapsing.pk, comp.pk, d("2027-02-15"))])

    assert [(p.on, p.share) for p in past] == [
        (d("2026-08-31"), Decimal("50.0")),
        (d("2026-09-30"), Decimal("100.0")),
        (d("2026-10-31"), Decimal("100.0")),
        (today, Decimal("100.0")),
    ]
    assert [(p.on, p.share) for p in ahead] == [
        (today, Decimal("100.0")),
        (d("2026-11-30"), Decimal("100.0")),
        (d("2026-12-31"), Decimal("100.0")),
        (d("2027-01-31"), Decimal("100.0")),
        (d("2027-02-28"), Decimal("50.0")),
        (d("2027-03-31"), Decimal("50.0")),
    ]
    assert [p.share for p in planned][-2:] == [Decimal("100.0"), Decimal("100.0")]
    assert {p.kind for p in ahead} == {"forecast"}


def test_planned_completions_of_other_competences_or_already_compliant_people_change_nothing() -> None:
    facility = factories.facility()
    comp = factories.competence()
    unrelated = factories.competence()
    holder = factories.employee()
    lacking = factories.employee()
    factories.employment(holder, facility, weekly_hours="37")
    factories.employment(lacking, facility, weekly_hours="18.5")
    factories.holding(holder, comp, d("2025-01-01"))
    req = requirement([comp], facility=facility, rule=Rule.PERCENT_FTE, target="50", deadline=d("2027-01-31"))

    planned = [(holder.pk, comp.pk, d("2026-12-01")), (lacking.pk, unrelated.pk, d("2026-12-01"))]
    points = forecast(req, on=d("2026-11-23"), planned=planned)
    assert {p.compliant_fte for p in points} == {Decimal("1.0000")}

    with_lacking = forecast(req, on=d("2026-11-23"), planned=[(lacking.pk, comp.pk, d("2026-12-01"))])
    assert [p.compliant_fte for p in with_lacking] == [
        Decimal("1.0000"),
        Decimal("1.0000"),
        Decimal("1.5000"),
        Decimal("1.5000"),
    ]


def test_municipality_scope_leaves_out_regional_facilities_and_other_municipalities() -> None:
    own = factories.facility("Kommunalt", "0707")
    regional = factories.facility(
        "Regionalt", "0707", operator_kind="region", operator_region=factories.municipality("0707").region
    )
    elsewhere = factories.facility("Andetsteds", "0706")
    comp = factories.competence()
    for facility in (own, regional, elsewhere):
        factories.employment(factories.employee(), facility)
    municipal = requirement([comp], scope_level=ScopeLevel.MUNICIPALITY, municipality=own.municipality)
    national = requirement([comp], scope_level=ScopeLevel.NATIONAL, name="Landsdækkende")
    regional_req = requirement([comp], scope_level=ScopeLevel.REGION, region=own.municipality.region, name="Region")

    assert {r.facility.name for r in coverage_for([municipal], on=d("2026-11-23"))} == {"Kommunalt"}
    assert {r.facility.name for r in coverage_for([national], on=d("2026-11-23"))} == {
        "Kommunalt",
        "Regionalt",
        "Andetsteds",
    }
    # 0706 Syddjurs and 0707 Norddjurs are both in Region Midtjylland.
    assert {r.facility.name for r in coverage_for([regional_req], on=d("2026-11-23"))} == {
        "Kommunalt",
        "Regionalt",
        "Andetsteds",
    }
    only_own = coverage_for([national], on=d("2026-11-23"), facilities=[own.pk])
    assert [r.facility for r in only_own] == [own]


def test_unit_scope_counts_only_the_unit() -> None:
    facility = factories.facility()
    unit_a = factories.unit(facility, "Hus A")
    unit_b = factories.unit(facility, "Hus B")
    comp = factories.competence()
    factories.employment(factories.employee(), facility, unit=unit_a)
    factories.employment(factories.employee(), facility, unit=unit_b)
    req = requirement([comp], scope_level=ScopeLevel.UNIT, unit=unit_a)

    req.refresh_from_db()
    assert req.facility_id == facility.pk
    assert one_row(coverage_for([req], on=d("2026-11-23"))).in_scope == 1


def test_an_ended_employment_without_end_date_is_not_counted() -> None:
    facility = factories.facility()
    comp = factories.competence()
    factories.employment(factories.employee(), facility, status=Employment.Status.ENDED)
    factories.employment(factories.employee(), facility)
    req = requirement([comp], facility=facility)

    assert one_row(coverage_for([req], on=d("2026-11-23"))).in_scope == 1


def test_person_requirements_agree_with_the_gap_list() -> None:
    facility = factories.facility()
    comp = factories.competence(validity_months=12)
    person = factories.employee()
    factories.employment(person, facility, is_contact_person=True)
    factories.holding(person, comp, d("2025-01-01"), d("2026-01-01"))
    met = factories.competence()
    factories.holding(person, met, d("2025-01-01"))
    lacking_req = requirement([comp], facility=facility, name="Mangler")
    met_req = requirement([met], scope_level=ScopeLevel.MUNICIPALITY, municipality=facility.municipality, name="Ok")
    not_applying = requirement([met], facility=factories.facility(), name="Andet tilbud")

    statuses = coverage.person_requirements(person, on=d("2026-11-23"))

    assert [(s.requirement.name, s.met, s.reason) for s in statuses] == [
        ("Mangler", False, GapReason.EXPIRED),
        ("Ok", True, None),
    ]
    assert not_applying not in [s.requirement for s in statuses]
    [gap] = gaps_for(lacking_req, facility, d("2026-11-23"))
    assert gap.reason == GapReason.EXPIRED
    assert gaps_for(met_req, facility, d("2026-11-23")) == []


@pytest.mark.parametrize(
    ("on", "months", "cutoff"),
    [
        ("2026-03-01", 1, "2026-02-01"),
        ("2026-02-28", 1, "2026-01-28"),
        ("2027-02-28", 12, "2026-02-28"),
        ("2028-02-29", 12, "2027-03-01"),  # 28 Feb 2027 + 12 months = 28 Feb 2028 < 29 Feb: too early
        ("2026-11-23", 6, "2026-05-23"),
    ],
)
def test_renewal_cutoff_is_the_earliest_date_still_inside_the_period(on: str, months: int, cutoff: str) -> None:
    from styrbord.lib.dates import add_months

    day = dt.timedelta(days=1)
    result = renewal_cutoff(d(on), months)
    assert result == d(cutoff)
    assert add_months(result, months) >= d(on)
    assert add_months(result - day, months) < d(on)


def test_requirements_for_finds_national_regional_municipal_and_own_requirements() -> None:
    from styrbord.organisations.models import Facility

    dolmer = factories.facility("Dolmer", "0707")
    other = factories.facility("Andet", "0101")
    comp = factories.competence()
    names = {
        requirement([comp], scope_level=ScopeLevel.NATIONAL, name="national").name,
        requirement([comp], scope_level=ScopeLevel.REGION, region=dolmer.municipality.region, name="region").name,
        requirement([comp], scope_level=ScopeLevel.MUNICIPALITY, municipality=dolmer.municipality, name="kommune").name,
        requirement([comp], facility=dolmer, name="tilbud").name,
    }
    requirement([comp], facility=other, name="andet tilbud")
    requirement([comp], scope_level=ScopeLevel.REGION, region=other.municipality.region, name="anden region")

    found = {r.name for r in coverage.requirements_for(Facility.objects.filter(pk=dolmer.pk))}

    assert found == names


@pytest.mark.django_db
def test_narrowing_the_holdings_to_the_facilities_people_changes_no_count(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small scope reads only its own people's holdings (``NARROW_SHARE``); the counts must be
    those of the whole holdings table, on every date of a history, for every kind of rule."""
    engine = coverage
    today = dt.date(2026, 6, 30)
    krap = factories.competence("krap-narrow", validity_months=12, name="KRAP")
    other = factories.competence("other-narrow", name="Andet")
    # Holders inside and outside the scope, valid at different times.
    factories.holding(world.dolmer_staff[0], krap, dt.date(2025, 9, 1), dt.date(2026, 9, 1))
    factories.holding(world.dolmer_staff[1], krap, dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    factories.holding(world.glesborg_staff[0], krap, dt.date(2025, 1, 1))
    factories.holding(world.syddjurs_staff[0], other, dt.date(2025, 1, 1))
    rules = [
        requirement([krap, other], scope_level=ScopeLevel.NATIONAL, name="Alle"),
        requirement([krap], scope_level=ScopeLevel.NATIONAL, rule=Rule.RENEW_EVERY, months=6, name="Forny"),
        requirement([other], scope_level=ScopeLevel.NATIONAL, rule=Rule.WITHIN_MONTHS_OF_HIRE, months=6, name="Nye"),
    ]
    dates = engine.history_dates(today)
    compliant = 0
    for scope in ([world.dolmer.pk], [world.syddjurs_facility.pk]):
        for req in rules:
            monkeypatch.setattr(engine, "NARROW_SHARE", Decimal("1"))
            assert engine._people_of_few(scope) is not None
            narrowed = engine.counts_by_facility(req, dates, scope)
            monkeypatch.setattr(engine, "NARROW_SHARE", Decimal("0"))
            assert engine._people_of_few(scope) is None
            whole = engine.counts_by_facility(req, dates, scope)
            assert narrowed == whole, (req.name, scope)
            compliant += sum(c.compliant for per in whole.values() for c in per.values())
    assert compliant > 0  # the comparison saw holders, not only empty sets


@pytest.mark.django_db
def test_coverage_for_decides_the_narrowing_once_for_all_requirements(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from styrbord.organisations.models import Facility

    comp = factories.competence("narrow-once", name="KRAP")
    reqs = [requirement([comp], scope_level=ScopeLevel.NATIONAL, name=f"Krav {i}") for i in range(4)]
    facilities = Facility.objects.filter(pk=world.dolmer.pk)
    with CaptureQueriesContext(connection) as queries:
        rows = coverage_for(reqs, on=dt.date(2026, 6, 30), facilities=facilities)
    assert len(rows) == 4
    facility_counts = [
        q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "organisations_facility" in q["sql"]
    ]
    assert len(facility_counts) == 2  # the scope's and all facilities', once, not once per requirement
