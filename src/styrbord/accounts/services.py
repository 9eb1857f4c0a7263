"""Account workflows: describing a user's scope and creating scoped users."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from styrbord.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from styrbord.accounts.models import User


def scope_label(user: User | AnonymousUser) -> str:
    """A short human description of where the user's role applies."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser or user.role == Role.ADMIN:
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
