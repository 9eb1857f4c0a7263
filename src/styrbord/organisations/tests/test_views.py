"""Facility list, facility page and municipality overview: who sees what, and the figures."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today, public_holidays
from styrbord.lib.formatting import format_date
from styrbord.organisations.models import Facility, StaffingPeriod
from styrbord.organisations.views import PAGE_SIZE
from styrbord.planner.model import StaffingPeriod as EnginePeriod
from styrbord.planner.model import StaffingRule
from styrbord.staff.models import Employment, JobGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for


def facility_url(facility: Facility) -> str:
    return reverse("organisations:facility_detail", args=[facility.pk])


LIST_URL = "/tilbud/"


@pytest.mark.parametrize(
    "url",
    ["/tilbud/", "/tilbud/1/", "/tilbud/kommune/", "/tilbud/kommune/0707/"],
)
def test_anonymous_users_are_sent_to_the_login_page(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_the_facility_list_shows_the_coordinators_municipality_only(world: Any) -> None:
    response = client_for(world.coordinator).get(LIST_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dolmer Have" in body
    assert "Bofællesskaberne Glesborg" in body
    assert "Syddjurs Botilbud" not in body
    assert "Københavns Bosted" not in body


def test_the_municipality_column_shows_only_for_a_scope_over_several_municipalities(world: Any) -> None:
    header = '<th scope="col">Kommune</th>'
    coordinator = client_for(world.coordinator).get(LIST_URL).content.decode()
    assert "Dolmer Have" in coordinator
    assert header not in coordinator  # every row would read Norddjurs
    admin = client_for(world.admin).get(LIST_URL).content.decode()
    assert header in admin
    assert "<td>Syddjurs</td>" in admin


def test_the_facility_list_shows_a_manager_only_their_facility(world: Any) -> None:
    body = client_for(world.manager).get(LIST_URL).content.decode()
    assert "Dolmer Have" in body
    assert "Bofællesskaberne Glesborg" not in body


@pytest.mark.parametrize("persona", ["analyst", "employee_user", "grantor_user"])
def test_roles_without_facilities_are_refused_the_facility_list(world: Any, persona: str) -> None:
    assert client_for(getattr(world, persona)).get(LIST_URL).status_code == 403


def test_the_facility_list_counts_current_staff_fte_and_shares(world: Any) -> None:
    # Dolmer: three current people (37, 30 and 37 hours), two contact persons (fixture).
    ended = factories.employee(name="Fratrådt Person")
    factories.employment(
        ended, world.dolmer, start_date=dt.date(2019, 1, 1), end_date=dt.date(2020, 1, 1), status="ended"
    )
    relevant = world.dolmer_staff[0]
    relevant.education_relevant = True
    relevant.save()
    response = client_for(world.coordinator).get(LIST_URL)
    row = next(r for r in response.context["rows"] if r.name == "Dolmer Have")
    assert row.headcount == "3"
    assert row.fte == "2,8"  # (37 + 30 + 37) / 37 = 2,81
    assert row.relevant.text == "33 %"
    assert row.contacts == "67 %"


def test_the_facility_list_is_paginated_and_searchable(world: Any) -> None:
    for i in range(PAGE_SIZE + 3):
        factories.facility(f"Ekstra tilbud {i:02d}", "0707")
    client = client_for(world.coordinator)
    first = client.get(LIST_URL)
    assert len(first.context["rows"]) == PAGE_SIZE
    assert first.context["page"].has_next()
    second = client.get(LIST_URL, {"side": 2})
    assert len(second.context["rows"]) == PAGE_SIZE + 5 - PAGE_SIZE
    found = client.get(LIST_URL, {"q": "glesborg"})
    assert [r.name for r in found.context["rows"]] == ["Bofællesskaberne Glesborg"]


def test_an_admin_can_narrow_the_list_to_one_municipality(world: Any) -> None:
    client = client_for(world.admin)
    everything = client.get(LIST_URL)
    assert everything.context["show_municipality_filter"]
    assert everything.context["facility_count"] == 4
    syddjurs = factories.municipality("0706")
    narrowed = client.get(LIST_URL, {"municipality": syddjurs.pk})
    assert [r.name for r in narrowed.context["rows"]] == ["Syddjurs Botilbud"]


def test_staff_names_on_the_facility_page_open_their_competence_profile(world: Any) -> None:
    client = client_for(world.manager)
    body = client.get(facility_url(world.dolmer)).content.decode()
    person = world.dolmer_staff[0]
    link = f'<a href="/medarbejdere/{person.pk}/">{person.name}</a>'
    assert link in body
    assert client.get(f"/medarbejdere/{person.pk}/").status_code == 200


def test_a_manager_sees_their_facility_with_only_its_staff(world: Any) -> None:
    response = client_for(world.manager).get(facility_url(world.dolmer))
    assert response.status_code == 200
    body = response.content.decode()
    for person in world.dolmer_staff:
        assert person.name in body
    for person in world.glesborg_staff + world.syddjurs_staff:
        assert person.name not in body


def test_another_facility_answers_404_for_a_manager(world: Any) -> None:
    client = client_for(world.manager)
    assert client.get(facility_url(world.glesborg)).status_code == 404
    assert client.get(facility_url(world.kbh_facility)).status_code == 404
    assert client.get("/tilbud/999999/").status_code == 404


def test_another_municipalitys_facility_answers_404_for_a_coordinator(world: Any) -> None:
    client = client_for(world.other_coordinator)
    assert client.get(facility_url(world.dolmer)).status_code == 404
    assert client.get(facility_url(world.syddjurs_facility)).status_code == 200


@pytest.mark.parametrize("persona", ["analyst", "employee_user", "grantor_user"])
def test_roles_without_facility_access_are_refused_a_facility_page(world: Any, persona: str) -> None:
    assert client_for(getattr(world, persona)).get(facility_url(world.dolmer)).status_code == 403


def test_finance_sees_the_facility_figures_but_no_names(world: Any) -> None:
    response = client_for(world.finance).get(facility_url(world.dolmer))
    assert response.status_code == 200
    body = response.content.decode()
    assert not response.context["show_staff"]
    for person in world.dolmer_staff:
        assert person.name not in body
    assert response.context["figures"]["headcount"] == "3"


def test_viewing_a_facility_page_is_logged_per_person_without_names(world: Any) -> None:
    client_for(world.manager).get(facility_url(world.dolmer))
    entries = AuditEntry.objects.filter(action="staff.employee.viewed", actor_id=world.manager.pk)
    assert sorted(e.subject_employee_id for e in entries) == sorted(p.pk for p in world.dolmer_staff)
    for entry in entries:
        assert entry.data["facility_id"] == world.dolmer.pk
        assert not any(p.name in str(entry.data) for p in world.dolmer_staff)


def test_the_facility_page_shows_facts_staff_and_competence_coverage(world: Any) -> None:
    today = local_today()
    world.dolmer.places = 24
    world.dolmer.minimum_staff = 6
    world.dolmer.tilbudsportalen_id = "43871"
    world.dolmer.save()
    factories.unit(world.dolmer, "Hus A")
    krap = factories.competence("krap", name="KRAP")
    conflict = factories.competence("konflikt", validity_months=24, name="Konflikthåndtering")
    a, b, c = world.dolmer_staff
    factories.holding(a, krap, today - dt.timedelta(days=400))
    factories.holding(b, krap, today - dt.timedelta(days=100))
    factories.holding(a, conflict, today - dt.timedelta(days=700), today + dt.timedelta(days=30))  # expiring
    factories.holding(c, conflict, today - dt.timedelta(days=900), today - dt.timedelta(days=1))  # expired
    outsider = world.glesborg_staff[0]
    factories.holding(outsider, krap, today - dt.timedelta(days=10))
    response = client_for(world.manager).get(facility_url(world.dolmer))
    body = response.content.decode()
    assert "43871" in body
    assert "Hus A" in body
    coverage = {row.name: row for row in response.context["coverage"]}
    assert coverage["KRAP"].holders == "2 / 3"
    assert coverage["KRAP"].share == "67 %"
    assert coverage["Konflikthåndtering"].holders == "1 / 3"
    assert coverage["Konflikthåndtering"].expiring == 1
    # a and c are contact persons in the fixture (every second person).
    assert coverage["KRAP"].contacts.text == "50 %"
    staff = {row.name: row for row in response.context["staff_rows"]}
    held = {h.name: h for h in staff[a.name].held}
    assert set(held) == {"KRAP", "Konflikthåndtering"}
    assert held["Konflikthåndtering"].expiring
    assert not held["KRAP"].expiring
    assert staff[c.name].held == []  # only an expired holding
    assert 'class="badge badge-warn" title="Gyldig til' in body


def test_a_person_on_leave_is_staff_and_is_marked(world: Any) -> None:
    employment = Employment.objects.get(employee=world.dolmer_staff[1])
    employment.status = Employment.Status.LEAVE
    employment.save()
    response = client_for(world.manager).get(facility_url(world.dolmer))
    row = next(r for r in response.context["staff_rows"] if r.name == world.dolmer_staff[1].name)
    assert row.on_leave
    assert response.context["figures"]["headcount"] == "3"


def test_the_municipality_overview_has_facilities_and_a_totals_row(world: Any) -> None:
    person = world.glesborg_staff[0]
    factories.employment(person, world.dolmer, weekly_hours="7", job_group=JobGroup.SOCIAL_EDUCATOR)
    response = client_for(world.coordinator).get("/tilbud/kommune/0707/")
    assert response.status_code == 200
    assert [r.name for r in response.context["rows"]] == ["Bofællesskaberne Glesborg", "Dolmer Have"]
    totals = response.context["totals"]
    assert totals.headcount == 5  # the person with two employments counts once
    job_groups = {row.job_group: row for row in response.context["job_groups"]}
    assert job_groups[JobGroup.SOCIAL_EDUCATOR].headcount == 6  # employments
    assert "I alt" in response.content.decode()


def test_the_municipality_overview_of_another_municipality_answers_404(world: Any) -> None:
    assert client_for(world.coordinator).get("/tilbud/kommune/0706/").status_code == 404
    assert client_for(world.manager).get("/tilbud/kommune/0707/").status_code == 403  # wrong role
    assert client_for(world.coordinator).get("/tilbud/kommune/9999/").status_code == 404


def test_the_municipality_default_goes_to_the_users_own_municipality(world: Any) -> None:
    response = client_for(world.coordinator).get("/tilbud/kommune/")
    assert response.status_code == 302
    assert response["Location"] == "/tilbud/kommune/0707/"


def test_an_admin_without_a_municipality_chooses_one(world: Any) -> None:
    response = client_for(world.admin).get("/tilbud/kommune/")
    assert response.status_code == 200
    codes = {m.code for m in response.context["municipalities"]}
    assert codes == {"0707", "0706", "0101"}


def test_roles_without_municipality_access_are_refused_the_default(world: Any) -> None:
    assert client_for(world.manager).get("/tilbud/kommune/").status_code == 403
    assert client_for(world.analyst).get("/tilbud/kommune/").status_code == 403


def test_names_in_the_pre_rendered_tables_are_escaped(world: Any) -> None:
    world.dolmer.name = 'Dolmer <script>alert("x")</script> & Co'
    world.dolmer.save()
    person = world.dolmer_staff[0]
    person.name = "<b>Bo</b> O'Hara"
    person.education = "Pædagog <i>"
    person.save()
    factories.holding(person, factories.competence("krap-x", name="KRAP <em>"), local_today())
    list_body = client_for(world.manager).get(LIST_URL).content.decode()
    assert "<script>" not in list_body
    assert "Dolmer &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in list_body
    body = client_for(world.manager).get(facility_url(world.dolmer)).content.decode()
    assert "<b>Bo</b>" not in body
    assert "&lt;b&gt;Bo&lt;/b&gt; O&#x27;Hara" in body
    assert "Pædagog &lt;i&gt;" in body
    assert "KRAP &lt;em&gt;" in body
    assert "<em>" not in body


def test_the_figures_follow_the_language(world: Any) -> None:
    person = world.dolmer_staff[0]
    Employment.objects.filter(employee=person).update(weekly_hours="18.5", fte="0.50")
    client = client_for(world.manager)
    danish = {r.name: r for r in client.get(facility_url(world.dolmer)).context["staff_rows"]}
    assert danish[person.name].fte == "0,50"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(facility_url(world.dolmer))
    english = {r.name: r for r in response.context["staff_rows"]}
    assert english[person.name].fte == "0.50"
    assert response.context["figures"]["fte"] == "2.5"


def test_the_facility_page_shows_the_minimum_staffing_of_weekdays_weekends_and_periods(world: Any) -> None:
    today = local_today()
    world.dolmer.minimum_staff = 6
    world.dolmer.minimum_staff_weekend = 4
    world.dolmer.save()
    start = today + dt.timedelta(days=10)
    StaffingPeriod.objects.create(
        facility=world.dolmer,
        start_date=start,
        end_date=start + dt.timedelta(days=13),
        minimum=8,
        reason="Ny beboer med 1:1-støtte",
    )
    StaffingPeriod.objects.create(  # over: not shown
        facility=world.dolmer,
        start_date=today - dt.timedelta(days=30),
        end_date=today - dt.timedelta(days=1),
        minimum=9,
    )
    body = client_for(world.manager).get(facility_url(world.dolmer)).content.decode()
    assert "6 medarbejdere på arbejde på hverdage, 4 i weekender og på helligdage" in body
    period = (
        f"8 fra {format_date(start)} til og med {format_date(start + dt.timedelta(days=13))} (Ny beboer med 1:1-støtte)"
    )
    assert period in body
    assert "9 fra" not in body


def test_a_facility_with_the_same_minimum_every_day_says_so_once(world: Any) -> None:
    world.dolmer.minimum_staff = 3
    world.dolmer.minimum_staff_weekend = 3
    world.dolmer.save()
    body = client_for(world.finance).get(facility_url(world.dolmer)).content.decode()
    # finance: no edit link after it
    assert "3 medarbejdere på arbejde alle dage, også i weekender og på helligdage</dd>" in body


def test_a_facility_without_a_weekend_minimum_says_the_weekday_one_holds_every_day(world: Any) -> None:
    """It said "3 på hverdage" and nothing of weekends, while an empty weekend minimum means the same."""
    world.dolmer.minimum_staff = 3
    world.dolmer.minimum_staff_weekend = None
    world.dolmer.save()
    body = client_for(world.finance).get(facility_url(world.dolmer)).content.decode()
    assert "3 medarbejdere på arbejde alle dage, også i weekender og på helligdage</dd>" in body


def test_a_staffing_period_that_ends_before_it_starts_is_refused_with_a_danish_message(world: Any) -> None:
    period = StaffingPeriod(
        facility=world.dolmer, start_date=dt.date(2027, 3, 10), end_date=dt.date(2027, 3, 1), minimum=5
    )
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    (message,) = error.value.message_dict["end_date"]  # at the field, by the rule itself
    assert message.startswith("Perioden slutter, før den begynder")


@pytest.mark.parametrize("seed", range(5))
def test_the_facility_and_the_planner_agree_on_every_days_minimum(seed: int) -> None:
    """Facility.minimum_on (bookings, absence page) and StaffingRule.minimum_on (planner) are the
    same rule written twice, on each side of the Django boundary; random facilities and periods,
    over 90 days with New Year's Day and Easter (public holidays are staffed as Sundays)."""
    rng = random.Random(seed)
    first = dt.date(2027, 1, 1)
    weekend = rng.choice([None, 0, 2, 5])
    facility = Facility(minimum_staff=rng.randint(0, 6), minimum_staff_weekend=weekend)
    periods = []
    for _ in range(rng.randint(0, 4)):
        start = first + dt.timedelta(days=rng.randint(0, 60))
        periods.append(
            StaffingPeriod(
                start_date=start, end_date=start + dt.timedelta(days=rng.randint(0, 14)), minimum=rng.randint(0, 9)
            )
        )
    rule = StaffingRule(
        facility_id=1,
        min_staff=facility.minimum_staff,
        weekend_min_staff=weekend,
        periods=tuple(EnginePeriod(p.start_date, p.end_date, p.minimum) for p in periods),
        holidays=public_holidays(first, first + dt.timedelta(days=89)),
    )
    for n in range(90):
        day = first + dt.timedelta(days=n)
        assert facility.minimum_on(day, periods) == rule.minimum_on(day), day


