"""Planning pages for each persona: anonymous, wrong role, other tenant, right role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.planning import services
from styrbord.planning.models import PlanRun, Scenario
from styrbord.planning.tests.data import planning_setup
from styrbord.testing.fixtures import World, client_for
from styrbord.training.models import Booking

pytestmark = pytest.mark.django_db


def finished_run(world: World, **kwargs: str) -> PlanRun:
    setup = planning_setup(world, **kwargs)
    run = PlanRun.objects.create(scenario=setup.scenario, parameters=services.parameters_of(setup.scenario))
    return services.execute_run(run.pk)


def test_anonymous_users_are_sent_to_the_login(world: World) -> None:
    response = Client().get(reverse("planning:scenario_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(("persona", "status"), [("employee", 403), ("analyst", 403), ("grantor", 403)])
def test_roles_without_planning_get_no_list(world: World, persona: str, status: int) -> None:
    response = client_for(world.personas()[persona]).get(reverse("planning:scenario_list"))
    assert response.status_code == status


def test_the_coordinator_sees_the_scenario_and_its_plan(world: World) -> None:
    run = finished_run(world)
    client = client_for(world.coordinator)
    listing = client.get(reverse("planning:scenario_list"))
    assert "Konflikthåndtering 2027" in listing.content.decode()
    detail = client.get(reverse("planning:scenario_detail", args=[run.scenario_id]))
    assert detail.status_code == 200
    # The run's line says how many targets it meets, in words a coordinator reads, beside the points.
    met, total = run.targets_met  # type: ignore[misc]
    assert total == len(run.result["targets"])
    assert met == sum(1 for t in run.result["targets"] if t["met"])
    assert f"{met} af {total}" in detail.content.decode()
    assert "Krav nået" in detail.content.decode()
    page = client.get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert "Penge (budget)" in page  # the binding reason of the unmet target
    assert world.dolmer_staff[0].name in page or world.dolmer_staff[1].name in page
    assert AuditEntry.objects.filter(action="planning.plan.viewed").exists()


def test_another_municipality_gets_404(world: World) -> None:
    run = finished_run(world)
    client = client_for(world.other_coordinator)
    assert client.get(reverse("planning:scenario_detail", args=[run.scenario_id])).status_code == 404
    assert client.get(reverse("planning:run_detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("planning:run_accept", args=[run.pk])).status_code == 404
    assert client.post(reverse("planning:run_start", args=[run.scenario_id])).status_code == 404


def test_finance_reads_but_sees_no_names_and_cannot_accept(world: World) -> None:
    run = finished_run(world)
    client = client_for(world.finance)
    page = client.get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert "Tilbuddene" in page
    assert world.dolmer_staff[0].name not in page
    assert client.post(reverse("planning:run_accept", args=[run.pk])).status_code == 403  # the role may not
    assert not Booking.objects.exists()


def test_a_facility_manager_sees_only_own_staff_in_the_plan(world: World) -> None:
    run = finished_run(world, own_budget="10000.00")
    page = client_for(world.manager).get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert world.dolmer_staff[0].name in page
    assert world.glesborg_staff[0].name not in page


def test_the_coordinator_downloads_the_plan_as_xlsx_with_the_same_figures_as_the_page(world: World) -> None:
    """Four sheets: the requirements before and with the plan, the facilities, the funding and
    the seats (with names: the export is logged). Roles without export get 403, other
    municipalities 404."""
    import io

    from openpyxl import load_workbook

    run = finished_run(world)
    client = client_for(world.coordinator)
    url = reverse("planning:run_xlsx", args=[run.pk])
    page = client.get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert f'id="plan-xlsx" href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="plan-{run.number}-konflikthaandtering-2027.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Krav", "Tilbud", "Finansiering", "Pladser"]
    targets = list(book["Krav"].iter_rows(values_only=True))
    stored = run.result["targets"]
    assert [r[0] for r in targets[1:]] == [t["name"] for t in stored]
    assert [r[6] for r in targets[1:]] == ["ja" if t["met"] else "nej" for t in stored]
    assert "Penge (budget)" in [r[7] for r in targets[1:]]
    seats = list(book["Pladser"].iter_rows(values_only=True))[1:]
    assert 0 < len(seats) == run.assignments.count()
    assert sum(Decimal(str(r[6])) for r in seats) == sum(a.cost for a in run.assignments.all())
    assert {r[4] for r in seats} == {a.employee.name for a in run.assignments.all()}
    logged = AuditEntry.objects.filter(action="planning.plan.exported", kind="export")
    assert {e.subject_employee_id for e in logged} == {a.employee_id for a in run.assignments.all()}

    assert client_for(world.finance).get(url).status_code == 403  # reads plans, exports none
    assert (
        'id="plan-xlsx"'
        not in client_for(world.finance).get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    )
    assert client_for(world.other_coordinator).get(url).status_code == 404
    assert client_for(world.manager).get(url).status_code == 200  # their own seats (test_facility_scope)
    assert client_for(world.analyst).get(url).status_code == 403
    # In English the sheets and columns are English, and a facility column says "Facility".
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = load_workbook(io.BytesIO(client.get(url).content))
    assert english.sheetnames == ["Requirements", "Facilities", "Funding", "Seats"]
    assert next(english["Seats"].iter_rows(values_only=True))[:6] == (
        "Course",
        "Session",
        "First day",
        "Last day",
        "Employee",
        "Facility",
    )


def test_the_form_offers_only_the_municipality_s_facilities(world: World) -> None:
    page = client_for(world.coordinator).get(reverse("planning:scenario_create")).content.decode()
    assert "Dolmer Have" in page
    assert "Syddjurs Botilbud" not in page


def scenario_form(world: World, name: str) -> dict[str, object]:
    """The scenario form as a coordinator fills it in: Dolmer Have, a year, 3 s, 10 days."""
    return {
        "name": name,
        "facilities": [world.dolmer.pk],
        "own_budget": "0",
        "start_date": "2026-12-01",
        "horizon_end": "2027-12-31",
        "time_limit_s": "3",
        "days_cap_per_year": "10",
        "keep_accepted": "on",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit_s", "-1", "Tidsgrænsen skal være mellem 1 og 600 sekunder."),
        ("time_limit_s", "0", "Tidsgrænsen skal være mellem 1 og 600 sekunder."),
        ("time_limit_s", "601", "Tidsgrænsen skal være mellem 1 og 600 sekunder."),
        ("days_cap_per_year", "-1", "Kursusdage pr. person pr. år skal være mellem 0 og 365."),
        ("days_cap_per_year", "100000", "Kursusdage pr. person pr. år skal være mellem 0 og 365."),
    ],
)
def test_a_scenario_limit_out_of_range_gets_one_message_at_its_field(  # type: ignore[no-untyped-def]
    world: World, field, value, message
) -> None:
    data = {**scenario_form(world, "Grænser"), field: value}
    response = client_for(world.coordinator).post(reverse("planning:scenario_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Scenario.objects.filter(name="Grænser").exists()


def test_the_course_day_cap_names_the_longest_course_still_to_come(world: World) -> None:
    """A 12-day education could never be planned under the default cap of 10; the run said so
    only afterwards. The cap's help names the longest course with a session still to come."""
    from styrbord.funding.tests import helpers
    from styrbord.training.models import Course

    page = client_for(world.coordinator).get(reverse("planning:scenario_create")).content.decode()
    assert "Det længste kursus" not in page
    future = local_today() + dt.timedelta(days=30)
    session = helpers.session([future + dt.timedelta(days=n) for n in range(3)], course_name="Specialuddannelse")
    Course.objects.filter(pk=session.course_id).update(duration_days=12)
    page = client_for(world.coordinator).get(reverse("planning:scenario_create")).content.decode()
    assert "Det længste kursus med kommende hold varer 12 dage: et lavere loft udelukker det fra planen." in page


