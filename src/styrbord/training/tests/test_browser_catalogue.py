"""In a real browser: a coordinator adds a provider from the course form, creates a course typed the
Danish way ("2.400,00", "14,8"), is told what is wrong when an amount is mistyped, and finds the
course in the catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from styrbord.testing import factories
from styrbord.testing.fixtures import login
from styrbord.training.models import Course, Provider


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_creates_a_course_and_sees_it_in_the_catalogue(live_server: Any, page: Any, world: Any) -> None:
    competence = factories.competence("konflikt-browser", name="Konflikthåndtering (browser)")

    login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/kurser/")
    with page.expect_navigation():
        page.click("#new-course")
    assert page.locator("h1").inner_text() == "Nyt kursus"

    # The provider does not exist yet: create it on the way and come back with it chosen.
    with page.expect_navigation():
        page.click("text=Opret ny udbyder")
    page.fill("#id_name", "SOSU Østjylland (browser)")
    page.select_option("#id_kind", Provider.Kind.SOSU_SCHOOL)
    page.fill("#id_cvr", "1234")
    with page.expect_navigation():
        page.click("#provider-form button[type=submit]")
    assert "CVR-nummer: »1234« er ikke 8 cifre." in page.locator("#form-errors").inner_text()
    page.fill("#id_cvr", "29 19 07 38")
    with page.expect_navigation():
        page.click("#provider-form button[type=submit]")
    provider = Provider.objects.get(name="SOSU Østjylland (browser)")
    assert page.locator("#id_provider").input_value() == str(provider.pk)

    page.select_option("#id_kind", Course.Kind.AMU)
    page.fill("#id_name", "Konflikthåndtering i botilbud")
    page.fill("#id_amu_number", "48717")
    page.fill("#id_duration_days", "2")
    page.fill("#id_duration_hours", "14,8")
    page.fill("#id_fee_per_participant", "2.400,0O")  # a letter O instead of a zero
    page.check("#id_veu_eligible")
    page.select_option("#id_grants-0-competence", str(competence.pk))
    page.fill("#id_grants-0-validity_months", "24")
    page.check("input[name=target_job_groups][value=social_educator]")
    with page.expect_navigation():
        page.click("#course-form button[type=submit]")
    errors = page.locator("#form-errors").inner_text()
    assert "Pris pr. deltager (ekskl. moms): »2.400,0O« er ikke et tal." in errors
    assert not Course.objects.filter(name="Konflikthåndtering i botilbud").exists()

    page.fill("#id_fee_per_participant", "2.400,00")
    with page.expect_navigation():
        page.click("#course-form button[type=submit]")
    assert page.locator("h1").inner_text() == "Konflikthåndtering i botilbud"
    assert "Kurset Konflikthåndtering i botilbud er gemt." in page.content()
    course = Course.objects.get(name="Konflikthåndtering i botilbud")
    assert (course.fee_per_participant, course.duration_hours, course.provider) == (
        Decimal("2400.00"),
        Decimal("14.80"),
        provider,
    )

    page.goto(f"{live_server.url}/kurser/?q=botilbud")
    row = page.locator("table tbody tr", has_text="Konflikthåndtering i botilbud")
    text = row.inner_text()
    assert "AMU-kursus" in text
    assert "SOSU Østjylland (browser)" in text
    assert "Konflikthåndtering (browser)" in text
    assert "2.400 kr." in text
    assert "Ja" in text  # VEU


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_moves_a_sessions_day_and_then_cancels_it(live_server: Any, page: Any, world: Any) -> None:
    from styrbord.lib.dates import local_today
    from styrbord.lib.formatting import format_date
    from styrbord.training import services
    from styrbord.training.models import BookingStatus, Session

    from . import helpers

    day = local_today() + dt.timedelta(days=60)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)  # a Monday
    session = helpers.session(
        helpers.course(name="Low Arousal (browser)"), days=[day], municipality=world.dolmer.municipality
    )
    booking = services.book(world.dolmer_staff[0], session, status=BookingStatus.BOOKED)
    login(page, live_server.url, "koordinator")
    page.goto(f"{live_server.url}/kurser/hold/{session.pk}/")
    with page.expect_navigation():
        page.click("text=Ret holdet")
    moved = day + dt.timedelta(days=1)
    page.fill("#id_days", f"{format_date(moved)} 6,5")
    with page.expect_navigation():
        page.click("#session-change button[type=submit]")
    assert "Holdet er ændret." in page.content()
    assert f"{format_date(moved)} (6,5 t)" in page.content()

    with page.expect_navigation():
        page.click("text=Aflys holdet")
    assert world.dolmer_staff[0].name in page.locator("#affected").inner_text()
    page.fill("#id_reason", "Underviseren er syg.")
    with page.expect_navigation():
        page.click("#session-cancel button[type=submit]")
    assert "Holdet er aflyst, og 1 booking er afbestilt uden gebyr." in page.content()
    assert "Begrundelse: Underviseren er syg." in page.locator("#session-cancelled").inner_text()
    assert Session.objects.get(pk=session.pk).cancelled
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
