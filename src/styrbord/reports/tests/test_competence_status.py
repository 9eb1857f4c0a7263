"""Status on competence development (like seed 003), from requirements, courses and the ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from styrbord.reports import services
from styrbord.reports.doctypes.base import ReportError
from styrbord.reports.documents.html import render_pdf
from styrbord.reports.documents.structure import BulletList, Paragraph, Table
from styrbord.reports.documents.word import render_docx
from styrbord.reports.tests.conftest import StatusCase, docx_to_pdf, pdf_text, save_page_images
from styrbord.testing.fixtures import World

TODAY = "2026-11-23 12:00 +0100"


def _item(scope: str, user=None):  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY, tick=False):
        request = services.make_request("competence_status", scope, "2026", {}, user)
        return services.build_document(request)


def _texts(item) -> str:  # type: ignore[no-untyped-def]
    parts = []
    for section in item.all_sections():
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, BulletList):
                parts.extend(block.items)
    return " ".join(parts)


def _table(item, caption_start: str) -> Table:  # type: ignore[no-untyped-def]
    return next(t for t in item.tables() if t.caption.startswith(caption_start))


def test_coverage_is_measured_against_each_target(status_case: StatusCase, world: World) -> None:
    item = _item("municipality:0707")
    rows = {cells[0]: cells for _, cells in _table(item, "Dækning af kompetencekravene").formatted_rows()}
    assert rows["75 % af medarbejderne i konflikthåndtering"][1:] == ["75 %", "60,0 %", "3 af 5", "Under målet"]
    assert rows["Konflikthåndtering for alle medarbejdere"][1:] == ["100 %", "66,7 %", "2 af 3", "Under målet"]
    assert item.charts(), "a coverage chart over time"


def test_requirements_of_the_same_name_say_whose_they_are(status_case: StatusCase, world: World) -> None:
    from styrbord.requirements.models import Requirement, Rule, ScopeLevel

    same = Requirement.objects.create(
        name="Konflikthåndtering for alle medarbejdere",  # as Dolmer Have's, for Bofællesskaberne Glesborg
        scope_level=ScopeLevel.FACILITY,
        facility=world.glesborg,
        rule=Rule.EVERY_PERSON,
    )
    same.competences.set(status_case.supervisory_requirement.competences.all())
    item = _item("municipality:0707")
    labels = [cells[0] for _, cells in _table(item, "Dækning af kompetencekravene").formatted_rows()]
    assert "Konflikthåndtering for alle medarbejdere (Dolmer Have)" in labels
    assert "Konflikthåndtering for alle medarbejdere (Bofællesskaberne Glesborg)" in labels
    assert "75 % af medarbejderne i konflikthåndtering" in labels  # a name of its own stays as it is


def test_topics_are_listed_per_facility_from_course_bookings(status_case: StatusCase) -> None:
    text = _texts(_item("municipality:0707"))
    assert "Konflikthåndtering og de-eskalering (1 medarbejder, heraf 1 gennemført)" in text
    assert "KRAP (1 medarbejder, heraf 1 gennemført)" in text


def test_spending_comes_from_the_ledger(status_case: StatusCase) -> None:
    item = _item("municipality:0707")
    total = _table(item, "Forbrug af puljemidler").formatted_rows()[-1][1]
    assert total == ["I alt", "1.022.000", "120.000", "50.000", "852.000", "16,6 %"]
    assert "i alt 1,022 mio. kr., hvoraf 0,120 mio. kr. er brugt og 0,050 mio. kr. disponeret" in _texts(item)


def test_the_facility_singled_out_by_the_supervisory_authority_and_what_is_done(status_case: StatusCase) -> None:
    text = _texts(_item("municipality:0707"))
    assert (
        "I prioriteringen af kompetencemidler er der et særligt fokus på Dolmer Have. Det bunder i en henstilling "
        "fra Socialtilsynet (Tilsynsrapport fra Socialtilsyn Midt af 12-03-2026), som ligger til grund for kravet "
        "”Konflikthåndtering for alle medarbejdere”."
    ) in text
    assert (
        "Pr. 23-11-2026 opfylder 2 af 3 medarbejdere kravet (66,7 % mod et mål på 100 %), og fristen er 30-06-2027."
        in text
    )
    assert "For at indfri kravet er 1 medarbejder tilmeldt til Konflikthåndtering og de-eskalering." in text


def test_a_deadline_that_has_passed_is_said_to_be_missed_or_to_have_been_met(status_case: StatusCase) -> None:
    """The status for 2027, written in January 2028: the 30-06-2027 deadline is behind it."""
    from styrbord.reports.doctypes.competence_status import _deadline_text

    with time_machine.travel("2028-01-20 10:00 +0100", tick=False):
        request = services.make_request("competence_status", "municipality:0707", "2027", {}, None)
        text = _texts(services.build_document(request))
    assert "kravet (66,7 % mod et mål på 100 %), og fristen 30-06-2027 er overskredet." in text
    assert "fristen er 30-06-2027" not in text
    deadline, on = dt.date(2027, 6, 30), dt.date(2027, 12, 31)
    assert _deadline_text(deadline, on, met=True) == ". Fristen var 30-06-2027."
    assert _deadline_text(deadline, deadline, met=False) == ", og fristen er 30-06-2027."  # the day itself
    assert _deadline_text(None, on, met=False) == "."


def test_a_facility_manager_gets_the_status_of_their_own_facility_only(status_case: StatusCase, world: World) -> None:
    item = _item(f"facility:{world.dolmer.pk}", world.manager)
    assert "Dolmer Have" in item.heading
    with pytest.raises(ReportError):
        _item(f"facility:{world.glesborg.pk}", world.manager)
    with pytest.raises(ReportError):
        _item("municipality:0707", world.manager)


def test_the_status_document_opens_in_libreoffice_and_prints_as_pdf(
    status_case: StatusCase, tmp_path: Path, soffice_profile: Path
) -> None:
    item = _item("municipality:0707")
    pdf = docx_to_pdf(render_docx(item), tmp_path, soffice_profile, "status")
    text = pdf_text(pdf, layout=True)
    assert "75 % af medarbejderne i konflikthåndtering 75 % 60,0 % 3 af 5 Under målet" in text
    assert "I alt 1.022.000 120.000 50.000 852.000 16,6 %" in text
    assert save_page_images(pdf, "competence-status-docx")
    html_pdf = tmp_path / "status-html.pdf"
    html_pdf.write_bytes(render_pdf(_item("municipality:0707")))
    assert "særligt fokus på Dolmer Have" in pdf_text(html_pdf)
    save_page_images(html_pdf, "competence-status-pdf")


def test_a_small_remainder_is_written_in_kroner_not_as_nought_millions() -> None:
    from decimal import Decimal

    from styrbord.reports.doctypes.text import mio

    assert mio(Decimal("369")) == "369 kr."
    assert mio(Decimal("-2500")) == "-2.500 kr."
    assert mio(Decimal("50000")) == "0,050 mio. kr."
    assert mio(Decimal("1022000")) == "1,022 mio. kr."


def test_the_spending_says_it_covers_the_whole_project_period_not_the_year(status_case: StatusCase) -> None:
    """A status for 2026 quotes the pool's spending since 2025: the paper says so, in the text and the summary."""
    item = _item("municipality:0707")
    assert (
        "0,120 mio. kr. er brugt og 0,050 mio. kr. disponeret og planlagt til tilmeldte og planlagte kurser i hele "
        "projektperioden 2025–2027 til og med 23-11-2026."
    ) in _texts(item)
    assert (
        "er brugt, disponeret eller planlagt i hele projektperioden 2025–2027 til og med 23-11-2026." in item.summary[0]
    )
    note = _table(item, "Forbrug af puljemidler").note
    assert "i hele projektperioden 2025–2027 til og med 23-11-2026" in note


