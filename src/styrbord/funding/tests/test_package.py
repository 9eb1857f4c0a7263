"""The grantor package: XLSX and DOCX read back, figures in the approved budget lines, only costs in the period."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import openpyxl
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.funding.models import Pool
from styrbord.funding.package import build_package, package_docx, package_xlsx
from styrbord.funding.services.booking_charges import post_booking_actuals
from styrbord.funding.services.ledger import commit, post_actual
from styrbord.lib.costs import CostCategory
from styrbord.training.models import BookingStatus

D = Decimal
# The 2025 course-fee line of Dolmer Have's account as the Word file shows it: to the øre.
FEE_2025 = [
    "Dolmer Have",
    "Kursusgebyr",
    "2025",
    "100.000,00 kr.",
    "2.400,00 kr.",
    "0,00 kr.",
    "-97.600,00 kr.",
    "-98 %",
]


def held(funded, world) -> None:  # type: ignore[no-untyped-def]
    """The seat's course is held and posted; another invoice falls in 2026."""
    funded.booking.status = BookingStatus.ATTENDED
    funded.booking.save()
    post_booking_actuals(funded.booking, world.finance)
    post_actual(
        funded.dolmer_grant, CostCategory.FEE, D("1000.00"), dt.date(2026, 2, 2), world.finance, text="Faktura 2026"
    )