def test_the_coordinator_creates_runs_and_accepts_a_scenario(world: World, immediate_tasks: None) -> None:
    client = client_for(world.coordinator)
    response = client.post(reverse("planning:scenario_create"), scenario_form(world, "Med puljen"))
    scenario = Scenario.objects.get(name="Med puljen")
    assert response.status_code == 302
    assert list(scenario.facilities.all()) == [world.dolmer]
    setup = planning_setup(world)
    run = finished_run_for(setup.scenario)
    accepted = client.post(reverse("planning:run_accept", args=[run.pk]), {"bekraeft": "1"}, follow=True)
    assert (
        "Planen er godkendt: 3 planlagte bookinger er oprettet og fordelt på tilsagnene." in accepted.content.decode()
    )
    assert Booking.objects.count() == 3
    again = client.post(reverse("planning:run_accept", args=[run.pk]), {"bekraeft": "1"}, follow=True)  # twice
    assert "Planen er allerede godkendt. Der er ikke ændret noget." in again.content.decode()
    assert Booking.objects.count() == 3


def test_accepting_a_plan_on_own_money_does_not_say_it_was_charged_to_grants(
    world: World, immediate_tasks: None
) -> None:
    setup = planning_setup(world)
    setup.scenario.grants.clear()
    Scenario.objects.filter(pk=setup.scenario.pk).update(own_budget=Decimal("1000000"))
    run = finished_run_for(Scenario.objects.get(pk=setup.scenario.pk))
    page = client_for(world.coordinator).post(
        reverse("planning:run_accept", args=[run.pk]), {"bekraeft": "1"}, follow=True
    )
    made = Booking.objects.count()
    assert made > 0
    assert (
        f"Planen er godkendt: {made} planlagte bookinger er oprettet. Planen bruger ingen tilsagn; de betales af "
        "tilbuddenes egne midler."
    ) in page.content.decode()


def finished_run_for(scenario: Scenario) -> PlanRun:
    run = PlanRun.objects.create(scenario=scenario, parameters=services.parameters_of(scenario))
    return services.execute_run(run.pk)


def test_starting_a_run_from_the_page_redirects_to_its_progress(world: World, immediate_tasks: None) -> None:
    setup = planning_setup(world)
    client = client_for(world.coordinator)
    response = client.post(reverse("planning:run_start", args=[setup.scenario.pk]))
    run = PlanRun.objects.get(scenario=setup.scenario)
    assert response["Location"] == reverse("planning:run_detail", args=[run.pk])
    status = client.get(reverse("planning:run_status", args=[run.pk]), headers={"HX-Request": "true"})
    assert status.status_code == 200


