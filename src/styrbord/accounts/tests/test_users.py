"""A coordinator keeps the municipality's logins: who is listed, what may be given, the invitation,
and that no one reaches past their municipality or raises their own rights."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from styrbord.accounts.models import Role, User
from styrbord.audit.models import AuditEntry
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for

LIST_URL = "/konto/brugere/"
CREATE_URL = "/konto/brugere/ny/"


def edit_url(user: User) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def new_user(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "kirsten",
        "first_name": "Kirsten",
        "last_name": "Holm",
        "email": "Kirsten.Holm@norddjurs.dk",
        "role": Role.FACILITY_MANAGER,
        "facilities": [],
        "employment_number": "",
    }
    data.update(changes)
    return data


def invitation_link(message: Any) -> str:
    match = re.search(r"https?://[^/\s]+(/konto/adgangskode/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_list_shows_the_municipalitys_logins_only(world: Any) -> None:
    body = client_for(world.coordinator).get(LIST_URL).content.decode()
    for username in ("koordinator", "oekonomi", "leder", "medarbejder"):
        assert f"<code>{username}</code>" in body, username
    for username in ("syddjurs", "analytiker", "national", "tilskudsgiver", "admin"):
        assert f"<code>{username}</code>" not in body, username
    # Colleagues may be changed; the coordinator's own login may not (no one raises their own rights).
    assert f'href="{edit_url(world.manager)}"' in body
    assert f'href="{edit_url(world.coordinator)}"' not in body
    world.admin.is_staff = True  # the administration's door (``is_system_administrator``)
    world.admin.save()
    everyone = client_for(world.admin).get(LIST_URL).content.decode()
    assert "<code>syddjurs</code>" in everyone
    assert 'id="new-user"' not in everyone  # administrators create logins in the administration
    assert f'href="/admin/accounts/user/{world.other_coordinator.pk}/change/"' in everyone


def test_a_coordinator_creates_a_facility_manager_who_chooses_a_password(world: Any) -> None:
    client = client_for(world.coordinator)
    response = client.post(CREATE_URL, new_user(facilities=[str(world.glesborg.pk)]))
    assert response.status_code == 302, response.content.decode()[-3000:]
    account = User.objects.get(username="kirsten")
    assert (account.role, account.email, account.municipality_id) == (
        Role.FACILITY_MANAGER,
        "kirsten.holm@norddjurs.dk",
        None,
    )
    assert list(account.facilities.all()) == [world.glesborg]
    assert not account.has_usable_password()
    assert not account.is_staff
    assert "Kirsten Holm er oprettet, og en invitation er sendt til kirsten.holm@norddjurs.dk." in (
        client.get(response["Location"]).content.decode()
    )
    (message,) = mail.outbox
    assert message.to == ["kirsten.holm@norddjurs.dk"]
    assert message.subject == "Din adgang til Styrbord"
    assert "Dit brugernavn er: kirsten" in message.body
    assert "Tilbudsleder (Bofællesskaberne Glesborg)" in message.body

    # The link lets the person choose a password once; then they log in with it.
    visitor = Client()
    form_page = visitor.get(invitation_link(message), follow=True)
    assert "Dit brugernavn er <strong>kirsten</strong>" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = visitor.post(set_url, {"new_password1": "kirsten", "new_password2": "kirsten"})
    weak_page = weak.content.decode()
    assert "Denne adgangskode er for kort" in weak_page
    # Said under the password typed, not under its confirmation.
    between = weak_page[weak_page.index('id="id_new_password1"') : weak_page.index('for="id_new_password2"')]
    assert "Denne adgangskode er for kort" in between
    mismatch = visitor.post(set_url, {"new_password1": "Glesborg-Have-2027", "new_password2": "Glesborg-Have-2028"})
    assert "De to adgangskoder var ikke identiske." in mismatch.content.decode().split('for="id_new_password2"')[1]
    done = visitor.post(set_url, {"new_password1": "Glesborg-Have-2027", "new_password2": "Glesborg-Have-2027"})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:login")
    assert Client().login(username="kirsten", password="Glesborg-Have-2027")
    again = Client().get(invitation_link(message), follow=True).content.decode()
    assert "Linket virker ikke længere" in again

    actions = list(AuditEntry.objects.filter(object_id=str(account.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["accounts.user.created", "accounts.user.invited", "accounts.user.password_chosen"]
    created = AuditEntry.objects.get(action="accounts.user.created")
    assert created.actor_id == world.coordinator.pk
    assert created.after["facilities"] == [world.glesborg.pk]
    assert "password" not in created.after


def test_an_employee_login_is_tied_to_the_employee_by_employment_number(world: Any) -> None:
    person = world.glesborg_staff[1]
    number = person.employments.get().employment_number
    client = client_for(world.coordinator)
    data = new_user(username="glesborg2", role=Role.EMPLOYEE, employment_number=number, first_name="", last_name="")
    assert client.post(CREATE_URL, data).status_code == 302
    account = User.objects.get(username="glesborg2")
    assert account.employee_id == person.pk
    assert account.get_full_name() == person.name  # left blank: the employee's name from the HR data
    assert (account.municipality_id, list(account.facilities.all())) == (None, [])
    # An employment of another municipality is not found, and one employee has one login.
    syddjurs_number = world.syddjurs_staff[0].employments.get().employment_number
    other = client.post(CREATE_URL, new_user(username="x1", role=Role.EMPLOYEE, employment_number=syddjurs_number))
    assert f"Kommunen har ingen ansættelse med nummer {syddjurs_number}." in other.content.decode()
    twice = client.post(CREATE_URL, new_user(username="x2", role=Role.EMPLOYEE, employment_number=number))
    assert f"{person.name} har allerede en bruger (glesborg2)." in twice.content.decode()
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_bad_input_saves_nothing_and_says_what_is_wrong(world: Any) -> None:
    client = client_for(world.coordinator)
    cases = [
        (new_user(), "Vælg mindst ét tilbud, som tilbudslederen skal se."),
        (new_user(role=Role.EMPLOYEE), "Skriv medarbejderens ansættelsesnummer."),
        (new_user(username="LEDER", facilities=[str(world.dolmer.pk)]), "Brugernavnet »LEDER« er allerede i brug."),
        (new_user(email="", facilities=[str(world.dolmer.pk)]), "Dette felt er påkrævet."),
        # Roles and facilities outside the municipality are not choices at all.
        (
            new_user(role=Role.ADMIN),
            "Marker en gyldig valgmulighed. admin er ikke en af de tilgængelige valgmuligheder.",
        ),
        (
            new_user(role=Role.ANALYST),
            "Marker en gyldig valgmulighed. analyst er ikke en af de tilgængelige valgmuligheder.",
        ),
        (
            new_user(facilities=[str(world.syddjurs_facility.pk)]),
            f"Marker en gyldig valgmulighed. {world.syddjurs_facility.pk} er ikke en af de tilgængelige valgmuligheder.",
        ),
    ]
    for data, message in cases:
        response = client.post(CREATE_URL, data)
        assert response.status_code == 200, data
        body = response.content.decode()
        assert message in body, (data, re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body))
        assert "Intet er gemt." in body
    assert not User.objects.filter(username="kirsten").exists()
    assert not mail.outbox


def test_a_coordinator_changes_role_and_scope_and_closes_a_login(world: Any) -> None:
    client = client_for(world.coordinator)
    data = new_user(
        username="leder",
        first_name="Leder",
        last_name="Hansen",
        email="leder@norddjurs.dk",
        facilities=[str(world.dolmer.pk), str(world.glesborg.pk)],
        is_active="on",
    )
    assert client.post(edit_url(world.manager), data).status_code == 302
    world.manager.refresh_from_db()
    assert sorted(f.name for f in world.manager.facilities.all()) == ["Bofællesskaberne Glesborg", "Dolmer Have"]
    entry = AuditEntry.objects.get(action="accounts.user.updated")
    assert entry.before["facilities"] == [world.dolmer.pk]
    assert sorted(entry.after["facilities"]) == sorted([world.dolmer.pk, world.glesborg.pk])
    # Made a finance officer: the facilities go, the municipality comes.
    assert client.post(edit_url(world.manager), {**data, "role": Role.FINANCE, "facilities": []}).status_code == 302
    world.manager.refresh_from_db()
    assert (world.manager.role, world.manager.municipality_id) == (Role.FINANCE, world.coordinator.municipality_id)
    assert not world.manager.facilities.exists()
    # Closed: the login no longer works.
    closed = {**data, "role": Role.FINANCE, "facilities": []}
    del closed["is_active"]
    assert client.post(edit_url(world.manager), closed).status_code == 302
    world.manager.refresh_from_db()
    assert not world.manager.is_active
    refused = Client().post(reverse("accounts:login"), {"username": "leder", "password": "test-password-123"})
    assert refused.status_code == 200  # the form again, not a redirect into Styrbord
    assert "Dit login er lukket." in refused.content.decode()
    wrong = Client().post(reverse("accounts:login"), {"username": "leder", "password": "forkert-kode-123"})
    assert "Dit login er lukket." not in wrong.content.decode()  # only the password holder learns it
    assert "Brugernavn eller adgangskode er forkert." in wrong.content.decode()
    assert "Lukket" in client.get(LIST_URL).content.decode()


def test_the_email_of_a_login_in_use_cannot_be_redirected(world: Any) -> None:
    """Changing a finance officer's address to one's own and sending an invitation would hand the
    coordinator the finance officer's login: once a password is chosen, the address is fixed."""
    world.finance.email = "lars@norddjurs.dk"
    world.finance.save()
    client = client_for(world.coordinator)
    data = new_user(username="oekonomi", role=Role.FINANCE, email="koordinator@norddjurs.dk", is_active="on")
    assert client.post(edit_url(world.finance), data).status_code == 302
    world.finance.refresh_from_db()
    assert world.finance.email == "lars@norddjurs.dk"
    assert "kun en systemadministrator kan ændre den" in client.get(edit_url(world.finance)).content.decode()
    # Before the person has chosen a password the address can be corrected (a typing error) ...
    pending = User.objects.create(
        username="ny", email="ny@norddjurs.dk", role=Role.FINANCE, municipality=world.finance.municipality
    )
    pending.set_unusable_password()
    pending.save()
    fixed = new_user(username="ny", role=Role.FINANCE, email="ny.rettet@norddjurs.dk", is_active="on")
    assert client.post(edit_url(pending), fixed).status_code == 302
    pending.refresh_from_db()
    assert pending.email == "ny.rettet@norddjurs.dk"
    # ... but never to another login's address, whatever the case.
    taken = client.post(edit_url(pending), {**fixed, "email": "LARS@norddjurs.dk"})
    assert "E-mailadressen bruges allerede af en anden bruger." in taken.content.decode()
    created = client.post(CREATE_URL, new_user(email="Lars@Norddjurs.dk", facilities=[str(world.dolmer.pk)]))
    assert "E-mailadressen bruges allerede af en anden bruger." in created.content.decode()