def sheet_rows(workbook, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return list(workbook[name].iter_rows(values_only=True))


def test_the_xlsx_package_has_status_accounts_participants_and_entries(funded, world) -> None:  # type: ignore[no-untyped-def]
    held(funded, world)
    workbook = openpyxl.load_workbook(io.BytesIO(package_xlsx(build_package(funded.pool))))
    assert workbook.sheetnames == ["Statusrapport", "Tilskudsregnskab", "Deltagere", "Posteringer"]
    status = dict(sheet_rows(workbook, "Statusrapport")[1:])
    assert status["Sagsnummer"] == "24/9263"
    assert status["Projektperiode"] == "01-01-2025 – 31-12-2027"
    assert status["Tilsagn i alt"] == 1022000
    assert status["Forbrug (bogført)"] == 7840.5
    assert status["Revisionskrav for Dolmer Have"] == "Udvidet revision (over 500.000 kr.)"
    assert status["Revisionskrav for Bofællesskaberne Glesborg"] == "Revideret regnskab (over 100.000 kr.)"
    accounts = sheet_rows(workbook, "Tilskudsregnskab")
    fee_2025 = next(r for r in accounts if r[0] == "Dolmer Have" and r[1] == "Kursusgebyr" and r[2] == 2025)
    # budget, spent, committed, and the deviation as on the grant's page: spent + committed - budget
    assert fee_2025[3:8] == (100000, 2400, 0, -97600, -97.6)
    assert accounts[0][3:8] == ("Budget", "Forbrug", "Disponeret og planlagt", "Afvigelse", "Afvigelse %")
    fee_2026 = next(r for r in accounts if r[0] == "Dolmer Have" and r[1] == "Kursusgebyr" and r[2] == 2026)
    assert fee_2026[3:5] == (150000, 1000)
    total = next(r for r in accounts if r[0] == "Dolmer Have" and r[1] == "I alt")
    assert total[3:5] == (700000, 7840.5)
    participants = sheet_rows(workbook, "Deltagere")
    assert participants[1][0] == world.dolmer_staff[0].name
    assert participants[1][1] == "Socialpædagog/pædagog"
    assert participants[1][2] == "Dolmer Have"
    assert participants[1][6] == 14.8  # two days of 7,4 hours
    assert participants[1][8] == 6840.5


def test_only_costs_inside_the_project_period_count(funded, world) -> None:  # type: ignore[no-untyped-def]
    held(funded, world)
    Pool.objects.filter(pk=funded.pool.pk).update(period_end=dt.date(2025, 12, 31))
    funded.pool.refresh_from_db()
    package = build_package(funded.pool)
    dolmer = next(a for a in package.accounts if a.grant == funded.dolmer_grant)
    assert dolmer.balances.actual == D("6840.50")  # the 2026 invoice falls outside
    assert all(row.year == 2025 or row.actual == 0 for row in dolmer.rows)
    assert all(e.posted_on <= dt.date(2025, 12, 31) for e in package.entries)


def test_the_docx_package_reads_back_with_its_figures(funded, world) -> None:  # type: ignore[no-untyped-def]
    held(funded, world)
    # A course fee ordered for 2026 and not yet invoiced: committed, and part of the deviation.
    commit(funded.dolmer_grant, CostCategory.FEE, D("160000.00"), dt.date(2026, 5, 4), world.finance)
    document = docx.Document(io.BytesIO(package_docx(build_package(funded.pool))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Pulje: Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud" in text
    assert "Sagsnummer: 24/9263" in text
    assert "Projektperiode: 01-01-2025 – 31-12-2027" in text
    assert "Der er givet tilsagn om 1.022.000,00 kr., hvoraf 7.840,50 kr. er bogført" in text
    assert "kr.." not in text
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape: the tables' columns fit their words
    status = document.tables[0]
    assert [round(c.width.cm, 1) for c in status.rows[0].cells] == [6.7, 3.4, 3.4, 3.4, 3.4, 5.4]
    assert "{{" not in text
    assert "{%" not in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert [
        "Dolmer Have",
        "700.000,00 kr.",
        "7.840,50 kr.",
        "160.000,00 kr.",
        "532.159,50 kr.",
        "Udvidet revision (over 500.000 kr.)",
    ] in cells
    assert FEE_2025 in cells
    # 1.000 kr. spent and 160.000 kr. committed on a line of 150.000 kr.: 11.000 kr. (7 %) over
    assert [
        "Dolmer Have",
        "Kursusgebyr",
        "2026",
        "150.000,00 kr.",
        "1.000,00 kr.",
        "160.000,00 kr.",
        "11.000,00 kr.",
        "7 %",
    ] in cells
    accounts = document.tables[1]
    assert [c.text for c in accounts.rows[0].cells][3:] == [
        "Budget",
        "Forbrug",
        "Disponeret og planlagt",
        "Afvigelse",
        "Afvigelse %",
    ]
    assert round(sum(c.width.cm for c in accounts.rows[0].cells), 1) <= 25.7  # fits between the margins

    def kroner(text: str) -> D:
        return D(text.removesuffix(" kr.").replace(".", "").replace(",", "."))

    for row in accounts.rows[1:]:  # every line reads as the page does: deviation = spent + committed - budget
        budget, spent, committed, deviation = (kroner(c.text) for c in row.cells[3:7])
        assert spent + committed - budget == deviation, [c.text for c in row.cells]  # to the øre
    # Each recipient's account ends with its total, and the totals are the sums of its lines.
    lines = [[c.text for c in row.cells] for row in accounts.rows[1:]]
    dolmer_lines = [row for row in lines if row[0] == "Dolmer Have" and row[1] != "I alt"]
    dolmer_total = next(row for row in lines if row[0] == "Dolmer Have" and row[1] == "I alt")
    for column in range(3, 7):
        assert kroner(dolmer_total[column]) == sum((kroner(row[column]) for row in dolmer_lines), D(0))
    assert kroner(dolmer_total[3]) == D("700000.00")
    # The status table's total row is the sum of its recipients, and matches the text above it.
    status_lines = [[c.text for c in row.cells] for row in status.rows[1:]]
    total_row = status_lines[-1]
    assert total_row[0] == "I alt"
    for column in range(1, 5):
        assert kroner(total_row[column]) == sum((kroner(row[column]) for row in status_lines[:-1]), D(0))
    assert f"hvoraf {total_row[2]} er bogført" in text
    assert f"og {total_row[4]} er tilbage" in text
    # Its own document properties, not the template's.
    core = document.core_properties
    assert (core.author, core.language) == ("Styrbord", "da-DK")
    assert core.title.startswith("Statusrapport og tilskudsregnskab – Kompetenceudvikling")
    participant = next(row for row in cells if row[0] == world.dolmer_staff[0].name)
    assert participant[1:3] == ["Socialpædagog/pædagog", "Dolmer Have"]
    assert participant[4] == "03-03-2025 – 04-03-2025"
    assert participant[5] == "14,8"


def test_a_one_day_course_shows_one_date_in_the_participant_list(funded, world) -> None:  # type: ignore[no-untyped-def]
    funded.booking.session.set_days([(dt.date(2025, 3, 3), D("7.40"))])
    held(funded, world)

    document = docx.Document(io.BytesIO(package_docx(build_package(funded.pool))))

    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    participant = next(row for row in cells if row[0] == world.dolmer_staff[0].name)
    assert participant[4:6] == ["03-03-2025", "7,4"]


def test_downloading_the_package_records_whose_data_was_exported(funded, world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(world.grantor_user)
    response = client.get(reverse("funding:package_docx", args=[funded.pool.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "tilskudspakke-24-9263.docx" in response["Content-Disposition"]  # the case number keeps its dash
    logged = AuditEntry.objects.filter(action="funding.grantor_package.exported", actor_id=world.grantor_user.pk)
    assert list(logged.values_list("subject_employee_id", flat=True)) == [world.dolmer_staff[0].pk]


def test_the_package_is_danish_when_the_site_is_read_in_english(funded, world) -> None:  # type: ignore[no-untyped-def]
    held(funded, world)
    client = Client()
    client.force_login(world.grantor_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = client.get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("funding:package_xlsx", args=[funded.pool.pk])).content)
    )
    document = docx.Document(io.BytesIO(client.get(reverse("funding:package_docx", args=[funded.pool.pk])).content))

    assert "Reporting deadlines" in page  # the page itself is English
    assert 'id="files-in-danish"' in page
    assert workbook.sheetnames[:2] == ["Statusrapport", "Tilskudsregnskab"]
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert FEE_2025 in cells


def test_hours_count_those_who_took_part_and_after_the_period_the_package_says_what_goes_back(  # type: ignore[no-untyped-def]
    funded, world
) -> None:
    """A seat booked but not yet held is on the participant list, but no one has taken part in its
    hours. Once the period is over, the package says what returns to the grantor even if all that
    is committed and planned is posted: each grant's amount less what it has used."""
    before = build_package(funded.pool, today=dt.date(2025, 2, 20))
    assert [p.status for p in before.participants] == ["Tilmeldt"]
    assert (before.hours, before.took_part_count, before.period_ended) == (0, 0, False)
    status = dict(sheet_rows(openpyxl.load_workbook(io.BytesIO(package_xlsx(before))), "Statusrapport")[1:])
    assert status["Projektperioden er afsluttet"] == "Nej"
    assert "Tilbagebetales, selv om alt disponeret og planlagt bogføres" not in status
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(package_docx(before))).paragraphs)
    assert "0 medarbejdere har gennemført eller deltaget i 0,0 kursustimer i projektperioden" in text
    assert "Projektperioden sluttede" not in text
    assert "{%" not in text

    held(funded, world)
    after = build_package(funded.pool, today=dt.date(2028, 1, 20))
    assert (after.hours, after.took_part_count, after.period_ended) == (D("14.8"), 1, True)
    # Dolmer Have: 700.000 - 7.840,50 used; Bofællesskaberne Glesborg: 322.000 untouched.
    assert after.to_repay == D("1014159.50")
    status = dict(sheet_rows(openpyxl.load_workbook(io.BytesIO(package_xlsx(after))), "Statusrapport")[1:])
    assert status["Projektperioden er afsluttet"] == "Ja"
    assert status["Tilbagebetales, selv om alt disponeret og planlagt bogføres"] == 1014159.5
    assert status["Kursustimer i perioden, gennemført eller deltaget"] == 14.8
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(package_docx(after))).paragraphs)
    assert "1 medarbejder har gennemført eller deltaget i 14,8 kursustimer i projektperioden" in text
    assert (
        "Projektperioden sluttede 31-12-2027. Selv om alt disponeret og planlagt bogføres, skal 1.014.159,50 kr. "
        "tilbagebetales til tilskudsgiver."
    ) in text


def test_an_unspent_amount_under_the_waiver_limit_is_not_repaid_and_a_budget_pool_repays_nothing(  # type: ignore[no-untyped-def]
    funded, world
) -> None:
    """The pool's own rule: unspent funds under its waiver limit (500 kr.) are waived, per grant, as
    the pages' warnings say. A municipal budget pool has no grantor to repay."""
    from styrbord.funding.services.setup import change_grant_amount
    from styrbord.funding.tests import helpers

    pool = helpers.pool(world.grantor, name="Lille pulje", total=D("10000"), repayment_waiver_limit=D("500"))
    grant = helpers.grant(pool, world.dolmer, amount="10000")
    post_actual(grant, CostCategory.FEE, D("9680.00"), dt.date(2026, 2, 2), world.finance)  # 320 kr. left
    after = build_package(pool, today=dt.date(2028, 1, 20))
    assert (after.unspent, after.to_repay) == (D("320.00"), D("0"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(package_docx(after))).paragraphs)
    assert (
        "Projektperioden sluttede 31-12-2027. Der er 320,00 kr. tilbage, men intet skal tilbagebetales: "
        "puljen frafalder beløb under 500,00 kr."
    ) in text
    status = dict(sheet_rows(openpyxl.load_workbook(io.BytesIO(package_xlsx(after))), "Statusrapport")[1:])
    assert status["Tilbagebetales, selv om alt disponeret og planlagt bogføres"] == 0

    # 500 kr. or more unspent is repaid in full.
    pool.total = D("10180")
    pool.save()
    change_grant_amount(grant, "10180", world.finance)
    assert build_package(pool, today=dt.date(2028, 1, 20)).to_repay == D("500.00")

    budget_pool = helpers.pool(None, name="Kommunens pulje", kind=Pool.Kind.MUNICIPAL_BUDGET, total=D("50000"))
    helpers.grant(budget_pool, world.dolmer, amount="50000")
    own = build_package(budget_pool, today=dt.date(2028, 1, 20))
    assert (own.unspent, own.to_repay) == (D("50000.00"), D("0"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(package_docx(own))).paragraphs)
    assert "Puljen er kommunens egne midler, så intet tilbagebetales." in text
    assert "tilbagebetales til tilskudsgiver" not in text


def test_the_entries_sheet_totals_each_balance_per_grant_as_the_status_report_says(funded, world) -> None:  # type: ignore[no-untyped-def]
    """The grantor reconciles the "Posteringer" sheet with the status report in the same file:
    each posting says the balance it counts in, and each grant's postings end with a total per
    balance (and the sheet with one over all grants) equal to the status report's figures to the
    øre. A reversal says what it reverses; who posted is the municipality, not its employee."""
    from styrbord.funding.services.ledger import record_income, reverse_entry

    world.finance.first_name, world.finance.last_name = "Lars", "Bach"
    world.finance.save()
    dolmer, glesborg = funded.dolmer_grant, funded.glesborg_grant
    # Dolmer Have: the seat's committed costs (conftest), a planned course, an invoice that
    # replaces a commitment, and an invoice posted and reversed.
    commit(dolmer, CostCategory.FEE, D("5562.44"), dt.date(2026, 9, 1), world.finance, planned=True)
    ordered = commit(dolmer, CostCategory.FEE, D("12000.10"), dt.date(2026, 3, 2), world.finance)
    post_actual(dolmer, CostCategory.FEE, D("11999.91"), dt.date(2026, 3, 2), world.finance, releases=ordered)
    wrong = post_actual(dolmer, CostCategory.BACKFILL, D("3333.33"), dt.date(2026, 4, 1), world.finance)
    reverse_entry(wrong, world.finance, "Forkert tilsagn")
    # Bofællesskaberne Glesborg: a cost and money received.
    post_actual(glesborg, CostCategory.TRAVEL, D("412.07"), dt.date(2026, 5, 5), world.finance, text="Kørsel")
    record_income(glesborg, D("80500.50"), dt.date(2026, 1, 15), world.finance)

    workbook = openpyxl.load_workbook(io.BytesIO(package_xlsx(build_package(funded.pool))))
    status = dict(sheet_rows(workbook, "Statusrapport")[1:])
    header, *rows = sheet_rows(workbook, "Posteringer")
    assert header[:8] == ("Modtager", "Nr.", "Dato", "Type", "Saldo", "Udgiftsart", "Beløb (kr.)", "Tekst")
    assert header[8:] == ("Tilbagefører nr.", "Korrigerer nr.", "Tilbageført", "Oprettet af")

    def totals(recipient: str) -> dict[str, D]:
        return {
            r[4]: D(str(r[6])) for r in rows if r[0] == recipient and str(r[7]).startswith("I alt, ") and r[1] is None
        }

    in_status = {
        "Forbrug": D(str(status["Forbrug (bogført)"])),
        "Disponeret": D(str(status["Disponeret"])),
        "Planlagt (prognose)": D(str(status["Planlagt"])),
        "Modtaget": D(str(status["Modtaget fra tilskudsgiver"])),
    }
    assert in_status["Planlagt (prognose)"] == D("5562.44")
    assert totals("Alle modtagere") == in_status  # to the øre
    per_grant = [totals("Dolmer Have"), totals("Bofællesskaberne Glesborg")]
    for balance, figure in in_status.items():
        assert sum((t.get(balance, D(0)) for t in per_grant), D(0)) == figure
    # Each grant's totals are its own balances in the period, and each is the sum of its lines.
    accounts = {a.grant: a.balances for a in build_package(funded.pool).accounts}
    for grant, grant_totals in zip((dolmer, glesborg), per_grant, strict=True):
        balances = accounts[grant]
        assert grant_totals.get("Forbrug", D(0)) == balances.actual
        assert grant_totals.get("Disponeret", D(0)) == balances.committed
        assert grant_totals.get("Planlagt (prognose)", D(0)) == balances.forecast
        assert grant_totals.get("Modtaget", D(0)) == balances.income
        lines = [r for r in rows if r[0] == grant.recipient_name and r[1] is not None]
        for balance, total in grant_totals.items():
            assert sum((D(str(r[6])) for r in lines if r[4] == balance), D(0)) == total
    # The reversal of a posted cost counts in Forbrug, names the posting and says why.
    reversal = next(r for r in rows if r[8] == wrong.pk)
    assert (reversal[3], reversal[4], D(str(reversal[6])), reversal[7]) == (
        "Tilbageførsel",
        "Forbrug",
        D("-3333.33"),
        "Tilbageførsel: Forkert tilsagn",
    )
    assert next(r for r in rows if r[1] == wrong.pk)[10] == "ja"
    released = next(r for r in rows if r[8] == ordered.pk)
    assert (released[4], released[7]) == ("Disponeret", "Tilbageførsel: Afløst af bogføring")
    # Who posted: the municipality, never its employee.
    posted_by = {r[11] for r in rows if r[1] is not None}
    assert posted_by == {"Norddjurs Kommune"}
    assert not any("Lars Bach" in str(cell) for r in rows for cell in r)


def test_a_municipal_budget_pool_offers_no_grantor_package(funded, world) -> None:  # type: ignore[no-untyped-def]
    """The municipality's own money has no grantor and no approved budget lines: a "report to the
    grantor" on it read as a pool overspent by everything it had paid. Neither the pool page nor
    the reports page offers it, and the address says why instead of sending a file."""
    from styrbord.funding.tests import helpers

    budget_pool = helpers.pool(None, name="Kommunens pulje", kind=Pool.Kind.MUNICIPAL_BUDGET, total=D("50000"))
    helpers.grant(budget_pool, world.dolmer, amount="50000")
    client = Client()
    client.force_login(world.finance)

    page = client.get(reverse("funding:pool_detail", args=[budget_pool.pk])).content.decode()
    assert reverse("funding:package_docx", args=[budget_pool.pk]) not in page
    assert 'id="no-grantor-package"' in page
    external = client.get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    assert reverse("funding:package_docx", args=[funded.pool.pk]) in external
    assert 'id="no-grantor-package"' not in external

    reports = client.get(reverse("reports:report_list")).content.decode()
    assert reverse("funding:package_xlsx", args=[funded.pool.pk]) in reports
    assert reverse("funding:package_xlsx", args=[budget_pool.pk]) not in reports

    for name in ("funding:package_docx", "funding:package_xlsx"):
        response = client.get(reverse(name, args=[budget_pool.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("funding:pool_detail", args=[budget_pool.pk])
        assert "Kommunens pulje er en kommunal budgetpulje" in response.content.decode()
    assert not AuditEntry.objects.filter(action="funding.grantor_package.exported").exists()


def test_the_word_tables_keep_their_heading_row_with_the_rows(funded, world) -> None:  # type: ignore[no-untyped-def]
    """A table's heading row was left alone at the foot of a page: it now stays with the first row,
    repeats on each page, rows do not split, and the accounts' explanation stays with its table."""
    from docx.oxml.ns import qn

    held(funded, world)
    document = docx.Document(io.BytesIO(package_docx(build_package(funded.pool))))
    for table in document.tables:
        heading = table.rows[0]
        assert heading._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(p.paragraph_format.keep_with_next for cell in heading.cells for p in cell.paragraphs)
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    explanation = next(p for p in document.paragraphs if p.text.startswith("Regnskabet er opstillet"))
    assert explanation.paragraph_format.keep_with_next