def staffing_url(facility: Facility) -> str:
    return reverse("organisations:minimum_staffing", args=[facility.pk])


def staffing_post(facility: Facility, weekdays: str, weekend: str, rows: list[dict[str, str]]) -> dict[str, str]:
    """The form as the browser sends it: the facility's minimums and every period row shown."""
    shown = list(
        facility.staffing_periods.filter(end_date__gte=local_today() - dt.timedelta(days=90)).order_by("start_date")
    )
    data = {
        "minimum_staff": weekdays,
        "minimum_staff_weekend": weekend,
        "perioder-TOTAL_FORMS": str(len(rows)),
        "perioder-INITIAL_FORMS": str(len(shown)),
        "perioder-MIN_NUM_FORMS": "0",
        "perioder-MAX_NUM_FORMS": "200",
    }
    for i, row in enumerate(rows):
        if i < len(shown):
            data[f"perioder-{i}-id"] = str(shown[i].pk)
        data.update({f"perioder-{i}-{key}": value for key, value in row.items()})
    return data


def test_a_manager_sets_their_facilitys_weekend_minimum_and_a_period(world: Any) -> None:
    client = client_for(world.manager)
    assert 'id="edit-minimum-staffing"' in client.get(facility_url(world.dolmer)).content.decode()
    # A period to come, whatever day the suite runs (the form keeps ended periods for 90 days only).
    first = local_today() + dt.timedelta(days=60)
    last = first + dt.timedelta(days=41)
    row = {"start_date": first.isoformat(), "end_date": last.isoformat(), "minimum": "4", "reason": "1:1-støtte"}
    response = client.post(staffing_url(world.dolmer), staffing_post(world.dolmer, "3", "2", [row]))
    assert response.status_code == 302
    assert response["Location"] == facility_url(world.dolmer)
    world.dolmer.refresh_from_db()
    assert (world.dolmer.minimum_staff, world.dolmer.minimum_staff_weekend) == (3, 2)
    (period,) = world.dolmer.staffing_periods.all()
    assert (period.start_date, period.end_date, period.minimum, period.reason) == (first, last, 4, "1:1-støtte")
    # Dolmer Have has 3 people: a period of 4 is saved (temporary staff may fill it), with a word.
    shown = client.get(response["Location"]).content.decode()
    assert (
        f"Minimum 4 fra {first:%d-%m-%Y} er flere end de 3 medarbejdere, der er ansat til den tid. Tjek tallet."
        in shown
    )
    typo = client.post(staffing_url(world.dolmer), staffing_post(world.dolmer, "500", "2", [row]), follow=True)
    assert "Minimum 500 på hverdage er flere end tilbuddets 3 medarbejdere. Tjek tallet." in typo.content.decode()
    # A typo past any facility's size is refused at its field, and nothing of the form is saved.
    for weekdays, period_minimum in (("99999", "4"), ("3", "2147483647")):
        refused = client.post(
            staffing_url(world.dolmer),
            staffing_post(world.dolmer, weekdays, "2", [{**row, "minimum": period_minimum}]),
        )
        assert refused.status_code == 200
        assert "Minimumsbemandingen kan højst være 999 personer." in refused.content.decode()
        world.dolmer.refresh_from_db()
        assert world.dolmer.minimum_staff == 500
        assert world.dolmer.staffing_periods.get().minimum == 4
    client.post(staffing_url(world.dolmer), staffing_post(world.dolmer, "3", "2", [row]))
    entry = AuditEntry.objects.filter(action="organisations.facility.minimum_staffing_changed").first()
    assert entry is not None
    assert entry.actor_id == world.manager.pk
    assert entry.data["periods"] == [[first.isoformat(), last.isoformat(), 4]]
    # Deleting the period and clearing the weekend minimum.
    emptied = staffing_post(world.dolmer, "3", "", [{**row, "DELETE": "on"}])
    assert client.post(staffing_url(world.dolmer), emptied).status_code == 302
    world.dolmer.refresh_from_db()
    assert world.dolmer.minimum_staff_weekend is None
    assert not world.dolmer.staffing_periods.exists()