def test_the_invitation_can_be_sent_again_but_not_to_a_closed_login(world: Any) -> None:
    client = client_for(world.coordinator)
    without = client.post(reverse("accounts:user_invite", args=[world.finance.pk]), follow=True)
    assert "Brugeren har ingen e-mailadresse. Skriv den, og gem, før du sender en invitation." in (
        without.content.decode()
    )
    assert not mail.outbox
    world.finance.email = "lars@norddjurs.dk"
    world.finance.save()
    response = client.post(reverse("accounts:user_invite", args=[world.finance.pk]), follow=True)
    assert "En ny invitation er sendt til" in response.content.decode()
    assert len(mail.outbox) == 1
    world.finance.is_active = False
    world.finance.save()
    refused = client.post(reverse("accounts:user_invite", args=[world.finance.pk]), follow=True)
    assert "Brugeren er lukket. Gør den aktiv, før du sender en invitation." in refused.content.decode()
    assert len(mail.outbox) == 1


def test_no_one_reaches_past_their_municipality_or_their_own_login(world: Any) -> None:
    coordinator = client_for(world.coordinator)
    # Another municipality's login, an analyst tied to the region, and the coordinator's own: 404.
    for account in (world.other_coordinator, world.analyst, world.coordinator, world.admin):
        assert coordinator.get(edit_url(account)).status_code == 404, account.username
        assert coordinator.post(reverse("accounts:user_invite", args=[account.pk])).status_code == 404
    # A manager who also has a facility in another municipality belongs to no single coordinator.
    shared = factories.user(Role.FACILITY_MANAGER, "delt", facilities=[world.dolmer, world.syddjurs_facility])
    assert coordinator.get(edit_url(shared)).status_code == 404
    assert client_for(world.other_coordinator).get(edit_url(world.manager)).status_code == 404
    # The role itself: everyone but coordinators (and administrators' read-only list) is refused.
    for user in (world.manager, world.finance, world.employee_user, world.analyst, world.grantor_user):
        client = client_for(user)
        assert client.get(LIST_URL).status_code == 403, user.username
        assert client.get(CREATE_URL).status_code == 403, user.username
        assert client.post(CREATE_URL, new_user(facilities=[str(world.dolmer.pk)])).status_code == 403
    assert client_for(world.admin).get(CREATE_URL).status_code == 403
    assert not User.objects.filter(username="kirsten").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_gives_a_new_manager_a_login_in_a_browser(
    page: Any, live_server: Any, reference_data: None, world: Any
) -> None:
    from styrbord.testing.accessibility import violations
    from styrbord.testing.fixtures import follow, login

    login(page, live_server.url, world.coordinator.username)
    page.goto(f"{live_server.url}/")
    follow(page, f"a[href='{LIST_URL}']")
    assert violations(page, "user list") == []
    follow(page, "#new-user")
    page.fill("#id_username", "kirsten")
    page.fill("#id_first_name", "Kirsten")
    page.fill("#id_last_name", "Holm")
    page.fill("#id_email", "kirsten@norddjurs.dk")
    # The role's own fields only: an employee's employment number, a manager's facilities.
    page.select_option("#id_role", Role.EMPLOYEE)
    assert page.is_visible("#id_employment_number")
    assert not page.is_visible("#id_facilities-group")
    page.select_option("#id_role", Role.FACILITY_MANAGER)
    assert page.is_visible("#id_facilities-group")
    assert not page.is_visible("#id_employment_number")
    follow(page, "#user-form button[type=submit]")
    assert "Vælg mindst ét tilbud" in page.inner_text("main")
    assert violations(page, "user form with errors") == []
    page.get_by_label("Dolmer Have").check()
    follow(page, "#user-form button[type=submit]")
    assert "invitation er sendt til kirsten@norddjurs.dk" in page.inner_text("main")
    assert "kirsten" in page.inner_text("#users")
    page.fill("#user-filter", "holm dolmer")
    visible = [r for r in page.locator("#users tbody tr").all() if r.is_visible()]
    assert len(visible) == 1
    assert "kirsten" in visible[0].inner_text()
    (message,) = mail.outbox
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{invitation_link(message)}")
    assert violations(page, "choose password") == []
    page.fill("#id_new_password1", "Dolmer-Have-2027")
    page.fill("#id_new_password2", "Dolmer-Have-2027")
    follow(page, "#password-form button[type=submit]")
    assert "Din adgangskode er gemt." in page.inner_text("main")
    page.fill("#id_username", "kirsten")
    page.fill("#id_password", "Dolmer-Have-2027")
    follow(page, "main button[type=submit]")
    assert "Dolmer Have" in page.inner_text("main")


