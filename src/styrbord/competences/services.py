"""Competence holdings: what lapses soon and is not yet renewed, and holdings registered by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from styrbord.audit.services import log_action, snapshot
from styrbord.competences.models import Competence, CompetenceHolding
from styrbord.staff.models import Employee, Employment


def lapsing_holdings(employments: QuerySet[Employment], today: dt.date, days: int) -> QuerySet[CompetenceHolding]:
    """Holdings of these employments' people that lapse within ``days`` and that no later
    certificate of the same competence outlasts (a renewal already in place)."""
    renewed = CompetenceHolding.objects.filter(
        employee_id=OuterRef("employee_id"),
        competence_id=OuterRef("competence_id"),
        acquired_on__gt=OuterRef("acquired_on"),
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    return CompetenceHolding.objects.filter(
        employee_id__in=employments.values("employee_id"),
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=days),
    ).exclude(Exists(renewed))


def default_expiry(competence: Competence, acquired_on: dt.date) -> dt.date | None:
    """The last valid day of a certificate acquired on ``acquired_on`` (None: it does not expire)."""
    try:
        return competence.expiry_for(acquired_on)
    except (OverflowError, ValueError):
        raise ValidationError({"acquired_on": _("Datoen giver en udløbsdato uden for kalenderen.")}) from None


def ensure_not_registered(employee: Employee, competence: Competence, acquired_on: dt.date) -> None:
    """Refuse a certificate the person already has (same competence, same day), in a transaction.

    The person is locked first, so that a form or request sent twice (a double click, a reload,
    a synchronisation run again) registers one certificate, not two."""
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if CompetenceHolding.objects.filter(employee=employee, competence=competence, acquired_on=acquired_on).exists():
        raise ValidationError(
            {"acquired_on": _("Medarbejderen har allerede denne kompetence registreret med denne dato.")}
        )


def register_holding(
    user: Any,
    employee: Employee,
    competence: Competence,
    acquired_on: dt.date,
    expires_on: dt.date | None = None,
    evidence: str = "",
) -> CompetenceHolding:
    """Register by hand that a person holds a competence (a certificate from elsewhere).

    Without an expiry date the holding gets the competence's validity from the acquisition
    day. Validated in full, saved and put in the audit trail in one transaction.
    """
    if expires_on is None:
        expires_on = default_expiry(competence, acquired_on)
    holding = CompetenceHolding(
        employee=employee,
        competence=competence,
        acquired_on=acquired_on,
        expires_on=expires_on,
        evidence=evidence,
        source=CompetenceHolding.Source.MANUAL,
    )
    holding.full_clean()
    with transaction.atomic():
        ensure_not_registered(employee, competence, acquired_on)
        holding.save()
        log_action(holding, "competences.holding.registered", user, after=snapshot(holding))
    return holding


def remove_holding(user: Any, holding: CompetenceHolding, reason: str) -> None:
    """Remove a holding registered by hand (a mistake); the trail keeps what it was and why."""
    if holding.source != CompetenceHolding.Source.MANUAL:
        raise ValidationError(_("Kun beviser, der er registreret manuelt, kan fjernes her."))
    with transaction.atomic():
        log_action(holding, "competences.holding.removed", user, {"reason": reason}, before=snapshot(holding))
        holding.delete()
