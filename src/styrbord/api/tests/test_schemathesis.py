"""Schemathesis against the OpenAPI schema: no server error and no schema violation in any operation.

Every operation gets at least 50 generated requests (Hypothesis ``max_examples=50``), sent with
an administrator's token through the WSGI application. Half of the generated requests have
their ids replaced by ids of real rows, so the happy paths (updates, bookings, postings) are
exercised too, not only the 404s. Runs on whichever database the suite runs on (SQLite and
PostgreSQL in CI).
"""

from __future__ import annotations

import time
import traceback
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from styrbord.accounts.tokens import create_token
from styrbord.api.tests import data as api_data
from styrbord.testing.logscan import CPR_PATTERN, names_not_watched, report_summary

EXAMPLES_PER_OPERATION = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _real_ids(d: api_data.TenantData) -> dict[str, list[int]]:
    """Ids of real rows, by the name a path or body uses for them."""
    rows: dict[str, set[int]] = {}
    for objects in d.objects.values():
        for key, obj in objects.items():
            rows.setdefault(key, set()).add(obj.pk)
    ids = {key: sorted(values) for key, values in rows.items()}
    ids["municipality"] = sorted({f.municipality_id for f in d.facilities.values()})
    ids["provider"] = [d.provider.pk]  # type: ignore[union-attr]
    ids["grantor"] = sorted({p.grantor_id for p in d.pools.values() if p.grantor_id})
    ids["session"] = sorted({*ids["session"], *(s.pk for s in d.spare_sessions)})
    return ids


# Collection in the path -> the key of its rows in ``_real_ids``.
PATH_KEYS = {
    "facilities": "facility",
    "units": "unit",
    "staffing-periods": "staffing_period",
    "minimum-staffing": "facility",
    "employees": "employee",
    "employments": "employment",
    "competences": "competence",
    "holdings": "competence_holding",
    "courses": "course",
    "sessions": "session",
    "bookings": "booking",
    "requirements": "requirement",
    "pools": "pool",
    "grants": "grant",
    "ledger": "ledger",
    "legal-bases": "legal_basis",
    "target-groups": "target_group",
    "methods": "method",
    "regions": "region",
    "municipalities": "municipality",
}


def _substitute(case: Any, ids: dict[str, list[int]], rnd: Any) -> None:
    collection = case.operation.path.strip("/").split("/")[0]
    key = PATH_KEYS.get(collection)
    if case.path_parameters and "pk" in case.path_parameters and key in ids:
        case.path_parameters["pk"] = rnd.choice(ids[key])
    if isinstance(case.body, dict):
        for name in list(case.body):
            if name in ids and isinstance(case.body[name], int):
                case.body[name] = rnd.choice(ids[name])
        if isinstance(case.body.get("competences"), list):
            case.body["competences"] = ids["competence"][:1]


def _cpr_shaped_url_input(case: Any) -> bool:
    values = [*(case.path_parameters or {}).values(), *(case.query or {}).values()]
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    return any(CPR_PATTERN.search(str(v)) for v in flat)


@pytest.mark.slow
@pytest.mark.timeout(2400)  # thousands of requests; the suite's default is 600 s
@pytest.mark.usefixtures("on_the_matrix_day")  # the data's sessions are in spring 2026
def test_schemathesis_finds_no_server_error_and_no_schema_violation(world, capsys) -> None:  # type: ignore[no-untyped-def]
    d = api_data.build(world)
    ids = _real_ids(d)
    _token, raw = create_token(world.admin, "schemathesis")
    auth = {"Authorization": f"Bearer {raw}"}
    # Django's test client does the same: the WSGI signals would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        app = WSGIHandler()
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        failures: list[str] = []
        counts: dict[str, int] = {}

        timings: dict[str, float] = {}
        for operation in operations:
            calls = 0
            started = time.perf_counter()

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(), real=st.booleans(), rnd=st.randoms(use_true_random=False))
            def run(case: Any, real: bool, rnd: Any) -> None:
                nonlocal calls
                if real:
                    _substitute(case, ids, rnd)
                # A generated ten-digit id like 1605520462 in the path or query string is CPR-shaped:
                # the request log would carry a "CPR number" the client invented. Such inputs are
                # skipped (Hypothesis draws another), so the log scan still watches everything the
                # application itself logs during the run.
                assume(not _cpr_shaped_url_input(case))
                # Each example starts from the same data (no flaky failures from earlier examples' writes).
                with transaction.atomic():
                    response = case.call(headers=auth)
                    transaction.set_rollback(True)
                calls += 1
                case.validate_response(response, checks=CHECKS, headers=auth)

            try:
                with names_not_watched():
                    run()
            except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, then report all
                failures.append(f"{operation.label}: " + "".join(traceback.format_exception(exc))[-4000:])
            counts[operation.label] = calls
            timings[operation.label] = time.perf_counter() - started
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    line = (
        f"{len(operations)} operations, {sum(counts.values())} requests "
        f"(at least {EXAMPLES_PER_OPERATION} generated examples per operation, derandomized), "
        f"{len(failures)} failures (server errors or schema violations), {sum(timings.values()):.0f} s; slowest: "
        + ", ".join(f"{label} {t:.0f} s" for label, t in sorted(timings.items(), key=lambda x: -x[1])[:3])
    )
    report_summary("schemathesis", line)
    with capsys.disabled():
        print(f"\nschemathesis: {line}")
    assert len(operations) >= 60
    assert not failures, "\n\n".join(failures)
    # Every operation was really exercised with the full number of generated examples.
    thin = {label: n for label, n in counts.items() if n < EXAMPLES_PER_OPERATION}
    assert not thin, f"operations with fewer than {EXAMPLES_PER_OPERATION} examples: {thin}"