def test_the_coverage_forecast_counts_the_courses_already_booked_as_the_page_does(status_case: StatusCase) -> None:
    """A fourth of Norddjurs' five is booked on the conflict course in January 2027: the paper's
    forecast rises to 80 % like the requirement's page, not flat at 60 % (it left bookings out)."""

    def points(spec: object) -> list[dict[str, object]]:
        found: list[dict[str, object]] = []
        if isinstance(spec, dict):
            if spec.get("series") == "Prognose":
                found.append(spec)
            for value in spec.values():
                found += points(value)
        elif isinstance(spec, list):
            for value in spec:
                found += points(value)
        return found

    item = _item("municipality:0707")
    titles = [c.title for c in item.charts()]
    chart = next((c for c in item.charts() if "75 % af medarbejderne" in c.title), None)
    assert chart is not None, titles
    forecast = sorted(points(chart.spec), key=lambda p: str(p["month"]))
    assert forecast, chart.title
    assert float(str(forecast[0]["share"])) == 60
    assert float(str(forecast[-1]["share"])) == 80


def test_a_project_period_that_has_not_begun_is_not_said_to_run_until_today(status_case: StatusCase) -> None:
    """A 2027 pool read "i hele projektperioden 2027 til og med 06-12-2026"."""
    import datetime as dt

    from styrbord.funding.models import Grant
    from styrbord.reports.doctypes.competence_status import _spending_period

    grant = Grant.objects.select_related("pool").first()
    assert grant is not None
    grant.pool.period_start, grant.pool.period_end = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    assert _spending_period([grant], dt.date(2026, 12, 6)) == (
        "i projektperioden 2027, der begynder 01-01-2027 (opgjort 06-12-2026)"
    )
    assert _spending_period([grant], dt.date(2027, 3, 1)) == "i hele projektperioden 2027 til og med 01-03-2027"


