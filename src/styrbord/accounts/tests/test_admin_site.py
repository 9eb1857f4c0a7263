"""The Django admin: system administrators only, and its login is throttled like Styrbord's own."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import override_settings

ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _make_staff(user, superuser: bool = False):  # type: ignore[no-untyped-def]
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="staff"))
    return user


def test_a_staff_coordinator_with_model_permissions_cannot_read_other_tenants_in_the_admin(world, client) -> None:  # type: ignore[no-untyped-def]
    coordinator = _make_staff(world.coordinator)
    client.force_login(coordinator)
    response = client.get("/admin/staff/employee/")
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
    # København's staff (another region) must not show up anywhere in the admin for this user.
    assert world.kbh_staff[0].name not in client.get("/admin/", follow=True).content.decode()


def test_a_system_administrator_uses_the_admin(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(_make_staff(world.admin, superuser=True))
    assert client.get("/admin/staff/employee/").status_code == 200


def test_the_admin_login_refuses_a_staff_account_without_the_administrator_role(world, client) -> None:  # type: ignore[no-untyped-def]
    _make_staff(world.coordinator)
    response = client.post(ADMIN_LOGIN, {"username": "koordinator", "password": "test-password-123"})
    assert response.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=3)
def test_the_admin_login_is_throttled(world, client) -> None:  # type: ignore[no-untyped-def]
    _make_staff(world.admin, superuser=True)
    for _ in range(3):
        client.post(ADMIN_LOGIN, {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert "For mange mislykkede loginforsøg" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address the administrator still gets in.
    ok = client.post(ADMIN_LOGIN, {"username": "admin", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.10")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_the_first_superuser_of_a_new_install_is_a_system_administrator(client) -> None:  # type: ignore[no-untyped-def]
    """createsuperuser left the role at its default: the landing page said "Medarbejder"."""
    from django.core.management import call_command

    from styrbord.accounts.models import Role, User

    call_command("createsuperuser", username="it", email="it@example.org", interactive=False, verbosity=0)
    user = User.objects.get(username="it")
    assert user.role == Role.ADMIN
    client.force_login(user)
    assert "Systemadministrator" in client.get("/").content.decode()


def test_the_admin_takes_and_shows_dates_as_the_pages_write_them(world, client) -> None:  # type: ignore[no-untyped-def]
    """18-12-2024 everywhere: the administration wanted 18.12.2024 and refused what the pages show."""
    client.force_login(_make_staff(world.admin, superuser=True))
    person = world.dolmer_staff[0]
    employment = person.employments.get()
    page = client.get(f"/admin/staff/employee/{person.pk}/change/").content.decode()
    assert f'value="{employment.start_date:%d-%m-%Y}"' in page  # the employment inline's start date
    assert f'value="{employment.start_date:%d.%m.%Y}"' not in page

    from django import forms
    from django.utils import translation

    for language in ("da", "en"):
        with translation.override(language):
            field = forms.DateField()
            for typed in ("18-12-2024", "18.12.2024", "2024-12-18"):
                assert field.clean(typed) == dt.date(2024, 12, 18), (language, typed)


def test_the_admin_lists_people_and_competences_in_danish_order(world, client) -> None:  # type: ignore[no-untyped-def]
    """Æ, Ø and Å after Z, in that order (byte order put Å before Æ and Ø)."""
    import re

    from styrbord.testing import factories

    names = ["Zacharias Berg", "Ærø Hansen", "Øjvind Lund", "Åse Holm"]
    for name in reversed(names):
        factories.employee(name=name)
    for name in ("Åndedræt", "Ørelyd", "Ægte omsorg", "Zoneterapi"):
        factories.competence(name=name)
    client.force_login(_make_staff(world.admin, superuser=True))
    client.get("/admin/")  # the first admin page

    people = client.get("/admin/staff/employee/?q=").content.decode()
    competences = client.get("/admin/competences/competence/").content.decode()

    shown = [n for n in re.findall(r'class="field-name"><a [^>]*>([^<]+)</a>', people) if n in names]
    assert shown == names
    order = [n for n in re.findall(r'class="field-name"><a [^>]*>([^<]+)</a>', competences) if n[0] in "ZÆØÅ"]
    assert order == ["Zoneterapi", "Ægte omsorg", "Ørelyd", "Åndedræt"]


def test_the_admin_saves_a_login_only_with_the_scope_its_role_needs(world, client) -> None:  # type: ignore[no-untyped-def]
    """A coordinator saved with no municipality and no region logged in to an empty Styrbord."""
    from styrbord.accounts.models import User
    from styrbord.testing.forms import form_data, page_forms

    client.force_login(_make_staff(world.admin, superuser=True))
    colleague = User.objects.create_user("ny-kollega", password="test-password-123", role="employee")
    url = f"/admin/accounts/user/{colleague.pk}/change/"
    form = page_forms(client.get(url).content, "//form[@id='user_form']")[0]
    data = form_data(form)

    refused = client.post(url, {**data, "role": "coordinator", "municipality": "", "region": ""})
    saved_with_scope = {**data, "role": "coordinator", "municipality": str(world.dolmer.municipality_id)}

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["municipality"] == [
        "En koordinator skal have en kommune eller en region."
    ]
    colleague.refresh_from_db()
    assert colleague.role == "employee"
    assert client.post(url, saved_with_scope).status_code == 302
    colleague.refresh_from_db()
    assert (colleague.role, colleague.municipality_id) == ("coordinator", world.dolmer.municipality_id)


def test_a_coordinator_of_a_region_is_not_called_municipal(world) -> None:  # type: ignore[no-untyped-def]
    """The region's coordinator read "Kommunal koordinator (HR/kompetence) · Region Hovedstaden"."""
    from django.utils import translation

    from styrbord.testing import factories

    regional = factories.user("coordinator", "regionens-koordinator", region=world.kbh_facility.municipality.region)
    with translation.override("da"):
        assert regional.role_label == "Regional koordinator (HR/kompetence)"
        assert world.coordinator.role_label == "Kommunal koordinator (HR/kompetence)"
    with translation.override("en"):
        assert regional.role_label == "Regional coordinator (HR/competence)"


