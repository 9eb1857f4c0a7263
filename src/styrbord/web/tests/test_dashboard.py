"""The landing page's attention panels: real figures, and only from the user's own scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from styrbord.lib.dates import local_today, public_holiday
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.web.dashboard import STAFFING_DAYS, dashboard_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(world: World) -> dict[str, Any]:
    """Everyone must hold the competence; one person at each facility holds it, expiring in 30 days."""
    today = local_today()
    comp = factories.competence(name="Konflikthåndtering", validity_months=24)
    dolmer_req = requirement([comp], facility=world.dolmer, name="Dolmer: alle i konflikthåndtering")
    glesborg_req = requirement([comp], facility=world.glesborg, name="Glesborg: alle i konflikthåndtering")
    for people in (world.dolmer_staff, world.glesborg_staff):
        factories.holding(people[0], comp, today - dt.timedelta(days=700), today + dt.timedelta(days=30))
    return {"today": today, "dolmer": dolmer_req, "glesborg": glesborg_req}


def test_a_coordinator_sees_every_facility_short_of_its_target(world: World, gaps: dict[str, Any]) -> None:
    board = dashboard_for(world.coordinator, gaps["today"])
    assert board.coverage is not None
    shown = {(row.facility.name, row.requirement.name) for row in board.coverage.furthest}
    assert shown == {
        ("Dolmer Have", "Dolmer: alle i konflikthåndtering"),
        ("Bofællesskaberne Glesborg", "Glesborg: alle i konflikthåndtering"),
    }
    assert board.coverage.far == 2
    assert board.coverage.met == 0
    # Dolmer: 1 of 3 (33 %) is further from 100 % than Glesborg's 1 of 2 (50 %).
    assert board.coverage.furthest[0].facility == world.dolmer
    assert board.expiring == 2
    assert not board.coverage.one_facility


def test_a_facility_manager_sees_only_the_own_facility(world: World, gaps: dict[str, Any]) -> None:
    board = dashboard_for(world.manager, gaps["today"])
    assert board.coverage is not None
    assert {row.facility for row in board.coverage.furthest} == {world.dolmer}
    assert board.expiring == 1
    # One facility: the panel names the requirements and links each to its gap list.
    assert board.coverage.one_facility
    client = Client()
    client.force_login(world.manager)
    html = client.get("/").content.decode()
    gap_list = f"/krav/tilbud/{world.dolmer.pk}/mangler/?krav={gaps['dolmer'].pk}"
    assert f'<a href="{gap_list}">Dolmer: alle i konflikthåndtering</a>' in html


def test_the_expiring_tile_counts_the_rows_of_the_page_it_opens(world: World, gaps: dict[str, Any]) -> None:
    """A certificate already renewed, or held by someone whose employment has ended, lapses
    without anyone to remind: the page leaves it out, and so does the tile that links to it."""
    today, comp = gaps["today"], factories.competence(name="Førstehjælp", validity_months=24)
    renewed = world.dolmer_staff[1]
    factories.holding(renewed, comp, today - dt.timedelta(days=700), today + dt.timedelta(days=20))
    factories.holding(renewed, comp, today - dt.timedelta(days=5), today + dt.timedelta(days=725))
    gone = world.dolmer_staff[2]
    gone.employments.update(end_date=today - dt.timedelta(days=1))
    factories.holding(gone, comp, today - dt.timedelta(days=700), today + dt.timedelta(days=10))
    client = Client()
    client.force_login(world.manager)
    page = client.get("/kompetencer/udloeber/").content.decode()
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr")
    assert rows == 1  # the Dolmer holding of the fixture
    assert dashboard_for(world.manager, today).expiring == rows
    # One certificate: the tile's label is in the singular.
    tile = client.get("/").content.decode().split('id="expiring-count">', 1)[1].split("</a>", 1)[0]
    assert tile == '<span class="value">1</span><span class="label">kompetencebevis udløber inden for 90 dage</span>'


def test_an_analyst_gets_no_person_level_panels(world: World, gaps: dict[str, Any]) -> None:
    board = dashboard_for(world.analyst, gaps["today"])
    assert board.coverage is None
    assert board.expiring is None
    assert board.courses is None
    assert board.funding is None
    assert board.targets is None  # two facilities' own requirements: no shared target
    assert board.empty


def test_an_analyst_sees_the_regions_shared_targets_summed_and_suppressed(world: World, gaps: dict[str, Any]) -> None:
    from styrbord.requirements.models import ScopeLevel

    today, comp = gaps["today"], factories.competence(name="KRAP")
    region = world.dolmer.municipality.region
    regional = requirement([comp], scope_level=ScopeLevel.REGION, region=region, name="Regionalt mål: KRAP")
    requirement(
        [comp], scope_level=ScopeLevel.REGION, region=world.kbh_facility.municipality.region, name="Hovedstaden"
    )
    for person in world.dolmer_staff[:2] + world.glesborg_staff[:1]:
        factories.holding(person, comp, today - dt.timedelta(days=70))
    board = dashboard_for(world.analyst, today)
    assert board.targets is not None
    assert board.targets.total == 1
    # A month end's figures, as on /krav/samlet/: two days cannot be subtracted to find one person.
    on = board.targets.on
    assert on is not None
    assert (on + dt.timedelta(days=1)).day == 1
    assert on <= today
    [(req, total)] = board.targets.rows
    # Norddjurs 5 people (3 hold it) and Syddjurs 2: 3 of 7 in the region. The 7 show, but a share
    # of 42,9 % would tell that 3 hold it and 4 do not: hidden.
    assert req == regional
    assert (total.in_scope, total.share, total.status) == (7, None, "hidden")
    client = Client()
    client.force_login(world.analyst)
    html = client.get("/").content.decode()
    assert f'<a href="/krav/samlet/?krav={regional.pk}">Regionalt mål: KRAP</a>' in html
    assert ".. / 100 %" in html
    for person in world.dolmer_staff[2:] + world.glesborg_staff[1:] + world.syddjurs_staff:
        factories.holding(person, comp, today - dt.timedelta(days=70))
    [(_, total)] = dashboard_for(world.analyst, today).targets.rows  # type: ignore[union-attr]
    # All 7 hold it: none missing it tells it of each of the 7, so the share stays hidden.
    assert (total.in_scope, total.share, total.status) == (7, None, "hidden")
    assert "Hovedstaden" not in html
    # A coordinator has the heat map instead.
    assert dashboard_for(world.coordinator, today).targets is None


def test_the_page_shows_the_panels_for_a_manager_and_nothing_from_another_facility(
    world: World, gaps: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(world.manager)
    html = client.get("/").content.decode()
    assert "Det kræver opmærksomhed" in html
    assert "Dolmer: alle i konflikthåndtering" in html
    assert "Glesborg: alle i konflikthåndtering" not in html
    assert 'id="expiring-count"' in html
    assert 'id="attention"' in html


def test_each_funding_warning_names_and_links_its_grant(world: World) -> None:
    """Two grants with the same budget line deviating: each line says which grant it is about."""
    from styrbord.funding.services.ledger import post_actual
    from styrbord.funding.tests import helpers
    from styrbord.lib.costs import CostCategory

    shared = helpers.pool(name="Forebyggelse af vold")
    grants = {}
    for facility in (world.dolmer, world.glesborg):
        grant = helpers.grant(shared, facility, amount="300000")
        helpers.budget(grant, {(CostCategory.FEE, 2025): "10000"})
        post_actual(grant, CostCategory.FEE, Decimal("150000"), dt.date(2025, 5, 1), world.finance)
        grants[facility.name] = grant
    client = Client()
    client.force_login(world.finance)
    html = client.get("/").content.decode()
    panel = html[html.index('id="funding-warnings"') :]
    panel = panel[: panel.index("</ul>")]
    for name, grant in grants.items():
        assert f'<a href="/oekonomi/tilsagn/{grant.pk}/">{name} (Forebyggelse af vold)</a>:' in panel
    assert panel.count("Budgetlinjen Kursusgebyr 2025 blev overskredet") == 2  # the year is over
    # On the pool's own page each warning names its recipient too (the pool goes without saying).
    pool_page = client.get(f"/oekonomi/puljer/{shared.pk}/").content.decode()
    warnings = pool_page[pool_page.index('class="warnings"') :]
    warnings = warnings[: warnings.index("</ul>")]
    for name, grant in grants.items():
        assert f'<a href="/oekonomi/tilsagn/{grant.pk}/">{name}</a>: Budgetlinjen Kursusgebyr 2025' in warnings
    # The grant's own page needs no name in front.
    grant_page = client.get(f"/oekonomi/tilsagn/{grants['Dolmer Have'].pk}/").content.decode()
    assert "</span> Budgetlinjen Kursusgebyr 2025" in grant_page


def test_days_under_the_minimum_staffing_ahead_are_counted_per_facility_and_day(world: World) -> None:
    """Dolmer Have (three staff) needs three at work in a period starting in five days; a booking
    there takes one away on two of its days. Glesborg's own shortage is not the manager's."""
    today = local_today()
    from styrbord.organisations.models import StaffingPeriod
    from styrbord.training import services
    from styrbord.training.tests import helpers

    first = today + dt.timedelta(days=5)
    StaffingPeriod.objects.create(
        facility=world.dolmer, start_date=first, end_date=first + dt.timedelta(days=1), minimum=3, reason="1:1"
    )
    session = helpers.session(helpers.course(name="KRAP"), days=[first, first + dt.timedelta(days=1)])
    services.book(world.dolmer_staff[0], session)
    world.glesborg.minimum_staff = len(world.glesborg_staff) + 1  # short every day
    world.glesborg.minimum_staff_weekend = 0
    world.glesborg.save()

    board = dashboard_for(world.manager, today)
    assert board.staffing is not None
    assert [(w.date, w.facility_name, w.remaining, w.minimum) for w in board.staffing.days] == [
        (first, "Dolmer Have", 2, 3),
        (first + dt.timedelta(days=1), "Dolmer Have", 2, 3),
    ]
    coordinator = dashboard_for(world.coordinator, today).staffing
    assert coordinator is not None
    days = [today + dt.timedelta(days=n) for n in range(STAFFING_DAYS)]
    weekdays = sum(1 for d in days if d.weekday() < 5 and public_holiday(d) is None)
    assert coordinator.total == 2 + weekdays  # Glesborg on every weekday, none at weekends or on holidays
    assert dashboard_for(world.analyst, today).staffing is None

    client = Client()
    client.force_login(world.manager)
    page = client.get("/").content.decode()
    assert 'id="understaffed-count"><span class="value">2</span><span class="label">dage under' in page
    # The count opens the first short day's facility and month (it opened this month, empty).
    card = page.split('id="understaffed-count"', 1)[0].rsplit("<a ", 1)[1]
    assert f'href="/kurser/fravaer/?facility={world.dolmer.pk}&amp;month={first:%Y-%m}"' in card
    assert f"?facility={world.dolmer.pk}&amp;month={first:%Y-%m}" in page
    assert "De første" not in page  # both days are in the panel
    # The coordinator's panel shows the first five and says how many there are and where.
    client.force_login(world.coordinator)
    page = client.get("/").content.decode()
    assert page.split('id="understaffed"', 1)[1].split("</tbody>", 1)[0].count("<tr>") == 5 + 1  # with the header
    assert f"De første 5 af {coordinator.total} dage: se Fravær og bemanding" in page


def test_running_programmes_are_listed_by_their_next_day_and_an_employee_sees_only_their_own(world: World) -> None:
    """A 45-day programme that began a month ago still takes people away: it is listed by its next
    day. A session whose only booking here was cancelled is not. An employee gets their own days."""
    from styrbord.training import services
    from styrbord.training.models import BookingStatus
    from styrbord.training.tests import helpers

    today = local_today()
    running = helpers.session(
        helpers.course(name="Recovery"), days=[today - dt.timedelta(days=30), today + dt.timedelta(days=12)]
    )
    soon = helpers.session(helpers.course(name="KRAP"), days=[today + dt.timedelta(days=3)])
    cancelled = helpers.session(helpers.course(name="Low Arousal"), days=[today + dt.timedelta(days=1)])
    later = helpers.session(helpers.course(name="Psykopatologi"), days=[today + dt.timedelta(days=90)])
    services.book(world.dolmer_staff[0], running, status=BookingStatus.BOOKED, on=today - dt.timedelta(days=45))
    services.book(world.dolmer_staff[1], soon)  # planned: counted apart from the seats
    soon.capacity = 0  # full: a further booking goes on the waiting list, and nobody waiting is away
    soon.save(update_fields=["capacity"])
    services.book(world.glesborg_staff[0], soon, status=BookingStatus.BOOKED)
    services.book(world.dolmer_staff[2], later)
    booking = services.book(world.dolmer_staff[2], cancelled)
    booking.status = BookingStatus.CANCELLED
    booking.save()

    manager = dashboard_for(world.manager, today).courses
    assert manager is not None
    assert not manager.own
    assert [(s.course.name, s.next_day, s.ours, s.ours_planned) for s in manager.sessions] == [
        ("KRAP", today + dt.timedelta(days=3), 0, 1),
        ("Recovery", today + dt.timedelta(days=12), 1, 0),
    ]
    coordinator = dashboard_for(world.coordinator, today).courses
    assert coordinator is not None
    assert [(s.course.name, s.ours, s.ours_planned) for s in coordinator.sessions] == [
        ("KRAP", 0, 1),  # Glesborg's person is on the waiting list: not counted
        ("Recovery", 1, 0),
    ]
    manager_page = Client()
    manager_page.force_login(world.manager)
    assert (
        '<td class="num wrap">0<br><span class="small">+ 1 planlagt</span></td>'
        in manager_page.get("/").content.decode()
    )
    own = dashboard_for(world.employee_user, today).courses  # dolmer_staff[0]
    assert own is not None
    assert own.own
    assert [s.course.name for s in own.sessions] == ["Recovery"]

    client = Client()
    client.force_login(world.employee_user)
    page = client.get("/").content.decode()
    assert "Dine næste kursusdage" in page
    assert "Tilmeldte" not in page
    assert 'id="attention"' not in page  # no counts for an employee: no empty row of figures
    detail = client.get(f"/kurser/hold/{running.pk}/")
    assert detail.status_code == 200


def test_the_planned_bookings_tile_counts_what_the_booking_list_opens_with(world: World) -> None:
    """Planned bookings on coming sessions in scope wait for confirmation with the provider: the
    manager's tile counts their own, the coordinator's the municipality's, each the same rows as
    the booking list the tile opens. Finance and analysts confirm nothing and get no tile."""
    from styrbord.training import services
    from styrbord.training.models import BookingStatus
    from styrbord.training.tests import helpers

    today = local_today()
    coming = helpers.session(days=[today + dt.timedelta(days=14)], capacity=10)
    past = helpers.session(days=[today - dt.timedelta(days=14)], capacity=10)
    services.book(world.dolmer_staff[0], coming)
    services.book(world.glesborg_staff[0], coming)
    services.book(world.dolmer_staff[1], past, on=today - dt.timedelta(days=30))  # planned; the session is over
    services.book(world.dolmer_staff[2], coming, status=BookingStatus.BOOKED)  # confirmed already
    services.book(world.syddjurs_staff[0], coming)  # another municipality

    assert dashboard_for(world.manager, today).to_confirm == 1
    assert dashboard_for(world.coordinator, today).to_confirm == 2
    assert dashboard_for(world.finance, today).to_confirm is None
    assert dashboard_for(world.analyst, today).to_confirm is None
    client = Client()
    client.force_login(world.coordinator)
    page = client.get("/").content.decode()
    tile = page.split('id="to-confirm-count">', 1)[1].split("</a>", 1)[0]
    assert '<span class="value">2</span>' in tile
    assert "planlagte bookinger venter på tilmelding hos udbyderen" in tile
    listing = client.get("/kurser/bookinger/").content.decode()
    assert "2 bookinger." in listing


def test_the_privacy_pages_are_found_from_the_landing_page_and_the_profile(world: World) -> None:
    """The audit log (administrators), retention (coordinators) and a person's data (whoever may
    export it) are linked, not only reachable by typing their address; the menu stays as it was."""
    client = Client()

    def landing(user: Any) -> tuple[set[str], set[str]]:
        client.force_login(user)
        response = client.get("/")
        tiles = {item["url"] for item in response.context["entries"]}
        menu = {item["url"] for item in response.context["nav_items"]}
        return tiles, menu

    tiles, menu = landing(world.admin)
    assert "/audit/" in tiles
    assert "/audit/" not in menu
    tiles, menu = landing(world.coordinator)
    assert "/audit/opbevaring/" in tiles
    assert "/audit/" not in tiles
    assert "/audit/opbevaring/" not in menu
    for user in (world.finance, world.analyst, world.grantor_user):
        tiles, _menu = landing(user)
        assert not {url for url in tiles if url.startswith("/audit/")}, user.username

    # A person's whole record (the right of access) is linked for administrators; a coordinator
    # sees the person in their scope on the profile, not the record that reaches beyond it.
    person = world.dolmer_staff[1]
    client.force_login(world.coordinator)
    page = client.get(f"/medarbejdere/{person.pk}/").content.decode()
    assert f'href="/audit/persondata/{person.pk}/"' not in page
    assert client.get(f"/audit/persondata/{person.pk}/").status_code == 404
    client.force_login(world.admin)
    page = client.get(f"/medarbejdere/{person.pk}/").content.decode()
    assert f'href="/audit/persondata/{person.pk}/"' in page
    assert client.get(f"/audit/persondata/{person.pk}/").status_code == 200
    # The pages link to each other for an administrator.
    client.force_login(world.admin)
    assert 'href="/audit/opbevaring/"' in client.get("/audit/").content.decode()
    assert 'href="/audit/"' in client.get("/audit/opbevaring/").content.decode()
    # An employee finds their own data on their profile, and only theirs.
    client.force_login(world.employee_user)
    own = world.employee_user.employee
    page = client.get("/medarbejdere/mig/").content.decode()
    assert f'href="/audit/persondata/{own.pk}/"' in page
    own_data = client.get(f"/audit/persondata/{own.pk}/").content.decode()
    assert "<h1>Mine persondata</h1>" in own_data
    assert "<td>Kompetencebeviser</td>" in own_data  # each part named in words, without its model name
    assert client.get(f"/audit/persondata/{person.pk}/").status_code == 404


def test_a_grantors_menu_entries_say_what_it_finds_there(world: World) -> None:
    """The grantor opens pools and reports on its own pools only: no appropriations ('bevillinger',
    answered 403) and no committee papers ('Udvalgssager') promised on its landing page."""
    grantor, coordinator = Client(), Client()
    grantor.force_login(world.grantor_user)
    coordinator.force_login(world.coordinator)

    seen_by_grantor = grantor.get("/").content.decode()
    seen_by_coordinator = coordinator.get("/").content.decode()

    assert "Dine puljer: tilskuddene, forbruget og advarslerne." in seen_by_grantor
    assert "Statusrapport og tilskudsregnskab for dine puljer." in seen_by_grantor
    assert "bevillinger" not in seen_by_grantor
    assert "Udvalgssager" not in seen_by_grantor
    assert "Puljer, tilskud, bevillinger og forbrug." in seen_by_coordinator
    assert "Udvalgssager, statusrapporter og regneark." in seen_by_coordinator


def test_an_analysts_shared_targets_are_a_month_ends_whatever_the_day(world: World, gaps: dict[str, Any]) -> None:
    """Someone who joined the region's target group on the 10th changes nothing before the month ends."""
    from styrbord.requirements.models import ScopeLevel

    comp = factories.competence(name="KRAP")
    requirement([comp], scope_level=ScopeLevel.REGION, region=world.dolmer.municipality.region, name="Regionalt mål")
    day_before, day_after = dt.date(2026, 11, 9), dt.date(2026, 11, 11)
    newcomer = factories.employee()
    factories.employment(newcomer, world.dolmer, start_date=dt.date(2026, 11, 10))

    before = dashboard_for(world.analyst, day_before).targets
    after = dashboard_for(world.analyst, day_after).targets

    assert before is not None
    assert after is not None
    assert before.on == after.on == dt.date(2026, 10, 31)
    assert before.rows[0][1].in_scope == after.rows[0][1].in_scope
    client = Client()
    client.force_login(world.analyst)
    html = client.get("/").content.decode()
    month_end_today = (local_today() + dt.timedelta(days=1)).day == 1
    assert ('id="targets-on"' in html) is not month_end_today  # the panel says which day it shows