def test_the_file_name_keeps_the_whole_heading_with_its_period() -> None:
    """'...-favrskov-kommune-2026-2026-12-06.pdf' lost the '-2027' of the period (cut at 70)."""
    import datetime as dt
    from types import SimpleNamespace

    heading = "Orientering om status på kompetenceudvikling i Favrskov Kommune 2026-2027"
    item = SimpleNamespace(heading=heading, file_stem="status")
    request = SimpleNamespace(today=dt.date(2026, 12, 6))
    name = services.filename_for(item, "pdf", request)  # type: ignore[arg-type]
    assert name == "orientering-om-status-paa-kompetenceudvikling-i-favrskov-kommune-2026-2027-2026-12-06.pdf"
    long = SimpleNamespace(heading="Meget " * 40, file_stem="status")
    assert len(services.filename_for(long, "pdf", request)) <= 120 + len("-2026-12-06.pdf")  # type: ignore[arg-type]


# --- the coverage chart's history and forecast against the document date ----------------------------------------


def _chart_points(spec: object) -> list[dict[str, object]]:
    """Every data point (month, share, series) in a chart's Vega-Lite spec."""
    found: list[dict[str, object]] = []
    if isinstance(spec, dict):
        if "series" in spec and "month" in spec:
            found.append(spec)
        for value in spec.values():
            found += _chart_points(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _chart_points(value)
    return found


def _series(spec: object, name: str) -> list[str]:
    return sorted(str(p["month"])[:10] for p in _chart_points(spec) if p["series"] == name)


def _coverage_chart(period: str, on: str):  # type: ignore[no-untyped-def]
    with time_machine.travel(on, tick=False):
        request = services.make_request("competence_status", "municipality:0707", period, {}, None)
        item = services.build_document(request)
    return next(c for c in item.charts() if c.title.startswith("Dækning over tid"))


def test_a_past_years_status_draws_its_history_to_the_years_end_and_no_forecast(status_case: StatusCase) -> None:
    """The 2025 status written 07-12-2026 drew 2026 dashed as "Prognose" though it had happened: the chart
    ends where the table's "pr. 31-12-2025" does, all of it history, and the legend has no forecast."""
    chart = _coverage_chart("2025", "2026-12-07 10:00 +0100")
    history = _series(chart.spec, "Historik")
    assert history[-1] == "2025-12-31"
    assert history[0] <= "2025-01-31"
    assert _series(chart.spec, "Prognose") == []
    assert "Prognose" not in str(chart.spec)  # not in the legend either


def test_a_running_years_status_has_history_to_the_document_date_and_a_forecast_only_after_it(
    status_case: StatusCase,
) -> None:
    chart = _coverage_chart("2026", "2026-12-07 10:00 +0100")
    history, forecast = _series(chart.spec, "Historik"), _series(chart.spec, "Prognose")
    assert history[-1] == "2026-12-07"
    assert forecast
    assert forecast[0] == "2026-12-07"  # the line goes on from today's point
    assert all(month >= "2026-12-07" for month in forecast)


# --- the spending table adds up as printed ----------------------------------------------------------------------


def test_the_spending_table_adds_up_as_printed_and_names_planned_spending(
    status_case: StatusCase, world: World
) -> None:
    """Glesborg 11.721 + Dolmer 100.784 read 112.505 against a total of 112.504 (each rounded from øre),
    and the column called "Disponeret" held the planned spending too."""
    import io
    from decimal import Decimal

    import docx

    from styrbord.funding.services import ledger

    seed = status_case.seed
    ledger.commit(seed.glesborg_grant, "fee", Decimal("11720.68"), dt.date(2026, 2, 1), world.finance, planned=True)
    ledger.commit(seed.dolmer_grant, "fee", Decimal("50783.53"), dt.date(2026, 2, 1), world.finance, planned=True)
    item = _item("municipality:0707")
    table = _table(item, "Forbrug af puljemidler")
    assert [c.label for c in table.columns][3] == "Disponeret og planlagt (kr.)"
    document = docx.Document(io.BytesIO(render_docx(item)))
    rows = next(
        [[c.text.replace("\xa0", " ") for c in row.cells] for row in t.rows]
        for t in document.tables
        if t.rows[0].cells[0].text == "Pulje og modtager"
    )
    assert rows[0][3] == "Disponeret og planlagt (kr.)"

    def number(text: str) -> Decimal:
        return Decimal(text.replace(".", "").replace(",", "."))

    recipients = {row[0]: row for row in rows[2:-1]}
    total = rows[-1]
    assert recipients["Bofællesskaberne Glesborg"][3] == "11.720,68"
    assert recipients["Dolmer Have"][3] == "100.783,53"
    assert total[3] == "112.504,21"
    for column in range(1, 5):  # Tilsagn, Brugt, Disponeret og planlagt, Rest: the rows make the total
        assert sum(number(row[column]) for row in recipients.values()) == number(total[column]), rows[0][column]
    assert "disponeret og planlagt til tilmeldte og planlagte kurser" in _texts(item)


def test_whole_kroner_stay_whole(status_case: StatusCase) -> None:
    total = _table(_item("municipality:0707"), "Forbrug af puljemidler").formatted_rows()[-1][1]
    assert total[1:5] == ["1.022.000", "120.000", "50.000", "852.000"]
