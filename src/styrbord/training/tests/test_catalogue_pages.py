"""Providers and courses are made and changed on their own pages by coordinators and administrators:
Danish numbers, Danish messages that name the field, atomic saves, the audit log and who may do it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from styrbord.audit.models import AuditEntry
from styrbord.lib.dates import local_today
from styrbord.testing import factories
from styrbord.testing.fixtures import World
from styrbord.training.forms import CourseForm, ProviderForm
from styrbord.training.models import Booking, BookingStatus, Course, CourseCompetence, Provider

from . import helpers

pytestmark = pytest.mark.django_db


def _competence(code: str) -> Any:
    return factories.competence(code, name=code)


def _login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _course_data(provider: Provider, grants: list[dict[str, str]] | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": Course.Kind.AMU,
        "provider": str(provider.pk),
        "name": "Konflikthåndtering for SOSU-personale",
        "code": "",
        "description": "",
        "amu_number": "48717",
        "ects": "",
        "duration_days": "2",
        "duration_hours": "14,8",
        "fee_per_participant": "2.400,00",
        "fee_per_inhouse_day": "0",
        "veu_eligible": "on",
        "target_job_groups": ["sosu_assistant", "sosu_helper"],
        "active": "on",
    }
    data.update(fields)
    rows = grants or []
    data.update(
        {
            "grants-TOTAL_FORMS": str(len(rows)),
            "grants-INITIAL_FORMS": str(sum(1 for r in rows if "id" in r)),
            "grants-MIN_NUM_FORMS": "0",
            "grants-MAX_NUM_FORMS": "30",
        }
    )
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"grants-{i}-{key}"] = value
    return {k: v for k, v in data.items() if v is not None}


# ---- the form alone ------------------------------------------------------------------------------


def test_the_course_form_reads_danish_decimals(reference_data: None) -> None:
    provider = helpers.provider()
    form = CourseForm(
        _course_data(
            provider,
            fee_per_participant="2.400,00",
            fee_per_inhouse_day="12.500,5",
            duration_hours="14,8",
            kind=Course.Kind.DIPLOMA_MODULE,
            ects="10,0",
        )
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["fee_per_participant"] == Decimal("2400.00")
    assert data["fee_per_inhouse_day"] == Decimal("12500.50")
    assert data["duration_hours"] == Decimal("14.80")
    assert data["ects"] == Decimal("10.0")
    assert data["code"] == "konflikthandtering-for-sosu-personale"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"fee_per_participant": "2,400,00"},
            "fee_per_participant",
            "Pris pr. deltager (ekskl. moms): »2,400,00« er ikke et tal. Skriv f.eks. 2.400,00 eller 7,4.",
        ),
        (
            {"fee_per_participant": "-100"},
            "fee_per_participant",
            "Pris pr. deltager (ekskl. moms) kan ikke være under 0.",
        ),
        ({"fee_per_inhouse_day": "10,005"}, "fee_per_inhouse_day", "kan højst have 2 decimaler."),
        (
            {"duration_hours": "60"},
            "duration_hours",
            "Varighed (timer): 60,0 timer er mere end 24 timer pr. dag i 2 dage.",
        ),
        (
            # The prefilled 7,40 kept for a 12-day education read "12 dage, 7,4 timer" in the catalogue.
            {"duration_days": "12", "duration_hours": "7,4"},
            "duration_hours",
            "Varighed (timer) er hele forløbets timer: 7,4 timer på 12 dage er under en time om dagen. "
            "Skriv f.eks. 88,8 (12 × 7,4).",
        ),
        ({"duration_days": "0"}, "duration_days", "Varighed (dage) skal være mindst 1."),
        ({"ects": "5"}, "ects", "ECTS-point gives kun for diplommoduler."),
        ({"kind": Course.Kind.DIPLOMA_MODULE}, "ects", "ECTS-point skal udfyldes for et diplommodul."),
        ({"name": ""}, "name", "Navn skal udfyldes."),
    ],
)
def test_bad_course_input_gets_a_danish_message_naming_the_field(
    reference_data: None, fields: dict[str, str], field: str, message: str
) -> None:
    form = CourseForm(_course_data(helpers.provider(), **fields))
    assert not form.is_valid()
    assert any(message in e for e in form.errors[field]), form.errors
    assert any(message in line for line in form.error_summary())


def test_a_taken_course_code_names_the_course_that_has_it(reference_data: None) -> None:
    existing = helpers.course(name="KRAP grundforløb", code="krap-grund")
    form = CourseForm(_course_data(existing.provider, code="krap-grund"))
    assert not form.is_valid()
    assert form.errors["code"] == ["Kode: »krap-grund« bruges allerede af kurset KRAP grundforløb."]


def test_the_same_message_in_english(reference_data: None) -> None:
    with translation.override("en"):
        form = CourseForm(_course_data(helpers.provider(), fee_per_participant="to tusind"))
        assert not form.is_valid()
        assert form.errors["fee_per_participant"] == [
            "Fee per participant (excl. VAT): “to tusind” is not a number. Write e.g. 2,400.00 or 7.4."
        ]


@pytest.mark.parametrize(
    ("cvr", "message"),
    [
        ("1234567", "CVR-nummer: »1234567« er ikke 8 cifre."),
        ("1234567X", "CVR-nummer: »1234567X« er ikke 8 cifre."),
        ("02345678", "CVR-nummer: et CVR-nummer begynder ikke med 0."),
    ],
)
def test_a_bad_cvr_number_is_refused(db: None, cvr: str, message: str) -> None:
    form = ProviderForm({"name": "VIA University College", "kind": Provider.Kind.UNIVERSITY_COLLEGE, "cvr": cvr})
    assert not form.is_valid()
    assert form.errors["cvr"] == [message]


def test_a_cvr_number_with_spaces_or_dk_is_stored_as_8_digits(db: None) -> None:
    form = ProviderForm(
        {"name": "VIA University College", "kind": Provider.Kind.UNIVERSITY_COLLEGE, "cvr": "DK 31 63 61 32"}
    )
    assert form.is_valid(), form.errors
    assert form.save().cvr == "31636132"


# ---- the pages -----------------------------------------------------------------------------------


def test_a_coordinator_creates_a_course_with_competences_and_prerequisites(world: World, client: Client) -> None:
    provider = helpers.provider(name="SOSU Østjylland", kind=Provider.Kind.SOSU_SCHOOL)
    conflict = _competence("konflikt-test")
    basic = _competence("grundkursus-test")
    client = _login(client, world.coordinator)
    listing = client.get(reverse("training:course_list")).content.decode()
    assert reverse("training:course_create") in listing
    assert client.get(reverse("training:course_create")).status_code == 200
    data = _course_data(
        provider,
        grants=[{"competence": str(conflict.pk), "validity_months": "12"}],
        prerequisites=[str(basic.pk)],
        vat_liable="on",
    )
    response = client.post(reverse("training:course_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    course = Course.objects.get()
    assert (course.fee_per_participant, course.duration_days, course.duration_hours) == (
        Decimal("2400.00"),
        2,
        Decimal("14.80"),
    )
    assert (course.vat_liable, course.veu_eligible, course.amu_number) == (True, True, "48717")
    assert course.target_job_groups == ["sosu_assistant", "sosu_helper"]
    assert list(course.grants.values_list("competence__code", "validity_months")) == [("konflikt-test", 12)]
    assert list(course.prerequisites.values_list("code", flat=True)) == ["grundkursus-test"]
    entry = AuditEntry.objects.get(action="training.course.created")
    assert entry.object_id == str(course.pk)
    assert entry.after["grants"] == [["konflikt-test", 12]]
    detail = client.get(response["Location"]).content.decode()
    assert "2.400,00 kr." in detail
    assert "Konflikthåndtering" in detail
    assert reverse("training:course_edit", args=[course.pk]) in detail


def test_editing_a_course_changes_its_grants_in_one_go_and_is_audited(world: World, client: Client) -> None:
    course = helpers.course(name="KRAP grundforløb", code="krap-grund", fee_per_participant=Decimal("2400.00"))
    keep = _competence("krap-test")
    drop = _competence("drop-test")
    add = _competence("add-test")
    kept = CourseCompetence.objects.create(course=course, competence=keep, validity_months=24)
    dropped = CourseCompetence.objects.create(course=course, competence=drop)
    data = _course_data(
        course.provider,
        grants=[
            {"id": str(kept.pk), "competence": str(keep.pk), "validity_months": "36"},
            {"id": str(dropped.pk), "competence": str(drop.pk), "validity_months": "", "DELETE": "on"},
            {"competence": str(add.pk), "validity_months": ""},
        ],
        kind=Course.Kind.CERTIFICATION,
        amu_number="",
        name="KRAP grundforløb",
        code="krap-grund",
        fee_per_participant="3.100,50",
    )
    response = _login(client, world.coordinator).post(reverse("training:course_edit", args=[course.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    course.refresh_from_db()
    assert course.fee_per_participant == Decimal("3100.50")
    assert sorted(course.grants.values_list("competence__code", "validity_months")) == [
        ("add-test", None),
        ("krap-test", 36),
    ]
    entry = AuditEntry.objects.get(action="training.course.updated")
    assert entry.before["fee_per_participant"] == "2400.00"
    assert entry.after["fee_per_participant"] == "3100.50"
    assert "fee_per_participant" in entry.data["fields"]


def test_a_bad_grants_row_saves_nothing_and_says_where(world: World, client: Client) -> None:
    provider = helpers.provider()
    conflict = _competence("konflikt-test")
    data = _course_data(
        provider,
        grants=[
            {"competence": str(conflict.pk), "validity_months": "12"},
            {"competence": str(conflict.pk), "validity_months": "24"},
        ],
    )
    response = _login(client, world.coordinator).post(reverse("training:course_create"), data)
    assert response.status_code == 200
    assert "Kompetencen konflikt-test står der to gange." in response.content.decode()
    assert not Course.objects.exists()
    assert not CourseCompetence.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="training.course").exists()


def test_a_competence_cannot_be_both_required_and_granted(world: World, client: Client) -> None:
    conflict = _competence("konflikt-test")
    data = _course_data(
        helpers.provider(),
        grants=[{"competence": str(conflict.pk), "validity_months": ""}],
        prerequisites=[str(conflict.pk)],
    )
    response = _login(client, world.coordinator).post(reverse("training:course_create"), data)
    assert response.status_code == 200
    assert "Forudsætninger: konflikt-test kan ikke både kræves og gives af kurset." in response.content.decode()
    assert not Course.objects.exists()


def test_a_page_with_bad_input_lists_the_errors_with_field_names(world: World, client: Client) -> None:
    data = _course_data(helpers.provider(), fee_per_participant="abc", duration_days="")
    page = _login(client, world.coordinator).post(reverse("training:course_create"), data).content.decode()
    summary = page.split('id="form-errors"')[1].split("</div>")[0]
    assert "Kurset er ikke gemt." in summary
    assert "Pris pr. deltager (ekskl. moms): »abc« er ikke et tal." in summary
    assert "Varighed (dage) skal udfyldes." in summary


def test_a_coordinator_creates_a_provider_from_the_course_form_and_returns_to_it(world: World, client: Client) -> None:
    client = _login(client, world.coordinator)
    form = client.get(reverse("training:course_create")).content.decode()
    assert f"{reverse('training:provider_create')}?til=kursus" in form
    response = client.post(
        f"{reverse('training:provider_create')}?til=kursus",
        {
            "name": "VIA University College",
            "kind": Provider.Kind.UNIVERSITY_COLLEGE,
            "cvr": "31636132",
            "website": "https://www.via.dk",
            "email": "efteruddannelse@via.dk",
        },
    )
    provider = Provider.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('training:course_create')}?udbyder={provider.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'<option value="{provider.pk}" selected>VIA University College</option>' in page
    assert AuditEntry.objects.filter(action="training.provider.created", object_id=str(provider.pk)).exists()


def test_editing_a_provider_is_audited_and_a_duplicate_name_is_refused(world: World, client: Client) -> None:
    helpers.provider(name="UCN")
    provider = helpers.provider(name="VIA", kind=Provider.Kind.UNIVERSITY_COLLEGE)
    client = _login(client, world.coordinator)
    listing = client.get(reverse("training:provider_list")).content.decode()
    assert reverse("training:provider_edit", args=[provider.pk]) in listing
    url = reverse("training:provider_edit", args=[provider.pk])
    duplicate = client.post(url, {"name": "UCN", "kind": Provider.Kind.UNIVERSITY_COLLEGE})
    assert "Der findes allerede en udbyder med det navn." in duplicate.content.decode()
    bad_mail = client.post(url, {"name": "VIA", "kind": Provider.Kind.UNIVERSITY_COLLEGE, "email": "via"})
    assert "E-mail: skriv en gyldig e-mailadresse" in bad_mail.content.decode()
    ok = client.post(
        url, {"name": "VIA University College", "kind": Provider.Kind.UNIVERSITY_COLLEGE, "cvr": "31636132"}
    )
    assert ok.status_code == 302
    provider.refresh_from_db()
    assert (provider.name, provider.cvr) == ("VIA University College", "31636132")
    entry = AuditEntry.objects.get(action="training.provider.updated")
    assert (entry.before["name"], entry.after["name"]) == ("VIA", "VIA University College")


# ---- who may -------------------------------------------------------------------------------------


def test_roles_that_may_not_change_the_catalogue_get_403_and_see_no_links(world: World, client: Client) -> None:
    course = helpers.course()
    urls = [
        reverse("training:course_create"),
        reverse("training:course_edit", args=[course.pk]),
        reverse("training:provider_create"),
        reverse("training:provider_edit", args=[course.provider_id]),
    ]
    # Finance, managers and employees read the catalogue but do not change it.
    for user in (world.finance, world.manager, world.employee_user):
        c = _login(client, user)
        for url in urls:
            assert c.get(url).status_code == 403, (user.username, url)
            assert c.post(url, {}).status_code == 403, (user.username, url)
        assert "Nyt kursus" not in c.get(reverse("training:course_list")).content.decode()
        detail = c.get(reverse("training:course_detail", args=[course.pk])).content.decode()
        assert reverse("training:course_edit", args=[course.pk]) not in detail
        assert (
            reverse("training:provider_edit", args=[course.provider_id])
            not in c.get(reverse("training:provider_list")).content.decode()
        )
    # Analysts and grantors have no access to the catalogue at all.
    for user in (world.analyst, world.grantor_user):
        c = _login(client, user)
        for url in [*urls, reverse("training:provider_list")]:
            assert c.get(url).status_code == 403, (user.username, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page
    assert not Course.objects.exclude(pk=course.pk).exists()


def test_the_catalogue_is_shared_so_every_coordinator_and_the_admin_may_edit_it(world: World, client: Client) -> None:
    """Courses and providers have no municipality: a coordinator in another municipality edits the same
    catalogue (the policy, not a scope, decides); an unknown course is a 404."""
    course = helpers.course()
    for user in (world.coordinator, world.other_coordinator, world.admin):
        c = _login(client, user)
        assert c.get(reverse("training:course_edit", args=[course.pk])).status_code == 200
        assert c.get(reverse("training:provider_edit", args=[course.provider_id])).status_code == 200
        assert "Nyt kursus" in c.get(reverse("training:course_list")).content.decode()
    c = _login(client, world.coordinator)
    assert c.get(reverse("training:course_edit", args=[course.pk + 1000])).status_code == 404
    assert c.get(reverse("training:provider_edit", args=[course.provider_id + 1000])).status_code == 404


def test_a_course_lists_its_next_sessions_first_with_free_seats_and_the_past_ones_apart(
    world: World, client: Client
) -> None:
    today = local_today()
    course = helpers.course()
    later = helpers.session(course, [today + dt.timedelta(days=90)], name="Senere", capacity=10)
    soon = helpers.session(course, [today + dt.timedelta(days=20)], name="Snart", capacity=2)
    running = helpers.session(course, [today - dt.timedelta(days=1), today + dt.timedelta(days=1)], name="I gang")
    old = helpers.session(course, [today - dt.timedelta(days=400)], name="Gammelt")
    last = helpers.session(course, [today - dt.timedelta(days=30)], name="Sidst")
    person = world.dolmer_staff[0]
    Booking.objects.create(
        employee=person, employment=person.employments.get(), session=soon, status=BookingStatus.BOOKED
    )
    del running, old, last

    page = _login(client, world.coordinator).get(reverse("training:course_detail", args=[course.pk])).content.decode()

    def names(table_id: str) -> list[str]:
        table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'<a href="/kurser/hold/\d+/">([^<]+)</a>', table)

    assert names("upcoming-sessions") == ["I gang", "Snart", "Senere"]
    assert names("past-sessions") == ["Sidst", "Gammelt"]
    snart = page.split(">Snart</a>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">(\d+)</td>', snart) == ["1", "2", "1"]  # booked, seats, free
    # A plan's seat holds no place with the provider but is not free to book others into.
    Booking.objects.create(
        employee=world.dolmer_staff[1],
        employment=world.dolmer_staff[1].employments.get(),
        session=later,
        status=BookingStatus.PLANNED,
    )
    page = _login(client, world.coordinator).get(reverse("training:course_detail", args=[course.pk])).content.decode()
    senere = page.split(">Senere</a>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0<br><span class="small">+ 1 planlagt</span></td>' in senere
    assert senere.endswith('<td class="num">9</td>')  # 10 seats, 1 planned


@pytest.mark.django_db
def test_an_empty_catalogue_says_it_is_empty_not_that_nothing_matches(world: Any, client: Any) -> None:
    client.force_login(world.coordinator)
    empty = client.get("/kurser/").content.decode()
    assert "Kataloget har ingen kurser endnu." in empty
    assert "Ingen kurser matcher." not in empty
    assert "Ingen kurser matcher." in client.get("/kurser/", {"q": "KRAP"}).content.decode()