def test_a_bad_period_saves_nothing_and_says_which_row_is_wrong(world: Any) -> None:
    world.dolmer.minimum_staff = 2
    world.dolmer.save()
    rows = [
        {"start_date": "2027-02-01", "end_date": "2027-02-10", "minimum": "4", "reason": ""},
        {"start_date": "2027-03-10", "end_date": "2027-03-01", "minimum": "4", "reason": ""},
    ]
    response = client_for(world.manager).post(staffing_url(world.dolmer), staffing_post(world.dolmer, "5", "", rows))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Række 2, til og med: Perioden slutter, før den begynder" in body
    world.dolmer.refresh_from_db()
    assert world.dolmer.minimum_staff == 2  # the valid change next to it is not saved either
    assert not world.dolmer.staffing_periods.exists()
    negative = staffing_post(world.dolmer, "-1", "", [])
    assert "Denne værdi skal være større end eller lig 0." in (
        client_for(world.manager).post(staffing_url(world.dolmer), negative).content.decode()
    )


def test_only_those_who_run_the_facility_may_set_its_minimum_staffing(world: Any) -> None:
    assert client_for(world.coordinator).get(staffing_url(world.dolmer)).status_code == 200
    assert client_for(world.manager).get(staffing_url(world.glesborg)).status_code == 404
    assert client_for(world.other_coordinator).get(staffing_url(world.dolmer)).status_code == 404
    for user in (world.finance, world.employee_user):
        assert client_for(user).get(staffing_url(world.dolmer)).status_code == 403
    finance_page = client_for(world.finance).get(facility_url(world.dolmer)).content.decode()
    assert 'id="edit-minimum-staffing"' not in finance_page


