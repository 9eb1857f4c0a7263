"""The login form with throttling, and the form that names a new API token."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from styrbord.accounts import throttle
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_action


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing a username (from an address) after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Brugernavn eller adgangskode er forkert."),
        "inactive": _("Denne konto er deaktiveret."),
        "locked": _(
            "For mange mislykkede loginforsøg. Kontoen er midlertidigt spærret fra denne adresse. "
            "Prøv igen om %(minutes)s minutter."
        ),
    }

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request) if self.request is not None else "unknown"
        if throttle.is_locked(username, ip):
            raise ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": settings.LOGIN_LOCK_MINUTES}
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if throttle.record_failure(username, ip):
                log_action(None, "accounts.login.locked", None, {}, kind=AuditEntry.Kind.SECURITY)
                raise ValidationError(
                    self.error_messages["locked"], code="locked", params={"minutes": settings.LOGIN_LOCK_MINUTES}
                ) from None
            raise
        throttle.record_success(username, ip)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"), max_length=100, help_text=_("Hvad tokenet skal bruges til, f.eks. lønsystemets import.")
    )
