"""The login form with throttling, the form that names a new API token, and a municipality's logins."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from styrbord.accounts import throttle
from styrbord.accounts.models import Role, User
from styrbord.audit.models import AuditEntry
from styrbord.audit.services import log_action
from styrbord.lib.collation import collated
from styrbord.organisations.models import Municipality


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing a username (from an address) after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Brugernavn eller adgangskode er forkert."),
        "inactive": _("Dit login er lukket. Kontakt kommunens koordinator, hvis du stadig skal bruge Styrbord."),
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


class UserForm(forms.ModelForm):
    """A login of the municipality: who, which role, and where it applies.

    The choices are the coordinator's own: the municipal roles, the municipality's facilities, and
    an employee of the municipality found by employment number. What does not belong to the role
    chosen is cleared on save (a facility manager has facilities, an employee login an employee)."""

    employment_number = forms.CharField(
        label=_("Ansættelsesnummer"),
        max_length=40,
        required=False,
        help_text=_(
            "Medarbejderens ansættelsesnummer fra lønsystemet; det står på personens profil under Ansættelser. "
            "Kræves for rollen Medarbejder."
        ),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "facilities", "is_active"]
        widgets = {"facilities": forms.CheckboxSelectMultiple}
        labels = {"is_active": _("Aktiv (kan logge ind)"), "facilities": pgettext_lazy("several facilities", "Tilbud")}
        help_texts = {
            "username": _("Det navn, brugeren logger ind med. Bogstaver, tal og @ . + - _"),
            "facilities": _("Kræves for rollen Tilbudsleder: de tilbud, lederen ser."),
            "is_active": _(
                "Fjern fluebenet for at lukke brugeren: personen kan ikke længere logge ind, men hvad "
                "brugeren har gjort, står stadig i loggen."
            ),
        }

    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "facilities",
        "employment_number",
        "is_active",
    ]

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from styrbord.accounts.services import MUNICIPAL_ROLES, municipal_facilities

        self.municipality = municipality
        role = self.fields["role"]
        assert isinstance(role, forms.TypedChoiceField)
        role.choices = [("", _("Vælg rolle")), *((r.value, r.label) for r in MUNICIPAL_ROLES)]
        if self.instance.pk is None:
            self.initial["role"] = ""  # not the model's default (Medarbejder): the coordinator chooses
        facilities = self.fields["facilities"]
        assert isinstance(facilities, forms.ModelMultipleChoiceField)
        facilities.queryset = municipal_facilities(municipality.pk).order_by(collated("name"))
        self.fields["email"].required = True
        if self.email_locked():
            email = self.fields["email"]
            email.disabled = True
            email.required = False  # kept as it is, even empty
            email.help_text = _(
                "Brugeren har valgt en adgangskode eller logger ind med kommunalt login. E-mailadressen er "
                "vejen til kontoen, så kun en systemadministrator kan ændre den."
            )
        if self.instance.pk is None:
            del self.fields["is_active"]
        elif self.instance.employee_id is not None:
            self.initial["employment_number"] = (
                self.instance.employee.employments.filter(facility__in=facilities.queryset)
                .order_by("-start_date")
                .values_list("employment_number", flat=True)
                .first()
                or ""
            )

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        taken = User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists()
        if taken:
            raise ValidationError(_("Brugernavnet »%(username)s« er allerede i brug."), params={"username": username})
        return username

    def email_locked(self) -> bool:
        """Whether the e-mail address is the key to a login someone already uses: an invitation
        (or a municipal login, matched by e-mail) to another address would hand the login over."""
        account = self.instance
        if account.pk is None:
            return False
        from allauth.socialaccount.models import SocialAccount

        return account.has_usable_password() or SocialAccount.objects.filter(user=account).exists()

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"] or "").strip().lower()
        if self.fields["email"].disabled:
            return str(self.instance.email)
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            # Not who: the other login may belong to another municipality.
            raise ValidationError(_("E-mailadressen bruges allerede af en anden bruger."))
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if role == Role.FACILITY_MANAGER and not cleaned.get("facilities"):
            self.add_error("facilities", _("Vælg mindst ét tilbud, som tilbudslederen skal se."))
        self.employee = None
        number = str(cleaned.get("employment_number") or "").strip()
        if role == Role.EMPLOYEE and not number:
            self.add_error("employment_number", _("Skriv medarbejderens ansættelsesnummer."))
        elif number and role == Role.EMPLOYEE:
            from styrbord.accounts.services import municipal_facilities
            from styrbord.staff.models import Employment

            found = (
                Employment.objects.filter(
                    # The municipality's own employment (numbers are unique per municipality) of
                    # one of its own people: another municipality's person of the same number is not found.
                    municipality=self.municipality,
                    employee__municipality=self.municipality,
                    employment_number=number,
                    facility__in=municipal_facilities(self.municipality.pk),
                )
                .select_related("employee")
                .first()
            )
            if found is None:
                self.add_error(
                    "employment_number",
                    _("Kommunen har ingen ansættelse med nummer %(number)s.") % {"number": number},
                )
            else:
                other = User.objects.filter(employee=found.employee).exclude(pk=self.instance.pk).first()
                if other is not None:
                    self.add_error(
                        "employment_number",
                        _("%(name)s har allerede en bruger (%(username)s).")
                        % {"name": found.employee.name, "username": other.username},
                    )
                self.employee = found.employee
        return cleaned

    def save(self, commit: bool = True) -> User:
        account = super().save(commit=False)
        role = account.role
        account.municipality = self.municipality if role in (Role.COORDINATOR, Role.FINANCE) else None
        account.region = None
        account.grantor = None
        # Only an employee login is tied to an employee (a role changed away from it lets go).
        employee = self.employee if role == Role.EMPLOYEE else None
        account.employee = employee
        if employee is not None and not (account.first_name or account.last_name):
            # An employee login left without a name takes the employee's (as in the HR data).
            first, _space, last = employee.name.partition(" ")
            account.first_name, account.last_name = first[:150], last[:150]
        account.is_staff = False
        account.is_superuser = False
        if account.pk is None:
            account.set_unusable_password()  # chosen by the person through the invitation
        account.save()
        facilities = self.cleaned_data.get("facilities") or []
        account.facilities.set(facilities if role == Role.FACILITY_MANAGER else [])
        return account


class ChoosePasswordForm(SetPasswordForm):
    """Django's form for a new password, with what is wrong with the password under the password
    itself (Django puts the validators' messages under the confirmation; a mismatch stays there)."""

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self) or {}
