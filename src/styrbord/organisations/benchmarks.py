"""`styrbord bench pages`: the facility pages against a bare single-row lookup, over real HTTP.

A WSGI server in this process serves the project's URLs plus a baseline view that looks up
one facility by primary key (``bench/baseline/<pk>/``, registered only here, through the
bench URLconf below). A coordinator of the municipality with the most generated facilities
logs in through the login form; then each page is requested in turn, N times, and timed
from the client. ratio = baseline median / page median (goal: at least 0,5). Each page also
gets ``server_ms``, the median time the app itself spent on it, so the JSON shows how much of a
page's time is its own work and how much is HTTP.
"""

from __future__ import annotations

import argparse
import http.client
import re
import secrets
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.contrib.auth.decorators import login_required
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, path
from django.utils.html import escape

from styrbord.accounts.models import Role, User
from styrbord.accounts.route_policy import AUTHENTICATED, PUBLIC
from styrbord.bench.registry import Benchmark
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality
from styrbord.organisations.services import current_employments
from styrbord.staff.models import Employee, Employment

BENCH_USERNAME = "bench-koordinator"
BENCH_URLCONF = "styrbord.organisations.benchmarks"


@login_required
def baseline(request: HttpRequest, pk: int) -> HttpResponse:
    """The reference: an authenticated single-row lookup with a minimal HTML answer."""
    name = Facility.objects.values_list("name", flat=True).get(pk=pk)
    return HttpResponse(f"<!doctype html><title>{escape(name)}</title><p>{escape(name)}</p>")


def baseline_anonymous(request: HttpRequest, pk: int) -> HttpResponse:
    """The same lookup without authentication (no session or user query), for comparison."""
    name = Facility.objects.values_list("name", flat=True).get(pk=pk)
    return HttpResponse(f"<!doctype html><title>{escape(name)}</title><p>{escape(name)}</p>")


baseline.route_policy = AUTHENTICATED  # type: ignore[attr-defined]
baseline_anonymous.route_policy = PUBLIC  # type: ignore[attr-defined]


def __getattr__(name: str) -> Any:
    """The bench URLconf: the project's URLs plus the baseline views (built on first use)."""
    if name == "urlpatterns":
        from styrbord.urls import urlpatterns as project

        patterns: list[URLPattern | URLResolver] = [
            path("bench/baseline/<int:pk>/", baseline, name="bench_baseline"),
            path("bench/baseline-anonymous/<int:pk>/", baseline_anonymous, name="bench_baseline_anonymous"),
            *project,
        ]
        return patterns
    raise AttributeError(name)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class _CountingApp:
    """The Django WSGI app, counting the SQL queries each path runs and timing, per request, the
    app's work (without HTTP parsing and the socket).

    SQL time is not given: the driver runs much of a query while rows are fetched, outside any
    execute wrapper, so a figure for it would be too low."""

    def __init__(self) -> None:
        self.app = WSGIHandler()
        # The last request's SQL queries and app time: the client sends one request at a time and
        # reads them after each, so two targets with the same URL (a small data set's median and
        # largest facility may be one) each get their own figures.
        self.last_queries = 0
        self.last_server_s = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        count = Counter[str]()

        def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            count["n"] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(wrapper):
            response = self.app(environ, start_response)
        self.last_server_s = time.perf_counter() - started
        self.last_queries = count["n"]
        return response