def test_public_holidays_are_staffed_as_weekends_on_both_sides() -> None:
    """Christmas Day 2026 is a Friday, Ascension Day 2027 a Thursday: the weekend minimum holds,
    for the facility (bookings, absence page) and for the planner, which gets the days as data."""
    facility = Facility(minimum_staff=6, minimum_staff_weekend=4)
    first, last = dt.date(2026, 12, 1), dt.date(2027, 6, 30)
    rule = StaffingRule(facility_id=1, min_staff=6, weekend_min_staff=4, holidays=public_holidays(first, last))
    christmas, boxing, ascension, ordinary = (
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 28),  # the Monday after: an ordinary weekday
        dt.date(2027, 5, 6),
        dt.date(2027, 5, 7),
    )
    assert [facility.minimum_on(d, []) for d in (christmas, boxing, ascension, ordinary)] == [4, 6, 4, 6]
    assert [rule.minimum_on(d) for d in (christmas, boxing, ascension, ordinary)] == [4, 6, 4, 6]
    # Store bededag was abolished from 2024: the fourth Friday after Easter 2027 is a weekday.
    assert facility.minimum_on(dt.date(2027, 4, 23), []) == 6
    # Without a weekend minimum, holidays are staffed as weekdays.
    assert Facility(minimum_staff=6).minimum_on(christmas, []) == 6


