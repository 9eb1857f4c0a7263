"""Changing an employment through the API keeps it consistent and keeps its history in place."""

from __future__ import annotations

from typing import Any

import pytest

from styrbord.staff.models import Employment, JobGroup
from styrbord.testing import factories

pytestmark = pytest.mark.django_db


def test_an_employment_keeps_its_unit_in_its_facility_and_an_end_date_when_ended(world: Any, api_as: Any) -> None:
    """PATCH put Dolmer Have's unit on a Glesborg employment, and 'ended' with no end date."""
    employment = Employment.objects.get(employee=world.glesborg_staff[0])
    other_unit = factories.unit(world.dolmer, name="Hus B")
    api = api_as(world.coordinator)
    wrong = api.patch(f"/employments/{employment.pk}", {"version": employment.version, "unit": other_unit.pk})
    assert wrong.status_code == 422, wrong.content.decode()
    assert "Afdelingen Hus B hører til et andet tilbud" in wrong.json()["detail"][0]["msg"]
    ended = api.patch(f"/employments/{employment.pk}", {"version": employment.version, "status": "ended"})
    assert ended.status_code == 422
    assert "En fratrådt ansættelse skal have en slutdato." in ended.json()["detail"][0]["msg"]
    employment.refresh_from_db()
    assert (employment.unit_id, employment.status) == (None, Employment.Status.ACTIVE)


def test_an_employment_with_bookings_does_not_move_to_another_facility(world: Any, api_as: Any) -> None:
    """Moving it took its completed, grant-charged bookings to the new facility."""
    from styrbord.training import services
    from styrbord.training.tests import helpers

    person = world.dolmer_staff[0]
    employment = Employment.objects.get(employee=person)
    services.book(person, helpers.session(), status="booked")
    api = api_as(world.coordinator)
    moved = api.patch(f"/employments/{employment.pk}", {"version": employment.version, "facility": world.glesborg.pk})
    assert moved.status_code == 422
    assert "Afslut ansættelsen, og opret en ny" in moved.json()["detail"][0]["msg"]
    assert Employment.objects.get(pk=employment.pk).facility_id == world.dolmer.pk
    # Without bookings (a correction of a wrong import), it may.
    free = Employment.objects.get(employee=world.dolmer_staff[1])
    ok = api.patch(f"/employments/{free.pk}", {"version": free.version, "facility": world.glesborg.pk})
    assert ok.status_code == 200, ok.content.decode()


def test_a_cancellation_reason_sent_through_the_api_is_kept_in_the_log(world: Any, api_as: Any) -> None:
    """PATCH {"status": "cancelled", "reason": ...} answered 200 and the reason went nowhere."""
    import datetime as dt

    from styrbord.audit.models import AuditEntry
    from styrbord.lib.dates import local_today
    from styrbord.training import services
    from styrbord.training.tests import helpers

    coming = helpers.session(days=[local_today() + dt.timedelta(days=30)])
    booking = services.book(world.dolmer_staff[0], coming, status="booked")
    response = api_as(world.coordinator).patch(
        f"/bookings/{booking.pk}", {"version": booking.version, "status": "cancelled", "reason": "Sygemeldt"}
    )
    assert response.status_code == 200, response.content.decode()
    entry = AuditEntry.objects.get(action="training.booking.cancelled", object_id=str(booking.pk))
    assert entry.data["reason"] == "Sygemeldt"


def test_filtering_people_by_another_house_tells_a_manager_nothing(world: Any, api_as: Any) -> None:
    """A walk found that ``GET /employees?facility=<Glesborg>`` gave Dolmer Have's manager their own
    employee who also works at Glesborg, which the profile deliberately does not say. A filter
    now matches only employments the user may see; the coordinator still finds the person."""
    person = world.dolmer_staff[0]
    factories.employment(person, world.glesborg, weekly_hours="8")
    manager, coordinator = api_as(world.manager), api_as(world.coordinator)
    for url in (f"/employees?facility={world.glesborg.pk}", f"/employees/export.csv?facility={world.glesborg.pk}"):
        response = manager.get(url)
        assert response.status_code == 200
        assert person.name not in response.content.decode(), url
    assert manager.get(f"/employees?facility={world.dolmer.pk}").json()["count"] == len(world.dolmer_staff)
    found = coordinator.get(f"/employees?facility={world.glesborg.pk}").json()
    assert person.pk in {row["id"] for row in found["items"]}


def test_the_csv_export_writes_labels_and_yes_no_as_the_pages_do(world: Any, api_as: Any) -> None:
    """Danish Excel opened 'social_educator', 'active' and 'True' under Danish headings."""
    import csv
    import io

    api = api_as(world.coordinator)
    employments = api.get(f"/employments/export.csv?facility={world.dolmer.pk}").content.decode("utf-8-sig")
    people = api.get(f"/employees/export.csv?facility={world.dolmer.pk}").content.decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(employments), delimiter=";"))
    assert rows
    labels = {str(label) for label in JobGroup.labels}
    assert {row["faggruppe"] for row in rows} <= labels
    assert {row["status"] for row in rows} <= {str(label) for label in Employment.Status.labels}
    relevant = {row["relevant uddannelse"] for row in csv.DictReader(io.StringIO(people), delimiter=";")}
    assert relevant <= {"Ja", "Nej"}
    assert relevant
