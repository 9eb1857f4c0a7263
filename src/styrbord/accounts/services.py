"""Account workflows: describing a user's scope; the municipality's logins, who may change them,
and the invitation that lets a new login choose its password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import LIST, UPDATE, can, is_administrator
from styrbord.organisations.models import Facility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from styrbord.accounts.models import User


def scope_label(user: User | AnonymousUser) -> str:
    """A short human description of where the user's role applies."""
    if not user.is_authenticated:
        return ""
    if is_administrator(user):
        return _("Hele systemet")
    if user.role == Role.FACILITY_MANAGER:
        return ", ".join(f.name for f in user.facilities.all())
    if user.role == Role.EMPLOYEE:
        return _("Egne oplysninger")
    if user.role == Role.GRANTOR and user.grantor is not None:
        return user.grantor.name
    if user.municipality is not None:
        return str(user.municipality)
    if user.region is not None:
        return user.region.name
    return _("Hele landet") if user.role == Role.ANALYST else ""


# --- User administration: a municipal coordinator gives the municipality's people their logins ---

# The roles a coordinator may give (and the accounts they may change): those whose scope lies
# inside one municipality. Administrators, analysts and grantors belong to no single municipality;
# their accounts are made by a system administrator.
MUNICIPAL_ROLES = (Role.FACILITY_MANAGER, Role.EMPLOYEE, Role.FINANCE, Role.COORDINATOR)


def municipal_facilities(municipality_id: int) -> QuerySet[Facility]:
    """The facilities a municipality runs in Styrbord (not the region's ones within its borders)."""
    return Facility.objects.filter(municipality_id=municipality_id).exclude(operator_kind=Facility.OperatorKind.REGION)


def users_of_municipality(municipality_id: int) -> QuerySet[User]:
    """Every login tied to the municipality: by its own municipality, a facility it manages, or
    the employee it is (employed at one of the municipality's facilities)."""
    from styrbord.accounts.models import User
    from styrbord.staff.models import Employment

    facilities = municipal_facilities(municipality_id)
    employees = Employment.objects.filter(facility__in=facilities).values("employee_id")
    ids = User.objects.filter(
        Q(municipality_id=municipality_id) | Q(facilities__in=facilities) | Q(employee_id__in=employees)
    ).values("pk")
    return User.objects.filter(pk__in=ids)


def users_for(user: User | AnonymousUser) -> QuerySet[User]:
    """The logins a user may see on the user pages: an administrator all, a coordinator those of
    their municipality, everyone else none."""
    from styrbord.accounts.models import User

    if not can(user, LIST, "user"):
        return User.objects.none()
    if is_administrator(user):
        return User.objects.all()
    municipality_id = getattr(user, "municipality_id", None)
    if municipality_id is None:
        return User.objects.none()
    return users_of_municipality(municipality_id)


def manageable_users(user: User | AnonymousUser) -> QuerySet[User]:
    """The logins ``user`` may change on the user pages, as one query: for a coordinator, the
    logins of their municipality with a municipal role whose whole scope lies inside it (no
    facility elsewhere; an employee login's employee employed here), and not their own (no one
    locks themselves out or raises their own rights). Administrators use the administration,
    where every field is open."""
    from styrbord.accounts.models import User
    from styrbord.staff.models import Employment

    municipality_id = getattr(user, "municipality_id", None)
    if not can(user, UPDATE, "user") or municipality_id is None:
        return User.objects.none()
    if not user.is_authenticated or is_administrator(user):
        return User.objects.none()
    own = municipal_facilities(municipality_id)
    facility_elsewhere = User.facilities.through.objects.filter(user_id=OuterRef("pk")).exclude(facility__in=own)
    employed_here = Employment.objects.filter(employee_id=OuterRef("employee_id"), facility__in=own)
    return (
        users_of_municipality(municipality_id)
        .exclude(pk=user.pk)
        .filter(is_superuser=False, is_staff=False, role__in=MUNICIPAL_ROLES, region=None, grantor=None)
        .filter(Q(municipality=None) | Q(municipality_id=municipality_id))
        .exclude(Exists(facility_elsewhere))
        .filter(Q(employee=None) | Exists(employed_here))
    )


def role_scope_text(account: User) -> str:
    """The account's role and where it applies, for lists and the invitation."""
    role, where = account.role_label, scope_label(account)
    return f"{role} ({where})" if where else role


def send_invitation(account: User, invited_by: User, request: HttpRequest) -> None:
    """E-mail the account a link to choose its password (valid ``PASSWORD_RESET_TIMEOUT``).

    The link is Django's password-reset token: it works once, and no longer after the password
    has been set or the account changed its e-mail address. The coordinator never sees it."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from styrbord.audit.services import log_action

    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    url = request.build_absolute_uri(reverse("accounts:password_set", args=[uid, token]))
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    # In Danish whatever the inviter's language: the recipient's is not known yet.
    with translation.override("da"):
        subject = _("Din adgang til Styrbord")
        body = _(
            "Hej %(name)s\n\n"
            "%(inviter)s har givet dig adgang til Styrbord som %(role)s.\n"
            "Dit brugernavn er: %(username)s\n\n"
            "Vælg din adgangskode her. Linket virker i %(days)s dage og kun én gang:\n%(url)s\n\n"
            "Har du ikke ventet denne e-mail, kan du se bort fra den.\n"
        ) % {
            "name": account.first_name or account.username,
            "inviter": invited_by.get_full_name() or invited_by.username,
            "role": role_scope_text(account),
            "username": account.username,
            "days": days,
            "url": url,
        }
    send_mail(subject, body, None, [account.email])
    log_action(account, "accounts.user.invited", invited_by, {"username": account.username})
