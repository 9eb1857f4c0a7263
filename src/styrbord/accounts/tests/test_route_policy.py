"""Every URL and every API operation is in the route policy, and every rule names a real policy row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from styrbord.accounts.models import Role
from styrbord.accounts.permissions import ALL, POLICY
from styrbord.accounts.route_policy import ROUTES, RouteRule, rule_for


def walk(resolver: URLResolver, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str | None, str, Any]]:
    """(namespace, url name, route, view) for every URL pattern, through every include."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern), pattern.callback


def _check(found: RouteRule) -> str | None:
    if found.kind != "policy":
        return None
    if found.object_type not in POLICY:
        return f"no policy row for object type {found.object_type!r}"
    if found.action not in ALL:
        return f"unknown action {found.action!r}"
    return None


def test_every_url_pattern_has_a_rule() -> None:
    missing, wrong = [], []
    patterns = list(walk(get_resolver()))
    for namespace, name, route, view in patterns:
        found = rule_for(view, name, namespace)
        key = f"{namespace}:{name}" if namespace else str(name)
        if found is None:
            missing.append(f"{key} ({route}) -> {getattr(view, '__module__', '')}")
        elif problem := _check(found):
            wrong.append(f"{key}: {problem}")
    print(f"\nroute policy: {len(patterns)} URL patterns, {len(missing)} without a rule")
    assert not missing, "URLs missing from accounts.route_policy.ROUTES:\n" + "\n".join(missing)
    assert not wrong, "\n".join(wrong)
    assert len(patterns) > 100


def test_every_api_operation_declares_its_policy() -> None:
    from styrbord.api.main import api
    from styrbord.api.registry import OPERATIONS

    schema = api.get_openapi_schema()
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    missing = sorted(operation_ids - set(OPERATIONS))
    assert not missing, f"API operations without a policy: {missing}"
    unknown = sorted({p.object_type for p in OPERATIONS.values()} - set(POLICY))
    assert not unknown, f"API operations name object types with no policy row: {unknown}"
    print(f"\nroute policy: {len(operation_ids)} API operations, all declared")


def test_the_table_has_no_stale_entries() -> None:
    names = {(f"{ns}:{name}" if ns else str(name)) for ns, name, _route, _view in walk(get_resolver())}
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"route policy entries for URLs that no longer exist: {stale}"


def test_every_policy_row_names_every_role() -> None:
    roles = {r.value for r in Role}
    incomplete = {t: sorted(roles - {str(k) for k in rules}) for t, rules in POLICY.items() if roles - set(rules)}
    assert not incomplete, incomplete


def test_the_middleware_refuses_a_role_the_route_does_not_allow(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.employee_user)
    assert client.get("/audit/").status_code == 403  # audit_entry: administrators only
    client.logout()
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_a_route_that_needs_two_permissions_refuses_a_role_with_one(world, client) -> None:  # type: ignore[no-untyped-def]
    from styrbord.accounts.permissions import LIST
    from styrbord.accounts.route_policy import allows, may_open, rule

    both = rule("booking", LIST, also=(("facility", LIST),))
    assert str(both) == "booking.list + facility.list"
    # An employee lists their own bookings but no facilities: the course costs are not theirs to see.
    assert allows(both, world.employee_user) is False
    assert allows(both, world.coordinator) is True
    assert may_open(world.employee_user, "training:cost_overview") is False
    assert may_open(world.coordinator, "training:cost_overview") is True
    client.force_login(world.employee_user)
    assert client.get("/kurser/udgifter/").status_code == 403  # the middleware, before the view
    assert "/kurser/udgifter/" not in client.get("/kurser/").content.decode()  # and no link to it