@contextmanager
def _server() -> Iterator[tuple[str, int, _CountingApp]]:
    """A single-threaded WSGI server in a background thread (keeps one database connection)."""
    app = _CountingApp()
    server = make_server("127.0.0.1", 0, app, server_class=WSGIServer, handler_class=_QuietHandler)

    def serve() -> None:
        try:
            server.serve_forever()
        finally:
            connections.close_all()  # the server thread's own database connection

    thread = threading.Thread(target=serve, name="bench-pages-server", daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port, app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Client:
    """A tiny HTTP client that keeps cookies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, body: str | None = None) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "da"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{url}"
        conn.request(method, url, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location") or "", text

    def login(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/konto/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise RuntimeError(f"the login page answered {status} without a CSRF token")
        body = urlencode({"csrfmiddlewaretoken": match.group(1), "username": username, "password": password})
        status, location, _ = self.request("POST", "/konto/login/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"logging in as {username} failed ({status} {location})")


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def _bench_user(municipality: Municipality) -> tuple[User, str]:
    password = secrets.token_urlsafe(16)
    user, _ = User.objects.update_or_create(
        username=BENCH_USERNAME,
        defaults={"role": Role.COORDINATOR, "municipality": municipality, "region": None, "first_name": "Bench"},
    )
    user.set_password(password)
    user.save()
    return user, password


def _pick_targets() -> tuple[Municipality, Facility, Facility]:
    """The municipality with the most facilities, its median-sized and its largest facility."""
    busiest = (
        Facility.objects.exclude(operator_kind=Facility.OperatorKind.REGION)
        .values("municipality_id")
        .annotate(n=Count("id"))
        .order_by("-n", "municipality_id")
        .first()
    )
    if busiest is None:
        raise RuntimeError("there are no facilities: run `styrbord generate` or use --generate")
    municipality = Municipality.objects.get(pk=busiest["municipality_id"])
    today = local_today()
    sizes = list(
        current_employments(today)
        .filter(facility__municipality=municipality)
        .exclude(facility__operator_kind=Facility.OperatorKind.REGION)
        .values("facility_id")
        .annotate(n=Count("id"))
        .order_by("n", "facility_id")
    )
    if not sizes:
        raise RuntimeError(f"{municipality} has no staff to show")
    median = Facility.objects.get(pk=sizes[len(sizes) // 2]["facility_id"])
    largest = Facility.objects.get(pk=sizes[-1]["facility_id"])
    return municipality, median, largest


def run(options: dict[str, Any]) -> dict[str, Any]:
    """Time the pages and the baseline on the configured database."""
    from styrbord.demo.generate import generate, generated_exists

    if options.get("generate") or options.get("migrate"):
        call_command("migrate", interactive=False, verbosity=0)  # a fresh bench database has no tables
    if options.get("generate") and not generated_exists():
        generate(options.get("staff") or 100_000, seed=options.get("seed") or 1)
    municipality, median_facility, largest_facility = _pick_targets()
    user, password = _bench_user(municipality)
    del user
    requests = max(1, int(options.get("requests") or 50))
    warmup = max(1, int(options.get("warmup") or 5))
    today = local_today()
    staff_sizes = {
        f.pk: current_employments(today).filter(facility=f).count() for f in (median_facility, largest_facility)
    }
    targets = {
        "baseline": f"/bench/baseline/{median_facility.pk}/",
        "baseline_anonymous": f"/bench/baseline-anonymous/{median_facility.pk}/",
        # The landing page: the shared layout (menu, forms) with almost nothing in it, for scale.
        "landing_page": "/",
        "facility_list": "/tilbud/",
        "facility_detail": f"/tilbud/{median_facility.pk}/",
        "facility_detail_largest": f"/tilbud/{largest_facility.pk}/",
        "municipality_overview": f"/tilbud/kommune/{municipality.code}/",
    }
    samples: dict[str, list[float]] = {name: [] for name in targets}
    server_s: dict[str, list[float]] = {name: [] for name in targets}
    queries: dict[str, int] = {}
    with override_settings(ROOT_URLCONF=BENCH_URLCONF), _server() as (host, port, app):
        client = _Client(host, port)
        client.login(BENCH_USERNAME, password)
        for _ in range(warmup):
            for name, url in targets.items():
                status, _, _ = client.request("GET", url)
                if status != 200:
                    raise RuntimeError(f"{name} ({url}) answered {status}")
        for _ in range(requests):  # the warm-up's requests are not timed
            for name, url in targets.items():  # interleaved, so noise hits every page alike
                started = time.perf_counter()
                status, _, _ = client.request("GET", url)
                samples[name].append(time.perf_counter() - started)
                server_s[name].append(app.last_server_s)
                queries[name] = app.last_queries
                if status != 200:
                    raise RuntimeError(f"{name} ({url}) answered {status}")
    # Where a page's time goes: the app's own work (median); the rest of the page's time is
    # HTTP and the socket, about the same for every page.
    server_ms = {name: _stats(values)["median_ms"] for name, values in server_s.items()}
    results: dict[str, dict[str, Any]] = {
        name: {**_stats(values), "queries": queries[name], "server_ms": server_ms[name]}
        for name, values in samples.items()
    }
    reference = results["baseline"]["median_ms"]
    for name in (
        "landing_page",
        "facility_list",
        "facility_detail",
        "facility_detail_largest",
        "municipality_overview",
    ):
        results[name]["ratio"] = round(reference / results[name]["median_ms"], 3)
        results[name]["ratio_vs_anonymous_baseline"] = round(
            results["baseline_anonymous"]["median_ms"] / results[name]["median_ms"], 3
        )
    return {
        "benchmark": "pages",
        "database": connection.vendor,
        "data": {
            "employees": Employee.objects.count(),
            "employments": Employment.objects.count(),
            "facilities": Facility.objects.count(),
            "municipality": f"{municipality.name} ({municipality.code})",
            "facilities_in_municipality": Facility.objects.filter(municipality=municipality)
            .exclude(operator_kind=Facility.OperatorKind.REGION)
            .count(),
            "facility_detail_staff": staff_sizes[median_facility.pk],
            "facility_detail_largest_staff": staff_sizes[largest_facility.pk],
        },
        "requests_per_page": requests,
        "pages": results,
        "goal": "ratio = baseline median / page median >= 0.5",
        "goal_met": all(
            results[n]["ratio"] >= 0.5 for n in ("facility_list", "facility_detail", "facility_detail_largest")
        ),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per page (default 50).")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page first (default 5).")
    parser.add_argument(
        "--generate", action="store_true", help="Generate data first if there is none (migrates a fresh database)."
    )
    parser.add_argument("--migrate", action="store_true", help="Run migrations first.")
    parser.add_argument("--staff", type=int, default=100_000, help="Staff to generate with --generate.")
    parser.add_argument("--seed", type=int, default=1, help="Seed for --generate.")


BENCHMARKS = {
    "pages": Benchmark(
        help="Facility list and facility page against a bare single-row lookup, over HTTP in one process.",
        run=run,
        add_arguments=add_arguments,
    )
}
