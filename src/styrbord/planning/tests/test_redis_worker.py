"""Production over Redis: a plan run waits in an RQ queue until a worker on the "planning" queue takes it.

Runs against the Redis server at STYRBORD_TEST_REDIS_URL (default redis://127.0.0.1:6379/15).
Without Redis the test is skipped, except under CI=true, where a missing service is a failure.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from styrbord.planning import services
from styrbord.planning.models import PlanRun
from styrbord.planning.tests.data import planning_setup
from styrbord.testing.fixtures import World

REDIS_URL = os.environ.get("STYRBORD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUES = ["default", "planning", "reports"]


@pytest.fixture
def redis_queues(settings: Any) -> Any:
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL} for name in QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    import django_rq

    for name in QUEUES:
        django_rq.get_queue(name).empty()
    yield django_rq
    for name in QUEUES:
        django_rq.get_queue(name).empty()


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_on_the_planning_queue_solves_the_run(world: World, redis_queues: Any) -> None:
    from django_tasks_rq import Job
    from rq import SimpleWorker

    setup = planning_setup(world)
    run = services.start_run(setup.scenario, world.coordinator)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.QUEUED
    queue = redis_queues.get_queue("planning", job_class=Job)
    assert queue.count == 1
    # What `styrbord rqworker --job-class django_tasks_rq.Job planning` runs; SimpleWorker runs the
    # job in this process (no fork), so it sees the test database.
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    assert worker.work(burst=True)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.DONE, run.error
    assert run.assignments.count() == 3
    assert queue.count == 0