def test_the_administrator_invites_a_municipalitys_first_coordinator_by_e_mail(world, client, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    """The first coordinator of a new install is made in the administration. With password-based
    login off, no e-mail was sent and *Glemt adgangskode?* sends nothing to a login without a
    password: the only way in was a password the administrator chose and passed on. The login now
    gets the invitation once it has its address (and again if the address changes)."""
    from styrbord.accounts.models import User
    from styrbord.testing.forms import form_data, page_forms

    client.force_login(_make_staff(world.admin, superuser=True))
    added = client.post(
        "/admin/accounts/user/add/", {"username": "mette.koordinator", "usable_password": "false"}, follow=True
    )
    account = User.objects.get(username="mette.koordinator")
    assert not account.has_usable_password()
    assert "Skriv mette.koordinator' e-mailadresse, rolle og omfang" in html.unescape(added.content.decode())
    assert mailoutbox == []

    url = f"/admin/accounts/user/{account.pk}/change/"
    data = form_data(page_forms(client.get(url).content, "//form[@id='user_form']")[0])
    details = {
        **data,
        "first_name": "Mette",
        "email": "mette@syddjurs.dk",
        "role": "coordinator",
        "municipality": str(world.dolmer.municipality_id),
    }
    saved = client.post(url, details, follow=True)
    assert "har fået en invitation til mette@syddjurs.dk" in saved.content.decode()
    assert [m.to for m in mailoutbox] == [["mette@syddjurs.dk"]]
    assert "/konto/adgangskode/" in mailoutbox[0].body
    assert "Dit brugernavn er: mette.koordinator" in mailoutbox[0].body

    client.post(url, details)  # saved again unchanged: no second e-mail
    assert len(mailoutbox) == 1
    client.post(url, {**details, "email": "mette.k@syddjurs.dk"})  # a new address gets a new link
    assert [m.to for m in mailoutbox][-1] == ["mette.k@syddjurs.dk"]

    # The action sends it again on request, but not to a login that has chosen its password.
    world.coordinator.email = "koordinator@example.dk"
    world.coordinator.save()
    client.post(
        "/admin/accounts/user/",
        {"action": "send_invitations", "_selected_action": [account.pk, world.coordinator.pk]},
    )
    assert [m.to for m in mailoutbox][-1] == ["mette.k@syddjurs.dk"]
    assert len(mailoutbox) == 3
