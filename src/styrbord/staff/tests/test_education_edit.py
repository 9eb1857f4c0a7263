"""Education and relevant education kept in the product: on a person's profile, and for a whole
municipality on "Uddannelser" (who may, validation, the audit trail, all-or-nothing saving)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.accounts.models import Role
from styrbord.audit.details import DetailReader
from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.organisations.services import relevant_share
from styrbord.staff.models import Employee, Employment
from styrbord.staff.profiles import education as education_module
from styrbord.staff.profiles.education import EducationGroup
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for
from styrbord.testing.forms import form_data, page_forms
from styrbord.workforce import figures as workforce

pytestmark = pytest.mark.django_db

UPDATED = "staff.employee.updated"


def _edit(client: Client, person: Employee, **values: Any) -> Any:
    person.refresh_from_db()
    data = {"education": person.education, "version": person.version}
    if person.education_relevant:
        data["education_relevant"] = "on"
    data.update(values)
    if data.get("education_relevant") is False:
        del data["education_relevant"]
    return client.post(reverse("staff:employee_education", args=[person.pk]), data)


def _set(people: list[Employee], education: str, relevant: bool = False) -> None:
    Employee.objects.filter(pk__in=[p.pk for p in people]).update(education=education, education_relevant=relevant)


# --- one person, on the profile ------------------------------------------------------------------


def test_a_manager_sets_the_education_of_their_staff_on_the_profile_and_it_is_logged(world: World) -> None:
    person = world.dolmer_staff[1]
    client = client_for(world.manager)
    profile = client.get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert 'id="education-form"' in profile
    assert "Relevant uddannelse" in profile  # the import note names the column
    form = page_forms(profile.encode(), "//form[@id='education-form']")[0]
    sent = form_data(form)
    assert sent["version"] == "1"

    response = client.post(
        reverse("staff:employee_education", args=[person.pk]),
        {**sent, "education": "  Pædagog  ", "education_relevant": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:employee_detail", args=[person.pk])
    person.refresh_from_db()
    assert (person.education, person.education_relevant, person.version) == ("Pædagog", True, 2)
    entry = AuditEntry.objects.get(action=UPDATED)
    assert entry.kind == AuditEntry.Kind.CHANGE
    assert entry.subject_employee_id == person.pk
    assert entry.object_type == "staff.employee"
    assert entry.actor_id == world.manager.pk
    assert entry.data == {"fields": ["education", "education_relevant"], "education_relevant": True}
    # The audit log reads it in words.
    assert DetailReader().details(entry) == [
        ("Ændrede felter", "uddannelse, relevant uddannelse"),
        ("Relevant uddannelse", "Ja"),
    ]
    page = client.get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert "Uddannelsen er gemt." in page
    assert "Pædagog (relevant)" in page


def test_only_the_text_changed_is_logged_without_the_text_and_an_unchanged_form_logs_nothing(
    world: World,
) -> None:
    person = world.glesborg_staff[0]
    _set([person], "SOSU-assistent", relevant=True)
    client = client_for(world.coordinator)
    assert _edit(client, person).status_code == 302
    assert not AuditEntry.objects.filter(action=UPDATED).exists()
    page = client.get(reverse("staff:employee_detail", args=[person.pk])).content.decode()
    assert "Intet er ændret." in page

    assert _edit(client, person, education="Social- og sundhedsassistent").status_code == 302
    entry = AuditEntry.objects.get(action=UPDATED)
    assert entry.data == {"fields": ["education"]}
    assert "Social- og sundhedsassistent" not in str(entry.data) + str(entry.before) + str(entry.after)
    person.refresh_from_db()
    assert person.education_relevant is True

    assert _edit(client, person, education_relevant=False).status_code == 302
    last = AuditEntry.objects.filter(action=UPDATED).latest("pk")
    assert last.data == {"fields": ["education_relevant"], "education_relevant": False}


@pytest.mark.parametrize(
    ("education", "relevant", "field", "message"),
    [
        ("Pædagog 010190-1234", True, "education", "Feltet må ikke indeholde et CPR-nummer."),
        ("x" * 201, False, "education", "Denne værdi må højst have 200 tegn (den har 201)."),
        ("", True, "education_relevant", "Skriv personens uddannelse, før den markeres som relevant."),
    ],
)
def test_the_form_refuses_bad_values_with_a_danish_message_on_the_profile(
    world: World, education: str, relevant: bool, field: str, message: str
) -> None:
    person = world.dolmer_staff[1]
    _set([person], "Pædagog")
    response = _edit(client_for(world.manager), person, education=education, education_relevant=relevant)

    assert response.status_code == 400
    assert response.context["education_form"].errors[field] == [message]
    html = response.content.decode()
    assert message in html
    assert '<details id="education-edit" open>' in html
    assert "010190-1234" not in html.split('id="education-form"')[0]  # the facts show what is stored
    person.refresh_from_db()
    assert (person.education, person.education_relevant, person.version) == ("Pædagog", False, 1)
    assert not AuditEntry.objects.filter(action=UPDATED).exists()


def test_a_form_read_before_another_change_does_not_undo_it(world: World) -> None:
    person = world.dolmer_staff[1]
    client = client_for(world.manager)
    profile = client.get(reverse("staff:employee_detail", args=[person.pk])).content
    sent = form_data(page_forms(profile, "//form[@id='education-form']")[0])
    # Meanwhile an HR import (or a colleague) sets the education.
    Employee.objects.filter(pk=person.pk).update(education="Sygeplejerske", version=2)

    response = client.post(reverse("staff:employee_education", args=[person.pk]), {**sent, "education": "Pædagog"})

    assert response.status_code == 400
    assert "Personens oplysninger er ændret, siden du åbnede siden" in response.content.decode()
    person.refresh_from_db()
    assert person.education == "Sygeplejerske"
    assert not AuditEntry.objects.filter(action=UPDATED).exists()
    # The page and the form show what is stored now, the message what was typed: typed again
    # (a deliberate choice), it saves (test_education_conflict.py: sent as it stands, it does not).
    assert "Sygeplejerske (ikke relevant)" in response.content.decode()
    assert "Du skrev: »Pædagog«" in response.content.decode()
    again = form_data(page_forms(response.content, "//form[@id='education-form']")[0])
    assert (again["education"], again["version"]) == ("Sygeplejerske", "2")
    again["education"] = "Pædagog"
    assert client.post(reverse("staff:employee_education", args=[person.pk]), again).status_code == 302
    person.refresh_from_db()
    assert (person.education, person.version) == ("Pædagog", 3)


def test_who_may_change_a_persons_education(world: World) -> None:
    dolmer, glesborg, syddjurs = world.dolmer_staff[1], world.glesborg_staff[0], world.syddjurs_staff[0]
    expected = {
        # the coordinator for the municipality's people, the manager for their own facility's
        (world.coordinator, dolmer): 302,
        (world.coordinator, glesborg): 302,
        (world.coordinator, syddjurs): 404,  # another municipality: as if missing
        (world.other_coordinator, dolmer): 404,
        (world.manager, dolmer): 302,
        (world.manager, glesborg): 404,  # same municipality, not the manager's facility
        (world.admin, syddjurs): 302,
        # roles that never change people
        (world.employee_user, dolmer): 403,
        (world.employee_user, world.employee_user.employee): 403,  # not even their own
        (world.finance, dolmer): 403,
        (world.analyst, dolmer): 403,
        (world.grantor_user, dolmer): 403,
    }
    answers = {}
    for (user, person), _status in expected.items():
        answers[(user, person)] = _edit(client_for(user), person, education=f"Uddannelse {user.username}").status_code
    assert answers == expected
    changed = set(AuditEntry.objects.filter(action=UPDATED).values_list("actor_id", "subject_employee_id"))
    assert changed == {(u.pk, p.pk) for (u, p), status in expected.items() if status == 302}
    Employee.objects.filter(pk=syddjurs.pk, education="Uddannelse admin").get()  # the admin's change stands


def test_the_form_is_shown_only_to_those_who_may_use_it(world: World) -> None:
    person = world.dolmer_staff[1]

    def shown(user: Any, url: str) -> bool:
        return 'id="education-form"' in client_for(user).get(url).content.decode()

    profile = reverse("staff:employee_detail", args=[person.pk])
    assert shown(world.manager, profile)
    assert shown(world.coordinator, profile)
    assert not shown(world.employee_user, reverse("staff:my_profile"))
    # A manager (or coordinator) with a profile of their own does not mark their own education.
    own_manager = factories.user(Role.FACILITY_MANAGER, "leder-selv", facilities=[world.dolmer], employee=person)
    assert not shown(own_manager, profile)
    assert _edit(client_for(own_manager), person, education="Cand.psych.").status_code == 403
    # An anonymised person is not given an education again.
    Employee.objects.filter(pk=world.dolmer_staff[2].pk).update(anonymised_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not shown(world.manager, reverse("staff:employee_detail", args=[world.dolmer_staff[2].pk]))
    assert _edit(client_for(world.manager), world.dolmer_staff[2], education="Pædagog").status_code == 403
    # The form only answers POST.
    assert client_for(world.manager).get(reverse("staff:employee_education", args=[person.pk])).status_code == 405


# --- every education of a municipality -----------------------------------------------------------


@pytest.fixture
def educations(world: World) -> dict[str, Any]:
    """Norddjurs: three pedagogues (one marked relevant), two with other educations; Syddjurs: a
    pedagogue too; a Norddjurs pedagogue whose employment has ended."""
    _set(world.dolmer_staff, "Pædagog")
    Employee.objects.filter(pk=world.dolmer_staff[0].pk).update(education_relevant=True)
    _set([world.glesborg_staff[0]], "ergoterapeut")
    _set([world.glesborg_staff[1]], "Zoneterapeut")
    _set(world.syddjurs_staff, "Pædagog")
    left = factories.employee(name="Fratrådt pædagog", education="Pædagog")
    factories.employment(
        left, world.dolmer, end_date=local_today() - dt.timedelta(days=30), status=Employment.Status.ENDED
    )
    return {"left": left}


def _page(client: Client) -> tuple[Any, dict[str, Any]]:
    response = client.get(reverse("staff:education_list"))
    assert response.status_code == 200
    form = page_forms(response.content, "//form[@id='education-form']")[0]
    return response, form_data(form)


def _field(education: str, kind: str = "relevant") -> str:
    return f"{kind}-{EducationGroup(education, 0, 0).key}"


def test_the_coordinator_sees_each_education_of_the_municipality_most_common_first(
    world: World, educations: dict[str, Any]
) -> None:
    Employee.objects.filter(pk=world.glesborg_staff[1].pk).update(education="Æblepluk")
    extra = factories.employee(name="Glesborg 3", education="Åbent værksted")
    factories.employment(extra, world.glesborg)
    more = factories.employee(name="Glesborg 4", education="Zoneterapeut")
    factories.employment(more, world.glesborg)

    response, _sent = _page(client_for(world.coordinator))

    groups = response.context["groups"]
    # Most people first; equal counts in Danish order (byte order would put "ergoterapeut" after
    # "Zoneterapeut" and "Åbent" before "Æble").
    assert [(g.education, g.people, g.relevant) for g in groups] == [
        ("Pædagog", 3, 1),  # not Syddjurs' pedagogue, nor the one who has left
        ("ergoterapeut", 1, 0),
        ("Zoneterapeut", 1, 0),
        ("Æblepluk", 1, 0),
        ("Åbent værksted", 1, 0),
    ]
    html = response.content.decode()
    assert 'id="import-note"' in html
    assert "»Relevant uddannelse«" in html
    assert '<option value="blandet" selected>' in html  # the pedagogues are marked both ways
    assert response.context["headcount"] == 7
    assert response.context["relevant"] == 1


def test_trainees_students_and_interns_are_not_counted_the_page_counts_whom_the_share_is_of(
    world: World, educations: dict[str, Any]
) -> None:
    """The page said "7 personer ansat i dag" counting a trainee, while the share with a relevant
    education (workforce figures, facility pages) leaves learners out: the page counts, lists and
    marks the people that share is of (a primary employment in force today, not a learner's)."""
    trainee = factories.employee(name="Elev Emil", education="Pædagog")
    factories.employment(trainee, world.dolmer, kind=Employment.Kind.TRAINEE)
    student = factories.employee(name="Studerende Sif", education="Sygeplejerske")
    factories.employment(student, world.glesborg, kind=Employment.Kind.STUDENT)
    intern = factories.employee(name="Praktikant Pia", education_relevant=True)
    factories.employment(intern, world.glesborg, kind=Employment.Kind.INTERN)
    client = client_for(world.coordinator)

    response, sent = _page(client)

    # Norddjurs: Dolmer's 3 pedagogues and Glesborg's 2, not the trainee, student and intern.
    assert response.context["headcount"] == 5
    assert (response.context["relevant"], response.context["without_education"]) == (1, 0)
    assert [(g.education, g.people) for g in response.context["groups"]] == [
        ("Pædagog", 3),
        ("ergoterapeut", 1),
        ("Zoneterapeut", 1),
    ]
    lead = response.content.decode().split('class="lead">')[1].split("</p>")[0]
    assert "uden elever, studerende og praktikanter" in lead
    # The same people, and the same share, as the workforce figures for the municipality today.
    today = local_today()
    staff = workforce.staff_figures(
        Employment.objects.filter(facility__municipality=world.dolmer.municipality), [today.year], today
    )
    assert staff.totals[today.year].headcount == response.context["headcount"]
    assert staff.totals[today.year].education_share == relevant_share(1, 5)
    # Marking the pedagogues relevant marks those counted, not the trainee.
    sent[_field("Pædagog")] = "ja"
    assert client.post(reverse("staff:education_list"), sent).status_code == 302
    assert not Employee.objects.get(pk=trainee.pk).education_relevant
    assert Employee.objects.filter(pk__in=[p.pk for p in world.dolmer_staff], education_relevant=True).count() == 3


def test_saving_marks_everyone_in_the_municipality_with_that_education_and_logs_each(
    world: World, educations: dict[str, Any]
) -> None:
    client = client_for(world.coordinator)
    _response, sent = _page(client)
    assert sent[_field("Pædagog")] == "blandet"
    sent[_field("Pædagog")] = "ja"
    sent[_field("ergoterapeut")] = "ja"

    response = client.post(reverse("staff:education_list"), sent)

    assert response.status_code == 302
    relevant = set(Employee.objects.filter(education_relevant=True).values_list("pk", flat=True))
    norddjurs_pedagogues = {p.pk for p in world.dolmer_staff}
    assert relevant == norddjurs_pedagogues | {world.glesborg_staff[0].pk}
    # Exactly the people changed, one entry each (the one already relevant is not "changed").
    entries = AuditEntry.objects.filter(action=UPDATED)
    assert sorted(entries.values_list("subject_employee_id", flat=True)) == sorted(
        [world.dolmer_staff[1].pk, world.dolmer_staff[2].pk, world.glesborg_staff[0].pk]
    )
    assert {e.actor_id for e in entries} == {world.coordinator.pk}
    assert {e.kind for e in entries} == {AuditEntry.Kind.CHANGE}
    assert entries.first().data == {"fields": ["education_relevant"], "education_relevant": True}  # type: ignore[union-attr]
    # Syddjurs' pedagogue and the one who left are not the coordinator's to mark.
    assert not Employee.objects.get(pk=world.syddjurs_staff[0].pk).education_relevant
    assert not Employee.objects.get(pk=educations["left"].pk).education_relevant
    assert Employee.objects.get(pk=world.dolmer_staff[1].pk).version == 2
    page = client.get(reverse("staff:education_list")).content.decode()
    assert "Relevant uddannelse er ændret for 3 personer." in page

    # Sent again unchanged: nothing changes, and it says so.
    _response, again = _page(client)
    assert client.post(reverse("staff:education_list"), again).status_code == 302
    assert AuditEntry.objects.filter(action=UPDATED).count() == 3
    assert "Ingen personer er ændret." in client.get(reverse("staff:education_list")).content.decode()


def test_a_row_left_as_shown_is_not_applied_over_a_change_made_since(world: World, educations: dict[str, Any]) -> None:
    client = client_for(world.coordinator)
    _response, sent = _page(client)
    assert sent[_field("Zoneterapeut")] == "nej"
    # Meanwhile the import marks the zone therapist relevant; the coordinator changes another row.
    Employee.objects.filter(pk=world.glesborg_staff[1].pk).update(education_relevant=True)
    sent[_field("ergoterapeut")] = "ja"

    client.post(reverse("staff:education_list"), sent)

    assert Employee.objects.get(pk=world.glesborg_staff[1].pk).education_relevant is True
    assert list(AuditEntry.objects.filter(action=UPDATED).values_list("subject_employee_id", flat=True)) == [
        world.glesborg_staff[0].pk
    ]


def test_saving_is_all_or_nothing(world: World, educations: dict[str, Any], monkeypatch: Any) -> None:
    client = client_for(world.coordinator)
    _response, sent = _page(client)
    sent[_field("Pædagog")] = "ja"
    sent[_field("Zoneterapeut")] = "ja"
    real = education_module.log_access
    calls = []

    def failing_second_time(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        real(*args, **kwargs)

    monkeypatch.setattr(education_module, "log_access", failing_second_time)

    with pytest.raises(RuntimeError):
        client.post(reverse("staff:education_list"), sent)

    assert len(calls) == 2  # the first education was written and logged before the failure ...
    assert list(Employee.objects.filter(education_relevant=True).values_list("pk", flat=True)) == [
        world.dolmer_staff[0].pk
    ]  # ... and rolled back with the second
    assert not AuditEntry.objects.filter(action=UPDATED).exists()
    assert Employee.objects.get(pk=world.dolmer_staff[1].pk).version == 1


def test_a_value_the_page_does_not_offer_is_refused(world: World, educations: dict[str, Any]) -> None:
    client = client_for(world.coordinator)
    _response, sent = _page(client)
    sent[_field("Pædagog")] = "måske"
    sent[_field("ergoterapeut")] = "ja"
    response = client.post(reverse("staff:education_list"), sent)
    assert response.status_code == 400
    assert "Vælg ja eller nej for hver uddannelse." in response.content.decode()
    assert not AuditEntry.objects.filter(action=UPDATED).exists()
    assert not Employee.objects.get(pk=world.glesborg_staff[0].pk).education_relevant


def test_only_coordinators_and_administrators_open_the_page_each_for_their_own_area(
    world: World, educations: dict[str, Any]
) -> None:
    url = reverse("staff:education_list")
    for user in (world.manager, world.employee_user, world.finance, world.analyst, world.grantor_user):
        assert client_for(user).get(url).status_code == 403, user.username
        assert (
            client_for(user).post(url, {_field("Pædagog"): "ja", _field("Pædagog", "shown"): "nej"}).status_code == 403
        )
    assert not AuditEntry.objects.filter(action=UPDATED).exists()
    # Syddjurs' coordinator sees and marks Syddjurs' pedagogue only.
    other = client_for(world.other_coordinator)
    response, sent = _page(other)
    assert [(g.education, g.people) for g in response.context["groups"]] == [("Pædagog", 2)]
    sent[_field("Pædagog")] = "ja"
    other.post(url, sent)
    assert set(Employee.objects.filter(education_relevant=True).values_list("pk", flat=True)) == {
        world.dolmer_staff[0].pk,
        *(p.pk for p in world.syddjurs_staff),
    }
    # The administrator sees every municipality's people.
    admin_groups = _page(client_for(world.admin))[0].context["groups"]
    assert admin_groups[0].education == "Pædagog"
    assert admin_groups[0].people == 5


def test_the_profile_links_to_the_page_for_those_who_may_open_it(world: World) -> None:
    person = world.dolmer_staff[1]
    profile = reverse("staff:employee_detail", args=[person.pk])
    link = f'href="{reverse("staff:education_list")}"'
    assert link in client_for(world.coordinator).get(profile).content.decode()
    assert link not in client_for(world.manager).get(profile).content.decode()
