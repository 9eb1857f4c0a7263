"""The reports page per role: anonymous, wrong role, other tenant, right role; jobs and downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.reports.models import ReportJob
from styrbord.reports.tests.conftest import SeedCase
from styrbord.testing.fixtures import World


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _close(response: Any) -> None:
    """Close a streamed response as the test client does: without request_finished closing the DB connection."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _params(seed_case: SeedCase, **extra: str) -> dict[str, str]:
    return {"document_type": "pool_release", "scope": f"pool:{seed_case.pool.pk}", "period": "2025-2027", **extra}


def test_anonymous_users_are_sent_to_the_login_page(db: Any) -> None:
    response = Client().get(reverse("reports:report_list"))
    assert response.status_code == 302
    assert "/konto/login/" in response["Location"]


def test_an_employee_may_not_open_the_reports_page(world: World) -> None:
    assert _client(world.employee_user).get(reverse("reports:report_list")).status_code == 403


def test_a_coordinator_sees_the_document_types_and_own_pools(world: World, seed_case: SeedCase) -> None:
    response = _client(world.coordinator).get(reverse("reports:report_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Frigivelse af puljemidler (tillægsbevilling)" in content
    assert f'value="pool:{seed_case.pool.pk}"' in content


def test_a_facility_manager_is_not_offered_pool_releases(world: World, seed_case: SeedCase) -> None:
    response = _client(world.manager).get(reverse("reports:report_list"))
    assert response.status_code == 200
    assert "Frigivelse af puljemidler (tillægsbevilling)" not in response.content.decode()
    preview = _client(world.manager).get(reverse("reports:report_preview"), _params(seed_case))
    assert preview.status_code == 400


def test_the_preview_shows_the_document_built_from_live_data(world: World, seed_case: SeedCase) -> None:
    response = _client(world.finance).get(reverse("reports:report_preview"), _params(seed_case))
    assert response.status_code == 200
    content = response.content.decode().replace("\xa0", " ")
    assert "Velfærdsdirektøren indstiller, at:" in content
    assert "der gives tillægsbevilling på 0,700 mio. kr. i 2025" in content
    assert "Hent som PDF" in content


def test_the_preview_uses_the_case_details_given_in_the_form(world: World, seed_case: SeedCase) -> None:
    params = _params(seed_case, case_number="25/0001", route="SU, ØK, KB", recommender="Direktøren")
    content = (
        _client(world.coordinator).get(reverse("reports:report_preview"), params).content.decode().replace("\xa0", " ")
    )
    assert "25/0001" in content
    assert "SU, ØK, KB" in content
    assert "Direktøren indstiller, at:" in content


def test_a_coordinator_of_another_municipality_cannot_preview_the_pool(world: World, seed_case: SeedCase) -> None:
    response = _client(world.other_coordinator).get(reverse("reports:report_preview"), _params(seed_case))
    assert response.status_code == 400
    assert "Velfærdsdirektøren indstiller" not in response.content.decode()


def test_the_release_is_the_municipalitys_own_paper_not_the_grantors(world: World, seed_case: SeedCase) -> None:
    response = _client(world.grantor_user).get(reverse("reports:report_preview"), _params(seed_case))
    assert response.status_code == 400
    assert "Velfærdsdirektøren indstiller" not in response.content.decode()


def test_an_ordered_file_is_made_in_the_background_and_only_its_owner_may_download_it(
    world: World, seed_case: SeedCase, media: Path, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    owner = _client(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(reverse("reports:report_create"), {**_params(seed_case), "output_format": "docx"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])
    assert job.status == ReportJob.Status.DONE, job.message
    assert job.progress == 100
    status = owner.get(reverse("reports:job_status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status  # finished: polling stops
    assert reverse("reports:job_download", args=[job.pk]) in status

    download = owner.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    _close(download)
    assert AuditEntry.objects.filter(action="reports.job.downloaded", object_id=str(job.pk)).exists()

    # Same municipality, but not the one who ordered it: treated as missing.
    for other in (world.finance, world.other_coordinator):
        assert _client(other).get(reverse("reports:job_download", args=[job.pk])).status_code == 404
        assert _client(other).get(reverse("reports:job_detail", args=[job.pk])).status_code == 404
    as_admin = _client(world.admin).get(reverse("reports:job_download", args=[job.pk]))
    assert as_admin.status_code == 200
    _close(as_admin)


def _running_job(world: World, seed_case: SeedCase, **fields: Any) -> ReportJob:
    return ReportJob.objects.create(
        created_by=world.coordinator,
        document_type="pool_release",
        output_format="pdf",
        scope=f"pool:{seed_case.pool.pk}",
        period="2025",
        status=ReportJob.Status.RUNNING,
        **fields,
    )


def test_a_running_job_page_keeps_polling(world: World, seed_case: SeedCase) -> None:
    job = _running_job(world, seed_case, progress=40)
    content = _client(world.coordinator).get(reverse("reports:job_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in content
    assert 'value="40"' in content


def test_a_jobs_status_text_is_shown_in_the_readers_language(world: World, seed_case: SeedCase) -> None:
    job = _running_job(world, seed_case, progress=90, message="Danner filen")  # stored in Danish
    client = _client(world.coordinator)
    url = reverse("reports:job_status", args=[job.pk])
    assert "Danner filen" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Making the file" in client.get(url).content.decode()


def test_a_job_that_cannot_be_made_fails_with_a_danish_message(
    world: World, seed_case: SeedCase, media: Path, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    seed_case.dolmer_grant.status = "rejected"
    seed_case.dolmer_grant.save()
    seed_case.glesborg_grant.status = "rejected"
    seed_case.glesborg_grant.save()
    with django_capture_on_commit_callbacks(execute=True):
        _client(world.coordinator).post(
            reverse("reports:report_create"), {**_params(seed_case), "output_format": "pdf"}
        )
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED
    assert "har ingen tilsagn at frigive" in job.message


@pytest.mark.parametrize("output_format", ["pdf", "xlsx"])
def test_other_formats_are_made_too(
    world: World,
    seed_case: SeedCase,
    media: Path,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
    output_format: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _client(world.coordinator).post(
            reverse("reports:report_create"), {**_params(seed_case), "output_format": output_format}
        )
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE, job.message
    assert job.filename.endswith(f".{output_format}")
    # The list of recent documents names the document, with its file below.
    listed = _client(world.coordinator).get(reverse("reports:report_list")).content.decode()
    link = f'<a href="{reverse("reports:job_detail", args=[job.pk])}">Frigivelse af puljemidler (tillægsbevilling)</a>'
    assert link in listed
    assert f'<div class="small">{job.filename}</div>' in listed


def test_an_analyst_is_offered_only_aggregate_documents(world: World, seed_case: SeedCase) -> None:
    content = _client(world.analyst).get(reverse("reports:report_list")).content.decode()
    assert "Orientering om rekruttering og fastholdelse" in content
    assert "Frigivelse af puljemidler (tillægsbevilling)" not in content
    assert "Status på kompetenceudvikling" not in content
    assert _client(world.analyst).get(reverse("reports:report_preview"), _params(seed_case)).status_code == 400


def test_a_grantor_is_offered_the_report_on_its_own_pools(world: World, seed_case: SeedCase) -> None:
    """The grantor's document is the status report and grant accounts on its pool (made on the
    pool page, listed on the reports page too); the municipality's committee papers are not."""
    from styrbord.funding.models import Pool

    other = Pool.objects.create(
        municipality=seed_case.pool.municipality,
        name="Andens pulje",
        kind=seed_case.pool.kind,
        total=1000,
        period_start=seed_case.pool.period_start,
        period_end=seed_case.pool.period_end,
    )
    content = _client(world.grantor_user).get(reverse("reports:report_list")).content.decode()
    assert "Frigivelse af puljemidler (tillægsbevilling)" not in content
    assert "Orientering om rekruttering og fastholdelse" not in content
    assert "Status på kompetenceudvikling" not in content
    table = content.split('id="package-pools"', 1)[1].split("</table>", 1)[0]
    assert reverse("funding:package_docx", args=[seed_case.pool.pk]) in table
    assert reverse("funding:package_xlsx", args=[seed_case.pool.pk]) in table
    assert other.name not in table
    # Told what it has, not what it lacks: no "Word, PDF eller regneark" it cannot make, no refusal.
    assert "Rapporterne om dine puljer" in content
    assert "Word, PDF eller regneark" not in content
    assert "Din rolle kan ikke lave dokumenter" not in content
    assert "Dine seneste dokumenter" not in content
    # The finance officer has both: the committee paper and the grantor reports of the municipality.
    finance = _client(world.finance).get(reverse("reports:report_list")).content.decode()
    assert "Frigivelse af puljemidler (tillægsbevilling)" in finance
    assert other.name in finance.split('id="package-pools"', 1)[1]


@pytest.mark.parametrize(
    ("day", "proposed"),
    [("2027-02-10", "2026"), ("2027-03-31", "2026"), ("2027-04-01", "2027"), ("2027-12-31", "2027")],
)
def test_the_form_proposes_the_year_just_ended_in_the_first_quarter(world: World, day: str, proposed: str) -> None:
    """In January to March the annual reports are on the year just ended; from April, this year."""
    import datetime as dt

    import time_machine

    on = dt.date.fromisoformat(day)
    with time_machine.travel(dt.datetime(on.year, on.month, on.day, 9, 0, tzinfo=dt.UTC), tick=False):
        page = _client(world.coordinator).get(reverse("reports:report_list")).content.decode()
    assert f'name="period" value="{proposed}"' in page