@pytest.mark.django_db
def test_the_minimums_of_many_facilities_are_each_facilitys_own_rule_day_by_day() -> None:
    """``minimums_by_facility`` takes a short cut for facilities without periods; it must give
    what ``minimum_on`` gives, across weekends, Christmas and New Year."""
    from styrbord.organisations.models import minimums_by_facility
    from styrbord.testing import factories

    plain = factories.facility("Uden perioder", minimum_staff=5, minimum_staff_weekend=3)
    no_weekend = factories.facility("Uden weekendminimum", minimum_staff=4)
    with_period = factories.facility("Med periode", minimum_staff=6, minimum_staff_weekend=2)
    StaffingPeriod.objects.create(
        facility=with_period, start_date=dt.date(2026, 12, 24), end_date=dt.date(2026, 12, 27), minimum=8
    )
    days = [dt.date(2026, 12, 15) + dt.timedelta(days=n) for n in range(30)]
    found = minimums_by_facility([plain, no_weekend, with_period], days)
    periods = list(with_period.staffing_periods.all())
    for day in days:
        assert found[plain.pk][day] == plain.minimum_on(day, []), day
        assert found[no_weekend.pk][day] == 4
        assert found[with_period.pk][day] == with_period.minimum_on(day, periods), day
    assert found[plain.pk][dt.date(2026, 12, 25)] == 3  # Christmas Day, a Friday
    assert found[plain.pk][dt.date(2026, 12, 24)] == 5  # Christmas Eve is a working day
    assert found[with_period.pk][dt.date(2026, 12, 25)] == 8
    assert found[with_period.pk][dt.date(2027, 1, 1)] == 2  # New Year's Day, after the period


@pytest.mark.django_db
def test_a_new_install_points_the_administrator_to_where_facilities_are_created(client) -> None:  # type: ignore[no-untyped-def]
    """No facility yet: 'Der er ingen tilbud at vise.' said nothing about what to do. The empty
    list links to the page that creates one, the footer to the administration."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("it-admin", "it@example.org", "long-password-123")
    client.force_login(admin)
    page = client.get("/tilbud/").content.decode()
    assert 'href="/tilbud/ny/" id="create-first-facility"' in page  # Styrbord's own page for it
    assert 'href="/admin/" id="administration"' in page
    catalogue = client.get("/kompetencer/").content.decode()
    assert 'href="/kompetencer/ny/"' in catalogue  # the catalogue's own page (coordinators use it too)


@pytest.mark.django_db
def test_municipalities_are_called_by_their_official_names(reference_data: None) -> None:
    from styrbord.organisations.models import Municipality

    names = {m.code: str(m) for m in Municipality.objects.filter(code__in=["0101", "0400", "0707", "0147"])}
    assert names == {
        "0101": "Københavns Kommune",
        "0400": "Bornholms Regionskommune",
        "0707": "Norddjurs Kommune",
        "0147": "Frederiksberg Kommune",
    }
