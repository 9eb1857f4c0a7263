"""The reports demo step leaves a finished seed-000 document for the coordinator."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from pathlib import Path

from styrbord.demo.context import DemoContext
from styrbord.reports import demo
from styrbord.reports.models import ReportJob
from styrbord.reports.tests.conftest import SeedCase
from styrbord.testing.fixtures import World


def test_the_demo_step_saves_a_finished_release_document(world: World, seed_case: SeedCase, media: Path) -> None:
    ctx = DemoContext(seed=1, today=dt.date(2024, 12, 4), rng=random.Random(1))
    ctx.extra["funding_pool"] = seed_case.pool
    ctx.users["koordinator"] = world.coordinator
    demo.build(ctx)
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE
    assert job.created_by == world.coordinator
    with job.file.open("rb") as handle:
        xml = zipfile.ZipFile(io.BytesIO(handle.read())).read("word/document.xml").decode()
    assert "0,700" in xml
    assert "Velfærdsdirektøren indstiller, at:" in xml


def test_the_demo_step_skips_quietly_without_a_pool(db: object) -> None:
    ctx = DemoContext(seed=1, today=dt.date(2026, 11, 23), rng=random.Random(1))
    demo.build(ctx)
    assert not ReportJob.objects.exists()
    assert ctx.log
