"""The route policy: every URL and API operation says which object type and action it needs.

One table, read by ``RoutePolicyMiddleware`` (pages) and by the API (operations), and checked
for completeness by a test that walks the URL resolver. A view may also declare its own rule
with ``@requires("course", LIST)``; the decorator wins over the table.

Kinds of rule:
- ``PUBLIC``: anyone (login page, language switch);
- ``AUTHENTICATED``: any logged-in user; the view itself scopes what it shows;
- ``ADMIN_SITE``: Django's admin, which checks staff status and model permissions itself;
- ``API``: the REST API, whose operations are checked one by one (``api.registry``);
- ``requires(object_type, action)``: ``accounts.permissions.can`` must allow it; which rows are
  then visible is still the view's job (``scoped_for`` / ``get_scoped_or_404``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.urls import get_urlconf, resolve, reverse

from styrbord.accounts.permissions import CREATE, DELETE, EXPORT, LIST, RETRIEVE, UPDATE, can

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RouteRule:
    """What a route needs: a kind, and for ``policy`` rules an object type and action."""

    kind: str  # "public", "authenticated", "admin_site", "api", "policy"
    object_type: str = ""
    action: str = ""
    also: tuple[tuple[str, str], ...] = ()  # more (object type, action) pairs the route needs

    def __str__(self) -> str:
        if self.kind != "policy":
            return self.kind
        return " + ".join(f"{o}.{a}" for o, a in self.needs())

    def needs(self) -> tuple[tuple[str, str], ...]:
        """Every (object type, action) a policy rule needs."""
        return ((self.object_type, self.action), *self.also)


PUBLIC = RouteRule("public")
AUTHENTICATED = RouteRule("authenticated")
ADMIN_SITE = RouteRule("admin_site")
API = RouteRule("api")


def rule(object_type: str, action: str, also: tuple[tuple[str, str], ...] = ()) -> RouteRule:
    """A rule that needs ``action`` on ``object_type`` (and every pair in ``also``) in the policy table."""
    for _object_type, each in ((object_type, action), *also):
        if each not in {LIST, RETRIEVE, CREATE, UPDATE, DELETE, EXPORT}:
            raise ValueError(f"unknown action {each!r}")
    return RouteRule("policy", object_type, action, also)


def requires(object_type: str, action: str, also: tuple[tuple[str, str], ...] = ()) -> Callable[[F], F]:
    """Decorator for a view function or class: declare its rule next to the code.

    ``also`` lists further (object type, action) pairs for a view that needs more than one.
    """

    def decorate(view: F) -> F:
        view.route_policy = rule(object_type, action, also)  # type: ignore[attr-defined]
        return view

    return decorate


# Namespaces whose every URL follows one rule.
NAMESPACE_RULES: dict[str, RouteRule] = {
    "admin": ADMIN_SITE,
    "api": API,
}

# URL name (namespace:name) -> rule. Keep sorted by app; the resolver test lists what is missing.
ROUTES: dict[str, RouteRule] = {
    # web and accounts
    "web:home": AUTHENTICATED,
    "set_language": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:token_list": AUTHENTICATED,
    "accounts:token_revoke": AUTHENTICATED,
    "accounts:password_set": PUBLIC,  # guarded by its one-time token
    "accounts:password_forgotten": PUBLIC,
    "accounts:password_forgotten_sent": PUBLIC,
    # municipal single sign-on (django-allauth): login flows are public by nature
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_signup": PUBLIC,
    "account_inactive": PUBLIC,
    "account_reauthenticate": PUBLIC,
    "socialaccount_login_cancelled": PUBLIC,
    "socialaccount_login_error": PUBLIC,
    "socialaccount_signup": PUBLIC,
    "socialaccount_connections": AUTHENTICATED,
    "openid_connect_login": PUBLIC,
    "openid_connect_callback": PUBLIC,
    # funding (views check the same rules; listed here because they declare none themselves)
    "funding:pool_list": rule("pool", LIST),
    "funding:pool_create": rule("pool", CREATE),
    "funding:pool_detail": rule("pool", RETRIEVE),
    "funding:pool_edit": rule("pool", UPDATE),
    "funding:package_xlsx": rule("pool", EXPORT),
    "funding:package_docx": rule("pool", EXPORT),
    "funding:deadline_done": rule("pool", UPDATE),
    "funding:grant_create": rule("grant", CREATE),
    "funding:grant_detail": rule("grant", RETRIEVE),
    "funding:municipality_overview": rule("grant", LIST),
    "funding:entry_create": rule("ledger", CREATE),
    "funding:entry_reverse": rule("ledger", CREATE),
    "funding:entry_correct": rule("ledger", CREATE),
    "funding:booking_charge": rule("ledger", CREATE),
    "funding:booking_post_actuals": rule("ledger", CREATE),
    "funding:appropriation_create": rule("appropriation", CREATE),
    "funding:appropriation_detail": rule("appropriation", RETRIEVE),
    # planning
    "planning:scenario_list": rule("scenario", LIST),
    "planning:scenario_create": rule("scenario", CREATE),
    "planning:scenario_detail": rule("scenario", RETRIEVE),
    "planning:scenario_edit": rule("scenario", UPDATE),
    "planning:run_start": rule("plan_run", CREATE),
    "planning:run_detail": rule("plan_run", RETRIEVE),
    "planning:run_xlsx": rule("plan_run", EXPORT),
    "planning:run_status": rule("plan_run", RETRIEVE),
    "planning:run_accept": rule("scenario", UPDATE),
    "planning:compare": rule("plan_run", LIST),
    # reports
    "reports:report_list": rule("report", LIST),
    "reports:report_preview": rule("report", CREATE),
    "reports:report_create": rule("report", CREATE),
    "reports:job_detail": rule("report", RETRIEVE),
    "reports:job_status": rule("report", RETRIEVE),
    "reports:job_download": rule("report", RETRIEVE),
    "reports:template_list": rule("report_template", LIST),
    "reports:default_template": rule("report_template", LIST),
    "reports:template_deactivate": rule("report_template", UPDATE),
    # audit trail and personal data
    # (audit pages declare their rules with @requires in audit/views.py)
}


def rule_for(view_func: Any, url_name: str | None, namespace: str = "") -> RouteRule | None:
    """The rule of a resolved route: the view's own declaration, the namespace, then the table."""
    declared = getattr(view_func, "route_policy", None)
    if declared is None:
        view_class = getattr(view_func, "view_class", None)
        declared = getattr(view_class, "route_policy", None)
    if isinstance(declared, RouteRule):
        return declared
    top = namespace.split(":")[0] if namespace else ""
    if top in NAMESPACE_RULES:
        return NAMESPACE_RULES[top]
    if url_name is None:
        return None
    key = f"{namespace}:{url_name}" if namespace else url_name
    return ROUTES.get(key)


def allows(found: RouteRule | None, user: Any) -> bool | None:
    """Whether ``user`` passes a route's rule: True, False, or None when the answer is "log in first".

    A route without a rule needs a login, as the middleware treats it.
    """
    kind = found.kind if found is not None else "authenticated"
    if kind in {"public", "admin_site", "api"}:
        return True
    if not user.is_authenticated:
        return None
    if found is not None and kind == "policy":
        return all(can(user, action, object_type) for object_type, action in found.needs())
    return True


def may_open(user: Any, url_name: str) -> bool:
    """Whether ``user`` may open the page named ``url_name`` (a URL without arguments).

    For links and buttons: a page shows a link only when following it would not answer 403.
    """
    return bool(allows(_rule_named(url_name, get_urlconf()), user))


@functools.cache
def _rule_named(url_name: str, urlconf: str | None) -> RouteRule | None:
    """The rule of a named URL (URL patterns do not change while the process runs)."""
    match = resolve(reverse(url_name, urlconf=urlconf), urlconf=urlconf)
    return rule_for(match.func, match.url_name, match.namespace)