def test_a_forgotten_password_is_chosen_again_through_a_link_to_the_logins_own_address(world: Any) -> None:
    world.finance.email = "lars@norddjurs.dk"
    world.finance.save()
    client = Client()
    assert 'href="/konto/glemt-adgangskode/"' in client.get("/konto/login/").content.decode()
    sent = client.post("/konto/glemt-adgangskode/", {"email": "Lars@Norddjurs.dk"}, follow=True)
    assert "Hører adressen til en bruger, har vi sendt et link" in sent.content.decode()
    (message,) = mail.outbox
    assert message.to == ["lars@norddjurs.dk"]
    assert message.subject == "Ny adgangskode til Styrbord"
    assert "Dit brugernavn er: oekonomi" in message.body
    person = Client()
    form_page = person.get(invitation_link(message), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    person.post(set_url, {"new_password1": "Pulje-Regnskab-77", "new_password2": "Pulje-Regnskab-77"})
    assert Client().login(username="oekonomi", password="Pulje-Regnskab-77")
    # An unknown address gets the same answer and no e-mail; so does asking too often.
    unknown = client.post("/konto/glemt-adgangskode/", {"email": "ingen@example.org"}, follow=True)
    assert "Hører adressen til en bruger, har vi sendt et link" in unknown.content.decode()
    for _ in range(5):
        client.post("/konto/glemt-adgangskode/", {"email": "lars@norddjurs.dk"})
    assert len(mail.outbox) == 3  # the first one and two more: then the address rests


def test_a_new_login_waits_as_invited_and_a_corrected_address_gets_a_new_invitation(world: Any) -> None:
    client = client_for(world.coordinator)
    missing_role = client.post(CREATE_URL, new_user(role="", facilities=[str(world.dolmer.pk)]))
    assert "Dette felt er påkrævet." in missing_role.content.decode()  # no role chosen for the coordinator
    assert 'value="" selected>Vælg rolle' in client.get(CREATE_URL).content.decode()
    client.post(CREATE_URL, new_user(email="kirsten@norddjurs.dkk", facilities=[str(world.dolmer.pk)]))
    account = User.objects.get(username="kirsten")
    listing = client.get(LIST_URL).content.decode()
    row = listing[listing.index("<code>kirsten</code>") :].split("</tr>")[0]
    assert "Inviteret" in row
    first_link = invitation_link(mail.outbox[0])
    corrected = new_user(email="kirsten@norddjurs.dk", facilities=[str(world.dolmer.pk)], is_active="on")
    saved = client.post(edit_url(account), corrected, follow=True)
    assert "Kirsten Holm er gemt, og en ny invitation er sendt til kirsten@norddjurs.dk." in saved.content.decode()
    assert [m.to for m in mail.outbox] == [["kirsten@norddjurs.dkk"], ["kirsten@norddjurs.dk"]]
    assert "Linket virker ikke længere" in Client().get(first_link, follow=True).content.decode()


def test_a_login_that_stops_being_an_employee_lets_go_of_the_employee(world: Any) -> None:
    number = world.dolmer_staff[0].employments.get().employment_number
    data = new_user(
        username="medarbejder",
        role=Role.FACILITY_MANAGER,
        email="ingrid@norddjurs.dk",
        facilities=[str(world.glesborg.pk)],
        employment_number=number,  # still in the form, hidden by the page's script
        is_active="on",
    )
    assert client_for(world.coordinator).post(edit_url(world.employee_user), data).status_code == 302
    world.employee_user.refresh_from_db()
    assert world.employee_user.role == Role.FACILITY_MANAGER
    assert world.employee_user.employee_id is None
    assert list(world.employee_user.facilities.all()) == [world.glesborg]


def test_the_list_costs_the_same_queries_however_many_logins_it_shows(world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.coordinator)
    client.get(LIST_URL)  # session and caches warm
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    for n in range(8):
        factories.user(Role.FACILITY_MANAGER, f"ekstra{n}", facilities=[world.dolmer], municipality=None)
    with CaptureQueriesContext(connection) as many:
        body = client.get(LIST_URL).content.decode()
    assert body.count('href="/konto/brugere/') >= 8 + 4  # each new login editable, as the others
    assert len(many) == len(few)


def test_closing_a_login_ends_its_open_sessions(world: Any) -> None:
    """The backend authenticates a closed login only to tell it so: a session never holds one."""
    session = client_for(world.finance)
    assert session.get(reverse("organisations:facility_list")).status_code == 200
    world.finance.is_active = False
    world.finance.save()

    after = session.get(reverse("organisations:facility_list"))

    assert after.status_code == 302
    assert after["Location"].startswith(reverse("accounts:login"))