def test_the_status_fragment_polls_while_running_and_reloads_when_done(world: World) -> None:
    setup = planning_setup(world)
    run = PlanRun.objects.create(scenario=setup.scenario, status=PlanRun.Status.RUNNING, progress=40, message="Regner")
    client = client_for(world.coordinator)
    polling = client.get(reverse("planning:run_status", args=[run.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in polling.content.decode()
    assert "HX-Refresh" not in polling
    PlanRun.objects.filter(pk=run.pk).update(status=PlanRun.Status.DONE, progress=100)
    done = client.get(reverse("planning:run_status", args=[run.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_runs_compare_side_by_side(world: World) -> None:
    run = finished_run(world)
    other = finished_run_for(run.scenario)
    response = client_for(world.coordinator).get(reverse("planning:compare"), {"koersel": [run.pk, other.pk]})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Konflikthåndtering 2027 #1") >= 2  # numbered within the scenario
    assert "Konflikthåndtering for alle" in page
    assert "Dolmer Have" in page
    assert "accepted-run" not in page
    # The accepted run is marked, in the table and among the choices.
    Scenario.objects.filter(pk=run.scenario_id).update(accepted_run=other)
    page = client_for(world.coordinator).get(reverse("planning:compare"), {"koersel": [run.pk, other.pk]})
    html = page.content.decode()
    assert html.count("accepted-run") == 1
    assert '#2</a><br><span class="badge badge-ok accepted-run">Godkendt</span>' in html
    assert ", godkendt)</label>" in html


def test_the_other_municipality_cannot_compare_our_runs(world: World) -> None:
    run = finished_run(world)
    response = client_for(world.other_coordinator).get(reverse("planning:compare"), {"koersel": [run.pk]})
    assert "Konflikthåndtering for alle" not in response.content.decode()


def test_the_comparison_opens_with_the_newest_run_of_each_scenario(world: World) -> None:
    older = finished_run(world)
    newer = finished_run_for(older.scenario)
    second = Scenario.objects.get(pk=older.scenario.pk)
    second.pk = None
    second.name = "Uden puljen"
    second.save()
    third = finished_run_for(second)
    page = client_for(world.coordinator).get(reverse("planning:compare")).content.decode()
    assert f'value="{newer.pk}" checked' in page
    assert f'value="{third.pk}" checked' in page
    assert f'value="{older.pk}" checked' not in page
    assert "Konflikthåndtering for alle" in page  # the comparison table is shown at once
    # Choosing explicitly still wins; another municipality gets nothing of ours preselected.
    chosen = client_for(world.coordinator).get(reverse("planning:compare"), {"koersel": [older.pk]}).content.decode()
    assert f'value="{older.pk}" checked' in chosen
    assert f'value="{newer.pk}" checked' not in chosen
    theirs = client_for(world.other_coordinator).get(reverse("planning:compare")).content.decode()
    assert "checked" not in theirs
    assert "Konflikthåndtering for alle" not in theirs


def test_a_negative_margin_is_flagged_and_explained_on_the_run_and_the_comparison(world: World) -> None:
    run = finished_run(world)
    rows = run.result["facilities"]
    dolmer = next(r for r in rows if r["facility"] == world.dolmer.pk)
    glesborg = next(r for r in rows if r["facility"] == world.glesborg.pk)
    dolmer.update(margin=-2, short_days=1, new_on_short_days=0, first_short_day="2027-02-03")
    glesborg.update(margin=-1, short_days=3, new_on_short_days=2, first_short_day="2027-03-10")
    PlanRun.objects.filter(pk=run.pk).update(result=run.result)
    client = client_for(world.coordinator)

    for page in (
        client.get(reverse("planning:run_detail", args=[run.pk])).content.decode(),
        client.get(reverse("planning:compare"), {"koersel": [run.pk]}).content.decode(),
    ):
        assert '<span class="badge badge-bad">-2</span>' in page
        assert (
            "Under minimum 03-02-2027 på grund af eksisterende tilmeldinger; planen lægger ingen nye pladser den dag"
            in page
        )
        assert "3 kursusdage under minimum; planen lægger 2 nye pladser på dem" in page


def test_a_facility_without_any_minimum_staffing_is_named_under_the_plan(world: World) -> None:
    """A fresh install's facilities have minimum 0 until someone sets it: the plan showed
    "Minimumsbemanding 0" for each, without saying that it may then send everyone away at once."""
    from styrbord.organisations.models import Facility

    Facility.objects.filter(pk=world.dolmer.pk).update(minimum_staff=3)
    Facility.objects.filter(pk=world.glesborg.pk).update(minimum_staff=0, minimum_staff_weekend=None)
    run = finished_run(world)
    rows = {r["facility"]: r for r in run.result["facilities"]}
    assert rows[world.dolmer.pk]["minimum_set"] is True
    assert rows[world.glesborg.pk]["minimum_set"] is False

    page = client_for(world.coordinator).get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert f"Der er ingen minimumsbemanding for {world.glesborg.name}: planen kan sende alle af sted samme dag." in page
    assert "ikke angivet" in page

    for row in run.result["facilities"]:  # a run stored before this was kept says nothing
        row.pop("minimum_set")
    PlanRun.objects.filter(pk=run.pk).update(result=run.result)
    older = client_for(world.coordinator).get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert "Der er ingen minimumsbemanding" not in older


def test_an_older_result_without_the_short_days_still_shows_its_margin(world: World) -> None:
    run = finished_run(world)
    for row in run.result["facilities"]:
        for key in ("short_days", "new_on_short_days", "first_short_day"):
            row.pop(key, None)
        row["margin"] = -1
    PlanRun.objects.filter(pk=run.pk).update(result=run.result)

    page = client_for(world.coordinator).get(reverse("planning:run_detail", args=[run.pk])).content.decode()

    assert '<span class="badge badge-bad">-1</span>' in page
    assert "Under minimum" not in page


def test_the_own_budget_is_written_and_shown_the_danish_way(world: World) -> None:
    client = client_for(world.coordinator)
    form = client.get(reverse("planning:scenario_create")).content.decode()
    assert 'name="own_budget" value="0,00"' in form
    assert 'class="stacked card"' in form

    response = client.post(
        reverse("planning:scenario_create"),
        {
            "name": "Egen kasse",
            "own_budget": "2500,50",
            "start_date": "2026-12-01",
            "horizon_end": "2027-12-31",
            "time_limit_s": "3",
            "days_cap_per_year": "10",
        },
    )

    assert response.status_code == 302
    scenario = Scenario.objects.get(name="Egen kasse")
    assert scenario.own_budget == Decimal("2500.50")
    edit = client.get(reverse("planning:scenario_edit", args=[scenario.pk])).content.decode()
    assert 'name="own_budget" value="2500,50"' in edit


def test_a_stored_run_reads_in_the_readers_language(world: World) -> None:
    """The run is solved and stored once (in Danish, by a worker); its rules, the reasons a
    target is missed and the scenario's own money are worded again for each reader."""
    run = finished_run(world, grant_kr="5000.00", own_budget="1000.00")  # too little money
    stored = run.result
    assert any(t["reason"] == "budget" for t in stored["targets"])
    assert {g["name"] for g in stored["grants"] if g["grant"] == 0} == {"Egen finansiering"}
    client = client_for(world.coordinator)
    url = reverse("planning:run_detail", args=[run.pk])
    danish = client.get(url).content.decode()
    assert "Penge (budget)" in danish
    assert "Egen finansiering" in danish
    assert "Alle personer" in danish
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Money (budget)" in english
    assert "Own funding" in english
    assert "Every person" in english
    for words in ("Penge (budget)", "Egen finansiering", "Alle personer"):
        assert words not in english
    # A run stored before the rule's parameters were kept shows its stored words.
    for target in stored["targets"]:
        del target["rule_parameters"]
    run.result = stored
    run.save(update_fields=["result"])
    assert "Alle personer" in client.get(url).content.decode()


def test_a_national_requirements_scope_is_worded_for_the_reader() -> None:
    from django.utils import translation

    from styrbord.planning.compare import present

    stored = {"targets": [{"requirement": 1, "name": "X", "scope": "Hele landet", "scope_level": "national"}]}
    municipal = {
        "targets": [{"requirement": 2, "name": "Y", "scope": "Norddjurs Kommune", "scope_level": "municipality"}]
    }
    with translation.override("en"):
        assert present(stored)["targets"][0]["scope"] == "The whole country"
        assert present(municipal)["targets"][0]["scope"] == "Norddjurs Kommune"
    with translation.override("da"):
        assert present(stored)["targets"][0]["scope"] == "Hele landet"


def test_a_runs_status_is_stored_in_danish_and_shown_in_the_readers_language(world: World) -> None:
    """A run started from an English session, or run by a worker, keeps its status text in one
    language; each reader sees it in their own."""
    from django.utils import translation

    setup = planning_setup(world)
    with translation.override("en"):
        run = services.start_run(setup.scenario, world.coordinator)
        assert run.message == "Venter på en ledig beregner"  # the badge says "I kø"; the text says more
        done = services.execute_run(run.pk)
    assert done.message == "Færdig"
    active = PlanRun.objects.create(
        scenario=setup.scenario, status=PlanRun.Status.RUNNING, progress=40, message="Forbedrer planen"
    )
    client = client_for(world.coordinator)
    url = reverse("planning:run_status", args=[active.pk])
    assert "Forbedrer planen" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Improving the plan" in english
    assert "Forbedrer planen" not in english


def test_a_running_plans_bar_follows_the_clock_between_the_solvers_reports(world: World) -> None:
    """The solver reports only when it finds a better plan: the bar stood at 5 % for the whole time
    limit. Between reports it now moves with the time used of the limit, and says how long."""
    import datetime as dt
    import re

    from django.utils import timezone

    setup = planning_setup(world)
    started = timezone.now() - dt.timedelta(seconds=10)
    run = PlanRun.objects.create(
        scenario=setup.scenario,
        status=PlanRun.Status.RUNNING,
        progress=5,
        message="Første plan fundet",
        started_at=started,
        parameters={"time_limit_s": 20},
    )
    at = started + dt.timedelta(seconds=10)
    assert run.progress_now(at) == 50  # 5 + 90 x 10/20
    assert run.progress_now(started + dt.timedelta(seconds=60)) == 95  # never done by the clock alone
    run.progress = 70  # a report ahead of the clock wins
    assert run.progress_now(at) == 70
    run.progress = 5
    run.save()
    html = client_for(world.coordinator).get(reverse("planning:run_status", args=[run.pk])).content.decode()
    value = int(re.search(r'<progress max="100" value="(\d+)"', html).group(1))  # type: ignore[union-attr]
    assert 50 <= value <= 95
    assert re.search(r'id="run-clock">1\d s af højst 20 s<', html)
    run.status = PlanRun.Status.DONE
    assert run.progress_now(at) == run.progress


def test_each_compared_run_shows_its_own_deadline_and_coverage_without_a_plan(world: World) -> None:
    """A requirement without a deadline is due at each run's horizon, and a run's facilities decide
    who counts without the plan: the comparison does not lend the first run's to the others."""
    import datetime as dt

    setup = planning_setup(world)
    setup.requirement.deadline = None
    setup.requirement.save()
    Scenario.objects.filter(pk=setup.scenario.pk).update(horizon_end=dt.date(2027, 6, 30))
    short = finished_run_for(Scenario.objects.get(pk=setup.scenario.pk))
    scenario = Scenario.objects.get(pk=setup.scenario.pk)
    scenario.pk = None
    scenario.name = "Hele året"
    scenario.horizon_end = dt.date(2027, 12, 31)
    scenario.save()
    scenario.facilities.set([world.dolmer, world.glesborg])
    scenario.grants.set([setup.grant])
    long = finished_run_for(scenario)
    for run, baseline in ((short, 0.36), (long, 0.22)):
        for target in run.result["targets"]:
            target["baseline_attainment"] = baseline
        PlanRun.objects.filter(pk=run.pk).update(result=run.result)

    page = client_for(world.coordinator).get(reverse("planning:compare"), {"koersel": [short.pk, long.pk]})
    html = page.content.decode()

    assert "frist 30-06-2027 · uden plan 36 %" in html
    assert "frist 31-12-2027 · uden plan 22 %" in html
    assert 'id="compare-per-run"' in html
    assert "Det skyldes forskelle i periode." in html  # what differs, from the runs' stored inputs
    row = page.context["table"]["targets"][0]
    assert row["deadline_date"] is None
    assert row["baseline_pct"] is None
    # Runs that agree share one deadline and one figure, shown once.
    same = client_for(world.coordinator).get(reverse("planning:compare"), {"koersel": [long.pk]})
    assert same.context["table"]["targets"][0]["baseline_pct"] == pytest.approx(22)
    assert "uden plan 22 %" not in same.content.decode()
    assert 'id="compare-per-run"' not in same.content.decode()


def test_the_scenario_list_shows_an_accepted_scenarios_accepted_run(world: World) -> None:
    """An accepted scenario's points and cost are its accepted plan's, not those of a newer draft
    run; the newer run is named beside it."""
    setup = planning_setup(world)
    accepted = finished_run_for(setup.scenario)
    services.accept_run(accepted, world.coordinator)
    newer = finished_run_for(Scenario.objects.get(pk=setup.scenario.pk))
    PlanRun.objects.filter(pk=accepted.pk).update(points=990, cost=Decimal("299531.00"))
    PlanRun.objects.filter(pk=newer.pk).update(points=1016, cost=Decimal("277916.00"))

    page = client_for(world.coordinator).get(reverse("planning:scenario_list")).content.decode()

    assert "299.531" in page
    assert "277.916" not in page
    assert "1.016" not in page
    assert f'Godkendt kørsel: <a href="{reverse("planning:run_detail", args=[accepted.pk])}">#1' in page
    assert f'Nyere kørsel, ikke godkendt: <a href="{reverse("planning:run_detail", args=[newer.pk])}">' in page
    # A draft scenario shows its latest run, as before.
    Scenario.objects.filter(pk=setup.scenario.pk).update(status=Scenario.Status.DRAFT, accepted_run=None)
    draft = client_for(world.coordinator).get(reverse("planning:scenario_list")).content.decode()
    assert "277.916" in draft
    assert f'Seneste kørsel: <a href="{reverse("planning:run_detail", args=[newer.pk])}">#2' in draft


def _new_seats(run: PlanRun) -> list[Any]:
    return list(run.assignments.filter(existing=False, booking__isnull=True))


def _grant_share(seats: list[Any]) -> Decimal:
    return sum((Decimal(c["amount"]) for s in seats for c in s.charges if int(c["grant"]) != 0), Decimal("0"))


def test_accepting_a_plan_asks_for_confirmation_with_its_bookings_cost_and_funding(world: World) -> None:
    """The plan's button leads to a summary (new planned bookings, their cost, what each grant
    and the facilities' own money pay) with the button that accepts; a POST without it books nothing."""
    from styrbord.lib.formatting import format_kr

    setup = planning_setup(world, own_budget="10000.00")
    run = finished_run_for(setup.scenario)
    client = client_for(world.coordinator)
    confirm = reverse("planning:run_confirm", args=[run.pk])
    accept = reverse("planning:run_accept", args=[run.pk])
    detail = client.get(reverse("planning:run_detail", args=[run.pk])).content.decode()
    assert f'id="plan-accept" href="{confirm}"' in detail
    assert f'action="{accept}"' not in detail  # no longer one click
    seats = _new_seats(run)
    cost = sum((s.cost for s in seats), Decimal("0"))
    paid = _grant_share(seats)
    assert len(seats) > 1
    assert paid > 0

    page = client.get(confirm).content.decode()

    assert (
        f"Godkendelsen opretter {len(seats)} planlagte bookinger til i alt {format_kr(cost)}<" in page
    )  # one full stop: "kr."
    assert f'<td>{setup.grant}</td><td class="num">{format_kr(paid)}</td>' in page
    assert f'<td>Tilbuddenes egne midler</td><td class="num">{format_kr(cost - paid)}</td>' in page
    assert f"Godkend og opret {len(seats)} planlagte bookinger" in page
    # A POST without the confirmation (a page from before, a script) shows the step and books nothing.
    skipped = client.post(accept)
    assert skipped.status_code == 302
    assert skipped["Location"] == confirm
    assert not Booking.objects.exists()
    client.post(accept, {"bekraeft": "1"})
    assert Booking.objects.count() == len(seats)
    # Accepted: the step says so and offers no button; the run's protections stay.
    done = client.get(confirm).content.decode()
    assert "Planen er allerede godkendt." in done
    assert 'name="bekraeft"' not in done
    assert client_for(world.finance).get(confirm).status_code == 403
    assert client_for(world.other_coordinator).get(confirm).status_code == 404


def test_the_confirmation_offers_no_button_for_a_run_that_a_newer_one_replaced(world: World) -> None:
    setup = planning_setup(world)
    older = finished_run_for(setup.scenario)
    finished_run_for(setup.scenario)
    page = client_for(world.coordinator).get(reverse("planning:run_confirm", args=[older.pk])).content.decode()
    assert "Der er en nyere kørsel af scenariet." in page
    assert 'name="bekraeft"' not in page
    # The run's own page offers no button to a step that would refuse, and says why.
    detail = client_for(world.coordinator).get(reverse("planning:run_detail", args=[older.pk])).content.decode()
    assert 'id="plan-accept"' not in detail
    assert 'id="plan-not-acceptable">Der er en nyere kørsel af scenariet.' in detail


def test_the_confirmation_says_when_the_plans_sessions_were_cancelled_or_filled_since(world: World) -> None:
    """The page showed the plan's bookings and cost for a plan on a session cancelled since, and only
    the click said 'Holdet er aflyst'; now the page says so and offers no button."""
    from styrbord.training.services import book

    setup = planning_setup(world)
    run = finished_run_for(setup.scenario)
    session = _new_seats(run)[0].session
    client = client_for(world.coordinator)
    assert 'name="bekraeft"' in client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    for person in world.syddjurs_staff[: session.capacity]:
        book(person, session, status="booked")
    page = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    assert "holdene er fyldt op siden kørslen" in page
    assert 'name="bekraeft"' not in page
    type(session).objects.filter(pk=session.pk).update(cancelled=True)
    page = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    assert "er aflyst siden kørslen. Kør scenariet igen." in page
    assert 'name="bekraeft"' not in page


def test_accepting_one_booking_says_so_in_the_singular(world: World) -> None:
    setup = planning_setup(world)
    run = finished_run_for(setup.scenario)
    seats = _new_seats(run)
    kept = next(s for s in seats if _grant_share([s]) > 0)
    run.assignments.exclude(pk=kept.pk).delete()
    client = client_for(world.coordinator)
    confirm = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    assert "Godkendelsen opretter 1 planlagt booking til i alt" in confirm
    page = client.post(reverse("planning:run_accept", args=[run.pk]), {"bekraeft": "1"}, follow=True)
    assert "Planen er godkendt: 1 planlagt booking er oprettet og fordelt på tilsagnene." in page.content.decode()


def test_a_scenario_starting_today_is_not_said_to_have_passed(world: World) -> None:
    """On the scenario's 'plan from' day (01-12-2026, the tests' today) the start has not passed;
    the page says that new courses are planned from tomorrow. The day after, it has passed."""
    import datetime as dt

    import time_machine

    setup = planning_setup(world)
    client = client_for(world.coordinator)
    url = reverse("planning:scenario_detail", args=[setup.scenario.pk])
    page = client.get(url).content.decode()
    assert "er passeret" not in page
    assert "Planlæg fra er i dag. En ny kørsel planlægger hold, der begynder i morgen (02-12-2026) eller senere" in page
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(world.coordinator)
        later = client.get(url).content.decode()
    assert "Planlæg fra (01-12-2026) er passeret." in later
    assert "Planlæg fra er i dag" not in later


def test_the_scenario_form_shows_what_each_grant_has_left_and_warns_of_a_spent_one(world: World) -> None:
    """A grant spent by bookings already charged to it gives a plan nothing: its choice says what
    is left, and saving a scenario with a spent grant says the plan cannot use it."""
    import datetime as dt

    from styrbord.funding.models import Grant
    from styrbord.funding.services.ledger import post_actual
    from styrbord.funding.services.setup import create_grant
    from styrbord.lib.costs import CostCategory

    setup = planning_setup(world)
    spent = create_grant(Grant(pool=setup.pool, facility=world.glesborg, amount=Decimal("5000.00")), None)
    post_actual(spent, CostCategory.FEE, Decimal("5000.00"), dt.date(2026, 11, 2), None, text="Kursus")
    post_actual(setup.grant, CostCategory.FEE, Decimal("1500.00"), dt.date(2026, 11, 2), None, text="Kursus")
    client = client_for(world.coordinator)

    form = client.get(reverse("planning:scenario_edit", args=[setup.scenario.pk])).content.decode()

    assert f"{setup.grant} (18.500 kr. tilbage af 20.000 kr.)" in form
    assert f"{spent} (intet tilbage)" in form
    saved = client.post(
        reverse("planning:scenario_edit", args=[setup.scenario.pk]),
        {
            "name": setup.scenario.name,
            "facilities": [world.dolmer.pk, world.glesborg.pk],
            "grants": [setup.grant.pk, spent.pk],
            "own_budget": "0",
            "start_date": "2026-12-01",
            "horizon_end": "2027-12-31",
            "time_limit_s": "3",
            "days_cap_per_year": "10",
        },
        follow=True,
    ).content.decode()
    assert f"Tilsagnet {spent} har intet tilbage, så planen kan ikke bruge af det." in saved
    assert str(setup.grant) + " har intet" not in saved


# --- the confirmation: the seats per session, and the grants as they are now -------------------


def _row_of(page: str, label: str) -> str:
    """The body row of the sessions table whose first cell starts with ``label``."""
    import re

    table = page[page.index('id="accept-sessions"') :]
    table = table[: table.index("</table>")]
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S) if r.startswith(f"<td>{label}")]
    assert len(rows) == 1, rows
    return rows[0]


def test_the_confirmation_lists_each_session_with_its_new_seats_their_cost_and_people(world: World) -> None:
    """Below the funding: one row a session with new seats, by first day, with its dates, where it
    is held (the provider, or the facility of an in-house day, and the place), the number of new
    seats and their cost; the people (name, facility) are folded into a <details>, and the access is
    logged as the run's page logs it."""
    import re

    from styrbord.lib.formatting import format_kr
    from styrbord.training.models import Session

    setup = planning_setup(world, own_budget="10000.00")
    run = finished_run_for(setup.scenario)
    first, second = setup.sessions
    Session.objects.filter(pk=first.pk).update(place="Aarhus")
    Session.objects.filter(pk=second.pk).update(facility=world.dolmer, place="Mødelokalet")  # an in-house day
    seats = _new_seats(run)
    by_session = {s.pk: [a for a in seats if a.session_id == s.pk] for s in setup.sessions}
    assert all(by_session.values())  # both sessions get new seats
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    page = client_for(world.coordinator).get(reverse("planning:run_confirm", args=[run.pk])).content.decode()

    assert page.index('id="accept-funding"') < page.index('id="accept-sessions"')
    assert page.index("Konflikthåndtering – Hold 1") < page.index("Konflikthåndtering – Hold 2")  # by first day
    where = {first.pk: "VIA University College, Aarhus", second.pk: "Dolmer Have, Mødelokalet"}
    for session, day in zip(setup.sessions, ("03-02-2027", "10-03-2027"), strict=True):
        row = _row_of(page, f"Konflikthåndtering – {session.name}")
        mine = by_session[session.pk]
        cost = sum((a.cost for a in mine), Decimal("0"))
        assert f'<td><span class="nowrap">{day}</span></td>' in row  # a one-day session: one date
        assert (
            f'<td>{where[session.pk]}</td><td class="num">{len(mine)}</td><td class="num">{format_kr(cost)}</td>' in row
        )
        details = re.search(r"<details>(.*)</details>", row, flags=re.S)
        assert details is not None
        for seat in mine:
            assert f"<li>{seat.employee.name} ({seat.employment.facility.name})</li>" in details.group(1)
        assert details.group(1).count("<li>") == len(mine)
    # The names are only inside the folded lists.
    folded = re.sub(r"<details>.*?</details>", "", page, flags=re.S)
    for seat in seats:
        assert seat.employee.name not in folded
    total = f'<th scope="row" colspan="3">I alt</th><td class="num">{len(seats)}</td>'
    assert total in page
    logged = AuditEntry.objects.filter(action="planning.plan.viewed", pk__gt=before)
    assert sorted(logged.values_list("subject_employee_id", flat=True)) == sorted(s.employee_id for s in seats)


def test_the_confirmation_reads_the_seats_in_a_fixed_number_of_queries(world: World) -> None:
    """The seats table is set-based: five new seats cost no more queries than two on the same sessions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup = planning_setup(world, own_budget="10000.00")
    run = finished_run_for(setup.scenario)
    client = client_for(world.coordinator)
    url = reverse("planning:run_confirm", args=[run.pk])
    client.get(url)  # the session, the user: warm
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    seats = _new_seats(run)
    keep = {next(s.pk for s in seats if s.session_id == session.pk) for session in setup.sessions}
    assert len(seats) > len(keep) == 2
    run.assignments.exclude(pk__in=keep).delete()
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    table = page[page.index('id="accept-sessions"') :]
    assert table[: table.index("</table>")].count("<li>") == 2
    assert len(many.captured_queries) == len(few.captured_queries)


def _spend(grant: Any, amount: Decimal) -> None:
    """Spending on the grant by someone else after the run (an invoice posted on it)."""
    import datetime as dt

    from styrbord.funding.services.ledger import post_actual
    from styrbord.lib.costs import CostCategory

    post_actual(grant, CostCategory.FEE, amount, dt.date(2026, 11, 20), None, text="Anden kursusudgift")


@pytest.mark.parametrize("short", [Decimal("0.00"), Decimal("0.01")])
def test_the_confirmation_says_in_advance_whether_a_spent_down_grant_refuses_the_acceptance(
    world: World, short: Decimal
) -> None:
    """The grant was spent after the run. Accepting charges it seat by seat, and the first charge it
    cannot take (funding refuses to overdraw a grant) refuses the whole acceptance: nothing is
    booked. The page says that before the click, naming the grant, what is left, what the plan
    counts on and the difference; when what is left just covers the plan, it offers the button, and
    accepting then charges the grant to its last øre."""
    from django.db.models import Sum

    from styrbord.funding.models import LedgerEntry
    from styrbord.funding.services.balances import balances_for

    setup = planning_setup(world)
    run = finished_run_for(setup.scenario)
    planned = _grant_share(_new_seats(run))
    assert Decimal("0") < planned < setup.grant.amount
    _spend(setup.grant, setup.grant.amount - planned + short)
    left = planned - short
    client = client_for(world.coordinator)

    page = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    response = client.post(reverse("planning:run_accept", args=[run.pk]), {"bekraeft": "1"}, follow=True)
    after = response.content.decode()

    spent_on_plan = LedgerEntry.objects.filter(grant=setup.grant, booking__isnull=False).aggregate(s=Sum("amount"))["s"]
    if short:
        assert 'id="accept-refused"' in page
        assert 'name="bekraeft"' not in page
        assert (
            "Planen kan ikke godkendes: tilsagnet kan ikke længere betale det, planen regner med "
            f"({setup.grant} har 12.239,99 kr. tilbage, planen regner med 12.240 kr.: 0,01 kr. for lidt). "
            "Kør scenariet igen."
        ) in page
        assert (left, planned) == (Decimal("12239.99"), Decimal("12240.00"))  # the figures above
        assert 'id="accept-sessions"' not in page
        # And so it is: accepting is refused by the grant, and nothing is booked or charged.
        assert "kan ikke finansieres" in after
        assert "ville overtrække det med 0,01 kr." in after
        assert not Booking.objects.exists()
        assert spent_on_plan is None
        # The run's own page offers no button either, and says why.
        detail = client.get(reverse("planning:run_detail", args=[run.pk])).content.decode()
        assert 'id="plan-accept"' not in detail
        assert f"{setup.grant} har 12.239,99 kr. tilbage" in detail
    else:
        assert 'id="accept-refused"' not in page
        assert "for lidt" not in page
        assert 'name="bekraeft"' in page
        # What is left now is exactly what the plan counts on.
        assert f'<td>{setup.grant}</td><td class="num">12.240 kr.</td><td class="num">12.240 kr.</td>' in page
        assert "Planen er godkendt" in after
        assert Booking.objects.count() == len(run.assignments.filter(existing=False))
        assert spent_on_plan == planned
        assert balances_for(setup.grant).remaining == Decimal("0.00")


def test_the_confirmation_shows_what_each_grant_has_left_now(world: World) -> None:
    """Not what it had when the run was made: an invoice posted since is taken off."""
    from styrbord.lib.formatting import format_kr

    setup = planning_setup(world)
    run = finished_run_for(setup.scenario)
    planned = _grant_share(_new_seats(run))
    client = client_for(world.coordinator)
    page = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    row = f'<td>{setup.grant}</td><td class="num">{format_kr(planned)}</td><td class="num">%s</td>'
    assert row % "20.000 kr." in page
    _spend(setup.grant, Decimal("1500.50"))
    page = client.get(reverse("planning:run_confirm", args=[run.pk])).content.decode()
    assert row % "18.499,50 kr." in page  # to the øre
    assert 'name="bekraeft"' in page


def test_the_confirmation_in_english(world: World) -> None:
    setup = planning_setup(world)
    run = finished_run_for(setup.scenario)
    client = client_for(world.coordinator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = reverse("planning:run_confirm", args=[run.pk])
    page = client.get(url).content.decode()
    for text in ("The new seats by session", '<th scope="col">Dates</th>', '<th scope="col">Place</th>'):
        assert text in page
    assert "Left on the grant now" in page
    assert "Show the participants" in page
    assert "03 Feb 2027" in page
    for danish in ("De nye pladser pr. hold", "Vis deltagerne", "Tilbage på tilsagnet nu", "Datoer"):
        assert danish not in page
    _spend(setup.grant, setup.grant.amount - _grant_share(_new_seats(run)) + Decimal("100"))
    refused = client.get(url).content.decode()
    assert (
        "The plan cannot be accepted: the grant can no longer pay what the plan counts on "
        f"({setup.grant} has DKK 12,140 left and the plan counts on DKK 12,240: DKK 100 short). "
        "Run the scenario again."
    ) in refused
