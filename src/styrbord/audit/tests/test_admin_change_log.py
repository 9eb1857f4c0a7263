"""Changes made in the Django admin are logged with before/after; imports and scripts are not."""

from __future__ import annotations

import datetime as dt

from styrbord.audit.models import AuditEntry
from styrbord.audit.tracking import tracking
from styrbord.organisations.models import Facility
from styrbord.testing import factories


def test_an_admin_edit_is_logged_with_before_and_after(world, client) -> None:  # type: ignore[no-untyped-def]
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    competence = factories.competence(code="krap", name="KRAP")
    response = client.post(
        f"/admin/competences/competence/{competence.pk}/change/",
        {"code": "krap", "name": "KRAP-certificering", "category": "method", "description": "", "refresher_rule": ""},
    )
    assert response.status_code == 302, response.content[:500]
    entry = AuditEntry.objects.get(action="competences.competence.updated")
    assert entry.actor_id == world.admin.pk
    assert entry.before["name"] == "KRAP"
    assert entry.after["name"] == "KRAP-certificering"
    assert entry.data == {"via": "admin"}


def test_personal_fields_are_hidden_in_the_change_log(world, client) -> None:  # type: ignore[no-untyped-def]
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    person = world.dolmer_staff[0]
    client.post(
        f"/admin/staff/employee/{person.pk}/change/",
        {
            "municipality": person.municipality_id,
            "person_key": person.person_key,
            "name": "Helt Nyt Navn",
            "email": "",
            "education": "",
            "birth_year": "",
            "employments-TOTAL_FORMS": "0",
            "employments-INITIAL_FORMS": "0",
            "employments-MIN_NUM_FORMS": "0",
            "employments-MAX_NUM_FORMS": "1000",
            "education_periods-TOTAL_FORMS": "0",  # the read-only education history
            "education_periods-INITIAL_FORMS": "0",
            "education_periods-MIN_NUM_FORMS": "0",
            "education_periods-MAX_NUM_FORMS": "1000",
        },
    )
    entry = AuditEntry.objects.filter(action="staff.employee.updated").first()
    assert entry is not None
    assert "Helt Nyt Navn" not in str(entry.after)
    assert entry.after["name"] == "«skjult»"
    assert entry.data["changed_personal_fields"] == ["name"]


def test_saves_outside_the_admin_are_not_logged_row_by_row(world) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    Facility.objects.filter(pk=world.dolmer.pk).update(places=3)
    factories.unit(world.dolmer, "Ny afdeling")
    assert AuditEntry.objects.count() == before


def test_a_changed_course_day_start_time_is_logged_as_text(world) -> None:  # type: ignore[no-untyped-def]
    """A time of day in before/after (a course day's start) is stored as ISO text; it used to stop
    the admin's save with "Object of type time is not JSON serializable"."""
    from styrbord.training.tests import helpers

    day = helpers.session().days.get()
    with tracking(world.admin, "admin"):
        day.start_time = dt.time(9, 15)
        day.save()
    entry = AuditEntry.objects.get(action="training.sessionday.updated")
    assert entry.before["start_time"] == "08:30:00"
    assert entry.after["start_time"] == "09:15:00"


def test_a_changed_document_template_is_logged_with_its_file_name(world) -> None:  # type: ignore[no-untyped-def]
    """A file field goes into before/after as the stored file's name, not as a file object that
    JSON cannot hold."""
    from styrbord.reports.models import DocumentTemplate

    template = DocumentTemplate.objects.create(
        municipality=world.dolmer.municipality,
        name="Brevskabelon",
        file="report-templates/2026/brev.docx",
        uploaded_by=world.admin,
    )
    with tracking(world.admin, "admin"):
        template.name = "Kommunens brevskabelon"
        template.save()
    entry = AuditEntry.objects.get(action="reports.documenttemplate.updated")
    assert entry.before["file"] == entry.after["file"] == "report-templates/2026/brev.docx"
    assert entry.after["name"] == "Kommunens brevskabelon"
