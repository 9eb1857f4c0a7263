"""The municipality's logins, kept by its coordinator: list, create with an e-mailed invitation,
change role and scope, close; and the page where an invited person chooses a password.

Who may see and change which login is decided in ``accounts.services`` (``users_for``,
``manageable_users``) on top of the policy row ``user``; a login outside the coordinator's reach
answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Value
from django.db.models.functions import Coalesce, Collate, Concat, NullIf, Trim
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from styrbord.accounts import throttle
from styrbord.accounts.admin import is_system_administrator
from styrbord.accounts.forms import ChoosePasswordForm, UserForm
from styrbord.accounts.models import User
from styrbord.accounts.permissions import CREATE, LIST, UPDATE, can
from styrbord.accounts.route_policy import requires
from styrbord.accounts.services import manageable_users, scope_label, send_invitation, users_for
from styrbord.audit.services import log_action
from styrbord.lib.collation import COLLATION, collated
from styrbord.organisations.models import Facility, Municipality

# The name the list shows (``get_full_name`` or, without one, the username), for ordering by it:
# first and last name apart would put "Bo Nowak Nissen" before "bo Andersen" (case breaks the tie).
SHOWN_NAME = Coalesce(NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")), "username")

STATE_FIELDS = ["username", "first_name", "last_name", "email", "role", "municipality_id", "employee_id", "is_active"]


def _state(account: User) -> dict[str, Any]:
    """The login's role and scope for the audit log (never its password hash)."""
    state: dict[str, Any] = {name: getattr(account, name) for name in STATE_FIELDS}
    state["facilities"] = sorted(account.facilities.values_list("pk", flat=True)) if account.pk else []
    return state


def _own_municipality(request: HttpRequest) -> Municipality:
    municipality = getattr(request.user, "municipality", None)
    if municipality is None:
        raise PermissionDenied
    return municipality


@requires("user", LIST)
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    """The logins of the coordinator's municipality (all of them for an administrator)."""
    if not can(request.user, LIST, "user"):
        raise PermissionDenied
    administrator = is_system_administrator(request.user)
    accounts = (
        users_for(request.user)
        .select_related("municipality", "region", "grantor", "employee")
        .prefetch_related(Prefetch("facilities", queryset=Facility.objects.only("name").order_by(collated("name"))))
        .order_by("-is_active", Collate(SHOWN_NAME, COLLATION).asc(), "username")
    )
    editable = set(manageable_users(request.user).values_list("pk", flat=True))
    # Logins connected to the municipal login (SSO) have no password to wait for.
    connected = set(SocialAccount.objects.filter(user__in=accounts.values("pk")).values_list("user_id", flat=True))
    rows = [
        {
            "account": account,
            # Waiting for the person to choose a password (no municipal login connected either).
            "invited": account.is_active and not account.has_usable_password() and account.pk not in connected,
            "role": account.role_label,
            "scope": scope_label(account),
            "editable": account.pk in editable,
            # An administrator changes every login in the administration (region, grantor, staff).
            "admin_url": reverse("admin:accounts_user_change", args=[account.pk]) if administrator else "",
        }
        for account in accounts
    ]
    return render(
        request,
        "accounts/user_list.html",
        {
            "rows": rows,
            "can_create": can(request.user, CREATE, "user") and getattr(request.user, "municipality_id", None),
        },
    )


@requires("user", CREATE)
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    """A new login of the municipality; the person gets an e-mail to choose a password."""
    if not can(request.user, CREATE, "user"):
        raise PermissionDenied
    municipality = _own_municipality(request)
    form = UserForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            account = form.save()
            log_action(account, "accounts.user.created", request.user, after=_state(account))
            send_invitation(account, request.user, request)  # type: ignore[arg-type]
        messages.success(
            request,
            _("%(name)s er oprettet, og en invitation er sendt til %(email)s.")
            % {"name": account.get_full_name() or account.username, "email": account.email},
        )
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": None, "municipality": municipality})


def _managed_or_404(request: HttpRequest, pk: int) -> User:
    account = manageable_users(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


@requires("user", UPDATE)
@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a login's name, e-mail, role and scope, or close it (it can no longer log in)."""
    if not can(request.user, UPDATE, "user"):
        raise PermissionDenied
    municipality = _own_municipality(request)
    account = _managed_or_404(request, pk)
    before = _state(account)
    shown_name = account.get_full_name() or account.username
    form = UserForm(request.POST or None, instance=account, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            account = form.save()
            after = _state(account)
            if after != before:
                log_action(account, "accounts.user.updated", request.user, before=before, after=after)
            # A corrected address of a login still waiting for its password: the invitation sent
            # to the old one stops working (the token covers the address), so a new one goes out.
            reinvite = after["email"] != before["email"] and account.is_active and not account.has_usable_password()
            if reinvite:
                send_invitation(account, request.user, request)  # type: ignore[arg-type]
        name = account.get_full_name() or account.username
        if reinvite:
            messages.success(
                request,
                _("%(name)s er gemt, og en ny invitation er sendt til %(email)s.")
                % {"name": name, "email": account.email},
            )
        else:
            messages.success(request, _("%(name)s er gemt.") % {"name": name})
        return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "account": account, "shown_name": shown_name, "municipality": municipality},
    )


@requires("user", UPDATE)
@login_required
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the invitation again (e.g. the first one expired or went to a wrong address)."""
    if not can(request.user, UPDATE, "user"):
        raise PermissionDenied
    account = _managed_or_404(request, pk)
    if not account.is_active:
        messages.error(request, _("Brugeren er lukket. Gør den aktiv, før du sender en invitation."))
    elif not account.email:
        messages.error(request, _("Brugeren har ingen e-mailadresse. Skriv den, og gem, før du sender en invitation."))
    else:
        send_invitation(account, request.user, request)  # type: ignore[arg-type]
        messages.success(request, _("En ny invitation er sendt til %(email)s.") % {"email": account.email})
    return redirect("accounts:user_edit", pk=account.pk)


class PasswordForgottenView(auth_views.PasswordResetView):
    """'Glemt adgangskode?': a link to choose a new password, sent to the login's own address.

    The answer is the same whether the address is known or not (no way to test addresses), and
    Django sends only to active logins that have a password (a pending invitation is sent again
    by the coordinator). The e-mail is Danish: the recipient's language is not known."""

    template_name = "accounts/password_forgotten.html"
    email_template_name = "accounts/password_forgotten_email.txt"
    subject_template_name = "accounts/password_forgotten_subject.txt"
    success_url = reverse_lazy("accounts:password_forgotten_sent")

    def form_valid(self, form: Any) -> HttpResponse:
        if not throttle.allow_reset_mail(form.cleaned_data["email"], throttle.client_ip(self.request)):
            # The same answer as when it is sent: asking again and again reveals nothing either.
            return redirect(self.get_success_url())
        with translation.override("da"):
            return super().form_valid(form)


class PasswordForgottenSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_forgotten_sent.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Where an invited person chooses their password (Django's token check and validators)."""

    template_name = "accounts/password_set.html"
    form_class = ChoosePasswordForm
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        log_action(form.user, "accounts.user.password_chosen", form.user, {})
        messages.success(self.request, _("Din adgangskode er gemt. Log ind med dit brugernavn og den nye adgangskode."))
        return response
