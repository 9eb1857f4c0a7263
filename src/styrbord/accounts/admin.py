"""The Django admin for accounts, and the admin site's own doors.

The admin site shows every tenant's rows unscoped, so only system administrators (role
``admin`` or superusers) may use it, whatever ``is_staff`` says; and its login form is the
same throttled form as Styrbord's own login page (no unthrottled password door).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from styrbord.accounts.forms import ThrottledAuthenticationForm
from styrbord.accounts.models import ApiToken, RetentionHold, RetentionRule, Role, User
from styrbord.accounts.permissions import is_administrator


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login form (staff only) with the login throttle of ``ThrottledAuthenticationForm``."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_system_administrator(user):
            raise self.get_invalid_login_error()


def is_system_administrator(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and is_administrator(user))


_staff_has_permission = admin.site.has_permission


def _admin_site_permission(request: HttpRequest) -> bool:
    return bool(_staff_has_permission(request)) and is_system_administrator(request.user)


admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.has_permission = _admin_site_permission  # type: ignore[method-assign]


# What each role needs to see anything: a coordinator saved with no municipality or region had an
# empty Styrbord (safe, but a login that cannot work). Field -> the message, said at that field.
SCOPE_NEEDED: dict[str, tuple[str, Any]] = {
    Role.COORDINATOR: ("municipality", _("En koordinator skal have en kommune eller en region.")),
    Role.FINANCE: ("municipality", _("En økonomimedarbejder skal have en kommune eller en region.")),
    Role.FACILITY_MANAGER: ("facilities", _("En tilbudsleder skal have mindst ét tilbud.")),
    Role.EMPLOYEE: ("employee", _("Et medarbejderlogin skal være knyttet til en medarbejder.")),
    Role.GRANTOR: ("grantor", _("En tilskudsgiver skal have sin tilskudsgiver valgt.")),
}


class ScopedUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    """The administration's user form: a role's login is saved with the scope the role needs."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role in SCOPE_NEEDED and not data.get("is_superuser"):
            field, message = SCOPE_NEEDED[role]
            has_scope = bool(data.get(field)) or (field == "municipality" and bool(data.get("region")))
            if not has_scope and field in self.fields:
                self.add_error(field, message)
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = ScopedUserChangeForm
    list_display = ("username", "first_name", "last_name", "role", "municipality", "region", "is_active")
    list_filter = ("role", "is_active", "municipality__region")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Rolle og omfang"), {"fields": ("role", "municipality", "region", "facilities", "employee", "grantor")}),
    )
    filter_horizontal = ("facilities", "groups", "user_permissions")
    raw_id_fields = ("employee",)
    actions = ["send_invitations"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """A login without a password of its own (password-based login off when it was added) gets
        the same e-mailed invitation as one a coordinator creates, once it has its e-mail address
        (the add page asks only for the user name; the address, role and scope follow on the
        change page), and again when the address changes. The municipality's first coordinator is
        made here: without it they had no way in but a password the administrator chose and passed
        on."""
        from styrbord.audit.models import AuditEntry

        super().save_model(request, obj, form, change)
        if not obj.is_active or obj.has_usable_password():
            return
        if not obj.email:
            messages.info(
                request,
                gettext(
                    "Skriv %(user)s' e-mailadresse, rolle og omfang, og gem: så får brugeren en invitation til "
                    "at vælge sin adgangskode."
                )
                % {"user": obj.username},
            )
            return
        invited = AuditEntry.objects.filter(
            action="accounts.user.invited", object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).exists()
        if not invited or "email" in form.changed_data:
            self._invite(request, obj)

    def _invite(self, request: HttpRequest, account: User) -> bool:
        from styrbord.accounts.services import send_invitation

        if not account.email:
            messages.warning(
                request,
                gettext(
                    "%(user)s har ingen e-mailadresse og har ikke fået en invitation. Skriv adressen, gem, "
                    "og brug handlingen »Send invitation«."
                )
                % {"user": account.username},
            )
            return False
        send_invitation(account, request.user, request)  # type: ignore[arg-type]
        messages.success(
            request,
            gettext("%(user)s har fået en invitation til %(email)s: et link til at vælge sin adgangskode.")
            % {"user": account.username, "email": account.email},
        )
        return True

    @admin.action(description=_("Send invitation (link til at vælge adgangskode)"))
    def send_invitations(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Send the invitation again, e.g. when the first one expired or the address was wrong.
        Not to a closed login, and not to one that has chosen its password (it has "Glemt
        adgangskode?")."""
        skipped = []
        for account in queryset.order_by("username"):
            if not account.is_active or account.has_usable_password():
                skipped.append(account.username)
            else:
                self._invite(request, account)
        if skipped:
            messages.info(
                request,
                ngettext(
                    "Ingen invitation til %(users)s: lukket, eller har allerede sin adgangskode.",
                    "Ingen invitation til %(users)s: lukkede, eller har allerede deres adgangskode.",
                    len(skipped),
                )
                % {"users": ", ".join(skipped)},
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (the hash is all that is stored); an admin can revoke them."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "years_after_end", "note")


@admin.register(RetentionHold)
class RetentionHoldAdmin(admin.ModelAdmin):
    list_display = ("employee", "reason", "created_by", "created_at", "released_at")
    list_filter = ("released_at",)
    raw_id_fields = ("employee", "created_by")
    readonly_fields = ("created_at",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
