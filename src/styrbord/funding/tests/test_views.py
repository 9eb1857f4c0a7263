"""Funding pages per role: anonymous, wrong role, other tenant (404), right role, grantor's own pools."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from styrbord.audit.models import AuditEntry
from styrbord.funding.models import Appropriation, Grant, LedgerEntry, Pool
from styrbord.funding.services.balances import balances_for
from styrbord.lib.formatting import format_ore
from styrbord.testing.fixtures import client_for
from styrbord.training.models import BookingStatus

D = Decimal


def test_anonymous_users_are_sent_to_the_login_page(funded) -> None:  # type: ignore[no-untyped-def]
    for url in (
        reverse("funding:pool_list"),
        reverse("funding:grant_detail", args=[funded.dolmer_grant.pk]),
        reverse("funding:package_xlsx", args=[funded.pool.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["employee_user", "analyst"])
def test_roles_without_funding_access_are_refused(world, funded, persona) -> None:  # type: ignore[no-untyped-def]
    client = client_for(getattr(world, persona))
    assert client.get(reverse("funding:pool_list")).status_code == 403
    # The role may not read grants at all: refused before any row is looked up.
    assert client.get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).status_code == 403


def test_finance_sees_own_municipalitys_pools_with_balances_and_warnings(world, funded) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.finance).get(reverse("funding:pool_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert funded.pool.name in html
    assert "Syddjurs-puljen" not in html
    assert "1.022.000 kr." in html
    assert "6.840,50" in html  # the seat's commitment, 2.400 + 4.440,50 kr., exact in the grant table
    assert "badge-bad" in html  # e.g. Glesborg has spent nothing: its whole grant is at risk of repayment
    detail = client_for(world.finance).get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    assert "skal indsendes senest 15-12-2026" in detail


def test_the_grant_table_shows_oere_so_its_rows_add_up_to_the_total_row(world, funded) -> None:  # type: ignore[no-untyped-def]
    """Each row rounded to whole kroner made a column's rows miss its total by a krone: now exact."""
    import lxml.html

    from styrbord.funding.services.ledger import commit
    from styrbord.lib.formatting import parse_decimal

    commit(funded.glesborg_grant, "fee", Decimal("0.70"), dt.date(2026, 5, 1), world.finance, planned=True, text="Plan")
    page = client_for(world.finance).get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    table = lxml.html.fromstring(page).xpath("//table[.//th[starts-with(normalize-space(), 'Tilsagn')]]")[0]
    headers = [th.text_content().strip() for th in table.xpath("./thead//th")]
    assert "Disponeret (kr.)" in headers
    for column in ("Tilsagn (kr.)", "Planlagt (kr.)", "Disponeret (kr.)", "Forbrug (kr.)", "Tilbage (kr.)"):
        i = headers.index(column)
        rows = [parse_decimal(tr.xpath("./td")[i].text_content()) for tr in table.xpath("./tbody/tr")]
        total = parse_decimal(table.xpath("./tfoot/tr/td")[i].text_content())
        assert sum(rows) == total, column
    planned = headers.index("Planlagt (kr.)")
    assert [tr.xpath("./td")[planned].text_content() for tr in table.xpath("./tbody/tr")].count("0,70") == 1
    # In English the unit is DKK and the amounts are written the English way.
    client = client_for(world.finance)
    client.cookies["django_language"] = "en"
    english = client.get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    assert 'Planned <span class="unit">(DKK)</span>' in english
    assert ">0.70<" in english


def test_a_grant_still_open_after_its_pools_period_says_so(world, funded, clock) -> None:  # type: ignore[no-untyped-def]
    """In January 2028 the 2025-2027 grants still read 'Tilsagn givet' until the finance officer closes
    them; the tables and the grant page now say the period is over (the final accounts are due)."""
    ended = "Perioden sluttede 31-12-2027"
    assert ended not in client_for(world.finance).get(reverse("funding:pool_list")).content.decode()
    clock.to(dt.date(2028, 1, 20))
    finance = client_for(world.finance)
    listed = finance.get(reverse("funding:pool_list")).content.decode()
    assert listed.count(ended) == 4  # two grants, each in the wide and the narrow layout
    page = finance.get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).content.decode()
    assert ended in page
    Grant.objects.filter(pk=funded.dolmer_grant.pk).update(status=Grant.Status.CLOSED)
    assert finance.get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode().count(ended) == 2


def test_another_tenants_pool_and_grant_answer_404(world, funded) -> None:  # type: ignore[no-untyped-def]
    other = client_for(world.other_coordinator)
    assert other.get(reverse("funding:pool_detail", args=[funded.pool.pk])).status_code == 404
    assert other.get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).status_code == 404
    assert other.get(reverse("funding:municipality_overview", args=["0707"])).status_code == 404
    finance = client_for(world.finance)
    assert finance.get(reverse("funding:grant_detail", args=[funded.other_grant.pk])).status_code == 404


def test_a_facility_manager_reads_only_own_facilitys_grant_and_cannot_post(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.manager)
    page = client.get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk]))
    assert page.status_code == 200
    assert "Ny postering" not in page.content.decode()
    assert client.get(reverse("funding:grant_detail", args=[funded.glesborg_grant.pk])).status_code == 404
    assert client.get(reverse("funding:entry_create", args=[funded.dolmer_grant.pk])).status_code == 403
    assert client.get(reverse("funding:pool_create")).status_code == 403


def test_the_grant_page_shows_ledger_balances_budget_lines_and_chart(world, funded) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.finance).get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tilsagn til Dolmer Have" in html
    assert "2.400,00 kr." in html
    assert "4.440,50 kr." in html
    assert "data-vega-spec" in html  # the burn-down chart
    assert "31-12-2027" in html  # the burn-down runs to the period end
    assert "Udvidet revision" in html  # 700.000 kr. is above 500.000 kr.
    assert "Kursusgebyr" in html
    assert "100.000 kr." in html


def test_a_grantor_sees_and_exports_only_its_own_pools(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.grantor_user)
    listing = client.get(reverse("funding:pool_list")).content.decode()
    assert funded.pool.name in listing
    assert "Syddjurs-puljen" not in listing
    assert client.get(reverse("funding:pool_detail", args=[funded.pool.pk])).status_code == 200
    assert client.get(reverse("funding:pool_detail", args=[funded.other_pool.pk])).status_code == 404
    assert client.get(reverse("funding:package_xlsx", args=[funded.pool.pk])).status_code == 200
    assert client.get(reverse("funding:package_docx", args=[funded.other_pool.pk])).status_code == 404
    assert client.get(reverse("funding:entry_create", args=[funded.dolmer_grant.pk])).status_code == 403
    assert client.get(reverse("funding:appropriation_detail", args=[funded.appropriation.pk])).status_code == 403


def test_finance_posts_reverses_and_corrects_through_the_forms(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    grant = funded.dolmer_grant
    response = client.post(
        reverse("funding:entry_create", args=[grant.pk]),
        {"kind": "actual", "category": "fee", "amount": "1250,50", "posted_on": "2025-05-02", "text": "Faktura 17"},
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(text="Faktura 17")
    assert entry.amount == D("1250.50")
    response = client.post(
        reverse("funding:entry_create", args=[grant.pk]),
        {"kind": "actual", "category": "materials", "amount": "10", "posted_on": "2025-05-02"},
    )
    assert "dækker ikke udgiftsarten Materialer" in response.content.decode()
    # A date outside the pool's period is refused at the date field, not in a box above the form.
    outside = client.post(
        reverse("funding:entry_create", args=[grant.pk]),
        {"kind": "actual", "category": "fee", "amount": "10", "posted_on": "2028-01-03", "text": "Forkert"},
    )
    assert outside.context["form"].errors["posted_on"] == [
        f"Datoen 03-01-2028 ligger uden for projektperioden 01-01-2025 – 31-12-2027 for puljen {grant.pool.name}."
    ]
    assert not outside.context["form"].non_field_errors()
    # Zero, a negative amount (an offset that bypasses reversal) and exponent notation are refused.
    for amount, message in (
        ("0", "Beløbet skal være større end 0. En forkert postering rettes ved at tilbageføre den."),
        ("-500", "Beløbet skal være større end 0. En forkert postering rettes ved at tilbageføre den."),
        ("1e5", "Indtast et tal."),
    ):
        refused = client.post(
            reverse("funding:entry_create", args=[grant.pk]),
            {"kind": "actual", "category": "fee", "amount": amount, "posted_on": "2025-05-02", "text": "Forkert"},
        )
        assert message in refused.content.decode(), amount
    assert not LedgerEntry.objects.filter(text="Forkert").exists()
    # The open commitments a posting can release read as money, with their cost type and course.
    form = client.get(reverse("funding:entry_create", args=[grant.pk])).content.decode()
    releases = form.split('name="releases"', 1)[1].split("</select>", 1)[0]
    backfill = LedgerEntry.objects.get(grant=grant, booking=funded.booking, category="backfill")
    assert f"Disponering · Vikardækning (løn) · 4.440,50 kr. · {funded.booking.session}</option>" in releases
    assert "4440.50" not in releases
    assert str(backfill).endswith(f"4.440,50 kr. · {funded.booking.session}")
    client.post(reverse("funding:entry_correct", args=[entry.pk]), {"new_amount": "1205,50", "reason": "Tastefejl"})
    correction = LedgerEntry.objects.get(corrects=entry)
    assert correction.amount == D("1205.50")
    client.post(reverse("funding:entry_reverse", args=[correction.pk]), {"reason": "Krediteret"})
    assert balances_for(grant).actual == 0
    assert AuditEntry.objects.filter(action="funding.ledger.corrected", actor_id=world.finance.pk).exists()
    assert AuditEntry.objects.filter(action="funding.ledger.reversed", actor_id=world.finance.pk).count() == 2
    # A refund is a negative cost: typed as such, and refused with a hint when typed positive.
    refund = {"kind": "actual", "category": "veu_refund", "posted_on": "2025-05-02", "text": "VEU fra AUB"}
    refused = client.post(reverse("funding:entry_create", args=[grant.pk]), {**refund, "amount": "1.250"})
    assert "En refusion bogføres som et negativt beløb, f.eks. -1.250,00." in refused.content.decode()
    assert not LedgerEntry.objects.filter(text="VEU fra AUB").exists()
    client.post(reverse("funding:entry_create", args=[grant.pk]), {**refund, "amount": "-1.250"})
    assert LedgerEntry.objects.get(text="VEU fra AUB").amount == D("-1250.00")


def test_finance_creates_a_pool_a_grant_and_an_appropriation(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    response = client.post(
        reverse("funding:pool_create"),
        {
            "name": "Kompetencefonden",
            "grantor": world.grantor.pk,
            "municipality": funded.pool.municipality_id,
            "kind": "co_financed_fund",
            "total": "250000",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "eligible_categories": ["fee", "backfill"],
            "co_financing_share": "75",
            "ceiling_per_person_year": "10.000,00",  # Danish amounts, thousands dots and all
            "budget_change_percent": "10",
            "budget_change_amount": "100.000",
            "repayment_waiver_limit": "500,50",
            "deadline-TOTAL_FORMS": "1",
            "deadline-INITIAL_FORMS": "0",
            "deadline-0-kind": "grant_accounts",
            "deadline-0-due_date": "2027-06-30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pool = Pool.objects.get(name="Kompetencefonden")
    assert pool.deadlines.count() == 1
    assert (pool.ceiling_per_person_year, pool.budget_change_amount, pool.repayment_waiver_limit) == (
        Decimal("10000.00"),
        Decimal("100000.00"),
        Decimal("500.50"),
    )
    blank = client.get(reverse("funding:pool_create")).content.decode()
    assert 'name="repayment_waiver_limit" value="500,00" inputmode="decimal"' in blank  # not "500.00"
    lines = {"line-TOTAL_FORMS": "2", "line-INITIAL_FORMS": "0"}
    lines |= {"line-0-category": "fee", "line-0-year": "2026", "line-0-amount": "100000"}
    lines |= {"line-1-category": "backfill", "line-1-year": "2026", "line-1-amount": "90000"}
    response = client.post(
        reverse("funding:grant_create", args=[pool.pk]),
        {"facility": world.glesborg.pk, "amount": "200000", "status": "approved", **lines},
    )
    assert "Budgetlinjerne summer til 190.000,00 kr., men tilsagnet er på 200.000,00 kr." in response.content.decode()
    lines["line-1-amount"] = "100000"
    response = client.post(
        reverse("funding:grant_create", args=[pool.pk]),
        {"facility": world.glesborg.pk, "amount": "200000", "status": "approved", **lines},
    )
    assert response.status_code == 302
    assert Grant.objects.get(pool=pool).budget_lines.count() == 2
    form = {
        "title": "Tillæg",
        "kind": "supplementary",
        "decision_body": "Voksen- og Plejeudvalget",
        "decision_date": "2025-12-17",
        "budget_neutral": "on",
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-0-year": "2026",
        "line-0-direction": "income",
        "line-0-amount": "200000",
        "line-1-year": "2026",
        "line-1-direction": "expenditure",
        "line-1-amount": "150000",
    }
    response = client.post(reverse("funding:appropriation_create"), form)
    assert "i 2026 er indtægterne 200.000,00 kr. og udgifterne 150.000,00 kr.: en forskel på 50.000,00 kr." in (
        response.content.decode()
    )
    form["line-1-amount"] = "200000"
    assert client.post(reverse("funding:appropriation_create"), form).status_code == 302
    assert Appropriation.objects.filter(title="Tillæg", budget_neutral=True).exists()


def test_the_municipality_overview_shows_grants_and_the_budget_neutral_appropriation(world, funded) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.coordinator).get(reverse("funding:municipality_overview", args=["0707"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dolmer Have" in html
    assert "Bofællesskaberne Glesborg" in html
    assert "Syddjurs" not in html
    assert "budgetneutral" in html
    assert "1,022 mio. kr." in html  # income and expenditure in 2025


def test_finance_charges_a_booking_to_two_grants_through_the_form(world, funded) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.tests import helpers

    other = helpers.grant(helpers.pool(name="Ekstra pulje"), world.dolmer, amount="100000")
    client = client_for(world.finance)
    url = reverse("funding:booking_charge", args=[funded.booking.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"grant_1": funded.dolmer_grant.pk, "share_1": "60", "grant_2": other.pk, "share_2": "40"}
    )
    assert response.status_code == 200
    assert balances_for(other).committed == D("2736.20")  # 40 % of 6.840,50
    assert balances_for(funded.dolmer_grant).committed == D("4104.30")
    # A booking outside the user's scope answers 404.
    assert client_for(world.other_coordinator).get(url).status_code == 404


def test_posting_a_bookings_actuals_from_its_page_says_what_happened(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    url = reverse("funding:booking_post_actuals", args=[funded.booking.pk])
    actuals = LedgerEntry.objects.filter(booking=funded.booking, balance=LedgerEntry.Balance.ACTUAL)

    refused = client.post(url, {"posted_on": "9999-12-31"}, follow=True).content.decode()

    assert "Bogføringsdato: Datoen skal ligge mellem 01-01-1900 og 31-12-2199." in refused
    assert not actuals.exists()
    not_held = client.post(url, {"posted_on": ""}, follow=True).content.decode()
    assert "Kun afholdte, afbestilte eller udeblevne pladser kan bogføres (status: Tilmeldt)." in not_held
    funded.booking.status = BookingStatus.ATTENDED
    funded.booking.save()
    done = client.post(url, {"posted_on": ""}, follow=True).content.decode()
    assert "De faktiske udgifter er bogført." in done
    assert actuals.exists()


def test_the_charge_page_offers_to_post_actuals_only_when_there_is_something_to_post(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    page_url = reverse("funding:booking_charge", args=[funded.booking.pk])
    post_url = reverse("funding:booking_post_actuals", args=[funded.booking.pk])
    booked = client.get(page_url).content.decode()
    assert f'action="{post_url}"' not in booked  # the course is not held: nothing actual yet
    assert 'id="actuals-later"' in booked
    funded.booking.status = BookingStatus.ATTENDED
    funded.booking.save()
    held = client.get(page_url).content.decode()
    assert f'action="{post_url}"' in held
    client.post(post_url, {"posted_on": ""})
    posted = client.get(page_url).content.decode()
    assert f'action="{post_url}"' not in posted  # posted once: the commitments are replaced
    assert 'id="actuals-later"' not in posted


def test_the_pages_speak_english_one_click_away(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).content.decode()
    assert "Grant to Dolmer Have" in html
    assert "Spending towards the period end" in html


def test_the_grant_page_lists_seats_not_yet_charged_with_a_link_to_charge_them(world, funded) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.tests import helpers

    uncharged = helpers.booking(world.dolmer_staff[1], {"fee": "100"})
    helpers.booking(world.glesborg_staff[0], {"fee": "100"})  # another facility: not this grant's seat
    html = (
        client_for(world.finance).get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).content.decode()
    )
    assert "Pladser uden finansiering" in html
    assert reverse("funding:booking_charge", args=[uncharged.pk]) in html
    assert html.count("/fordel/") == 3  # the uncharged seat, and the charged seat in its two ledger lines


def test_the_grant_page_filters_its_postings_by_year_balance_and_category(world, funded) -> None:  # type: ignore[no-untyped-def]
    grant = funded.dolmer_grant
    client = client_for(world.finance)
    for posted_on, amount in (("2025-05-02", "100"), ("2026-03-10", "250,50"), ("2026-09-01", "40")):
        client.post(
            reverse("funding:entry_create", args=[grant.pk]),
            {
                "kind": "actual",
                "category": "fee",
                "amount": amount,
                "posted_on": posted_on,
                "text": f"Faktura {amount}",
            },
        )
    url = reverse("funding:grant_detail", args=[grant.pk])
    everything = LedgerEntry.objects.filter(grant=grant)
    in_2026 = everything.filter(posted_on__year=2026, balance=LedgerEntry.Balance.ACTUAL, category="fee")
    assert in_2026.count() == 2
    html = client.get(url, {"year": "2026", "balance": "actual", "category": "fee"}).content.decode()
    assert f"Viser 1–2 af 2 posteringer med de valgte filtre ({everything.count()} i alt), nyeste først." in html
    assert "Faktura 250,50" in html
    assert "Faktura 40" in html
    assert "Faktura 100" not in html
    assert '<td class="num" id="shown-total">290,50 kr.</td>' in html
    # No filter: every posting, no "shown" sum; a year without postings says so; a wrong value is refused.
    unfiltered = client.get(url).content.decode()
    assert f"Viser 1–{everything.count()} af {everything.count()} posteringer, nyeste først." in unfiltered
    assert 'id="shown-total"' not in unfiltered
    assert "Ingen posteringer med de valgte filtre." in client.get(url, {"category": "materials"}).content.decode()
    refused = client.get(url, {"year": "1999"}).content.decode()
    assert "Marker en gyldig valgmulighed" in refused
    assert f"Viser 1–{everything.count()} af {everything.count()} posteringer" in refused


def test_the_postings_export_as_xlsx_with_the_page_filters_and_a_total(world, funded) -> None:  # type: ignore[no-untyped-def]
    """The finance officer downloads a grant's postings (all, or the filtered ones) to reconcile
    with the accounting system; a reversal names the posting it reverses; the export is logged.
    A facility manager may read the ledger but not export it; another municipality's grant is 404."""
    import io

    from openpyxl import load_workbook

    from styrbord.funding.services.ledger import post_actual, reverse_entry

    grant = funded.dolmer_grant
    wrong = post_actual(grant, "fee", D("1234.56"), dt.date(2026, 2, 3), world.finance, text="=SUM(A1:A2) faktura")
    post_actual(grant, "travel", D("300.25"), dt.date(2026, 2, 4), world.finance, text="Kørsel")
    reverse_entry(wrong, world.finance, "Forkert tilsagn")
    client = client_for(world.finance)
    page = client.get(reverse("funding:grant_detail", args=[grant.pk]), {"year": "2026", "balance": "actual"})
    url = reverse("funding:ledger_xlsx", args=[grant.pk])
    assert f'id="ledger-xlsx" href="{url}?year=2026&amp;balance=actual"' in page.content.decode()

    response = client.get(url, {"year": "2026", "balance": "actual"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="posteringer-tilsagn-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:7] == ("Nr.", "Dato", "Type", "Saldo", "Udgiftsart", "Beløb (kr.)", "Tekst")
    body, total = values[1:-1], values[-1]
    expected = LedgerEntry.objects.filter(grant=grant, posted_on__year=2026, balance="actual").order_by(
        "posted_on", "pk"
    )
    assert [row[0] for row in body] == [e.pk for e in expected]
    first = body[0]
    assert (first[1].date(), first[4], D(str(first[5])), first[6]) == (
        dt.date(2026, 2, 3),
        "Kursusgebyr",
        D("1234.56"),
        "'=SUM(A1:A2) faktura",
    )  # a formula-like text stays text
    assert first[9] == "ja"  # reversed
    reversal = next(row for row in body if row[7] == wrong.pk)
    assert D(str(reversal[5])) == D("-1234.56")
    assert (total[3], total[6], D(str(total[5]))) == ("Forbrug", "I alt, Forbrug", D("300.25"))
    logged = AuditEntry.objects.get(action="funding.ledger.exported")
    assert (logged.kind, logged.data["grant"], logged.data["rows"]) == ("export", grant.pk, len(body))

    # Unfiltered: every posting of the grant.
    everything = load_workbook(io.BytesIO(client.get(url).content)).active
    all_rows = list(everything.iter_rows(values_only=True))
    entries = LedgerEntry.objects.filter(grant=grant)
    balances = sorted({e.balance for e in entries})
    assert len(all_rows) == 1 + entries.count() + len(balances)
    # One total per balance, never income and spending added together.
    totals = {row[3]: D(str(row[5])) for row in all_rows[-len(balances) :]}
    assert all(row[6].startswith("I alt, ") for row in all_rows[-len(balances) :])
    assert totals == {
        str(LedgerEntry.Balance(b).label): sum((e.amount for e in entries if e.balance == b), D(0)) for b in balances
    }
    assert len(totals) > 1  # the grant has more than one balance, so one total would have mixed them

    assert client_for(world.manager).get(url).status_code == 403
    assert (
        'id="ledger-xlsx"'
        not in client_for(world.manager).get(reverse("funding:grant_detail", args=[grant.pk])).content.decode()
    )
    assert client.get(reverse("funding:ledger_xlsx", args=[funded.other_grant.pk])).status_code == 404


def test_who_posted_is_the_municipality_for_the_grantor_and_the_colleague_for_the_municipality(world, funded) -> None:  # type: ignore[no-untyped-def]
    """Who booked a posting is the municipality's own bookkeeping: its finance officer, coordinator
    and facility manager see their colleague's name on the grant page and in the ledger download;
    the grantor sees "Norddjurs Kommune" in both, never the employee's name."""
    import io

    from openpyxl import load_workbook

    from styrbord.funding.services.ledger import post_actual

    world.finance.first_name, world.finance.last_name = "Lars", "Bach"
    world.finance.save()
    grant = funded.dolmer_grant
    post_actual(grant, "fee", D("1200.00"), dt.date(2026, 2, 3), world.finance, text="Faktura 12")
    page_url = reverse("funding:grant_detail", args=[grant.pk])
    xlsx_url = reverse("funding:ledger_xlsx", args=[grant.pk])

    def posted_by(user) -> tuple[str, set[str]]:  # type: ignore[no-untyped-def]
        client = client_for(user)
        page = client.get(page_url).content.decode()
        rows = list(load_workbook(io.BytesIO(client.get(xlsx_url).content)).active.iter_rows(values_only=True))
        assert rows[0][10] == "Oprettet af"
        return page, {row[10] for row in rows[1:] if row[0] is not None}

    page, exported = posted_by(world.grantor_user)
    assert "Lars Bach" not in page
    assert re.search(r"#\d+ · [\d: -]+ · Norddjurs Kommune</td>", page)
    assert exported == {"Norddjurs Kommune"}

    page, exported = posted_by(world.finance)
    assert re.search(r"#\d+ · [\d: -]+ · Lars Bach</td>", page)
    assert "Norddjurs Kommune</td>" not in page
    assert exported == {"Lars Bach"}
    manager_page = client_for(world.manager).get(page_url).content.decode()
    assert re.search(r"#\d+ · [\d: -]+ · Lars Bach</td>", manager_page)


def test_a_long_ledger_is_paged_newest_first_and_a_reversal_links_to_the_page_of_its_posting(world, funded) -> None:  # type: ignore[no-untyped-def]
    """A grant's ledger runs to hundreds of postings: 50 a page, newest first; "#N" beside a
    reversal or correction opens the page where posting N is listed (?postering=N)."""
    from styrbord.funding.services.ledger import post_actual, reverse_entry

    grant = funded.dolmer_grant
    first = post_actual(grant, "fee", Decimal("1.00"), dt.date(2025, 1, 2), world.finance, text="Den første")
    for i in range(60):
        post_actual(grant, "fee", Decimal("2.00"), dt.date(2025, 3, 1) + dt.timedelta(days=i), world.finance, text="x")
    reverse_entry(first, world.finance, "Forkert tilsagn")
    total = LedgerEntry.objects.filter(grant=grant).count()
    assert total > 50
    client = client_for(world.finance)
    url = reverse("funding:grant_detail", args=[grant.pk])
    newest = client.get(url).content.decode()
    assert f"Viser 1–50 af {total} posteringer, nyeste først." in newest
    assert newest.count('<tr id="entry-') == 50
    assert "Side 1 af 2" in newest
    assert "side=2#entry-filter" in newest
    assert f'id="entry-{first.pk}"' not in newest  # the oldest posting is on the last page
    jumped = client.get(url, {"postering": first.pk}).content.decode()
    assert f'id="entry-{first.pk}"' in jumped
    assert f'href="?postering={first.pk}#entry-{first.pk}"' in jumped  # its reversal's link to it
    last = (total - 1) // 50 + 1
    assert f"Side {last} af {last}" in jumped
    # The filters are kept from page to page, and the filtered sum covers every page.
    filtered = client.get(url, {"year": "2025", "balance": "actual", "side": "2"}).content.decode()
    assert "year=2025&amp;balance=actual&amp;side=1" in filtered
    shown = LedgerEntry.objects.filter(grant=grant, posted_on__year=2025, balance="actual")
    expected = sum((e.amount for e in shown), Decimal(0))
    assert f'id="shown-total">{format_ore(expected)}</td>' in filtered


def test_the_grant_page_says_what_is_left_after_spending_committed_and_planned(world, funded) -> None:  # type: ignore[no-untyped-def]
    from styrbord.funding.services.ledger import commit

    commit(
        funded.dolmer_grant, "fee", Decimal("1000.00"), dt.date(2026, 5, 1), world.finance, planned=True, text="Plan"
    )
    page = client_for(world.finance).get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).content
    html = page.decode()

    # 700.000 granted; the booking commits 6.840,50 kr.; 1.000 kr. is planned: 692.159,50 left (shown in kroner).
    tile = html.split("tilbage (tilsagn − forbrug − disponeret − planlagt)")[0].rsplit('<span class="value">', 1)[1]
    assert tile.startswith("692.160 kr.")


def test_the_distribution_of_a_seat_reads_in_words_not_codes(world, client) -> None:  # type: ignore[no-untyped-def]
    """After 'Fordel' the table showed 'backfill', 'fee' and the grant as '#1'."""
    from styrbord.funding.tests import helpers

    grant = helpers.grant(helpers.pool(), world.dolmer, amount="100000")
    booking = helpers.booking(world.dolmer_staff[0], {"fee": "2400", "backfill": "5000"})
    client.force_login(world.finance)
    page = client.post(
        f"/oekonomi/bookinger/{booking.pk}/fordel/", {"grant_1": grant.pk, "share_1": "100"}
    ).content.decode()
    table = page.split("<h2>Fordeling</h2>", 1)[1].split("</table>", 1)[0]
    assert "Kursusgebyr" in table
    assert "Vikardækning (løn)" in table
    assert f"{grant.recipient_name} ({grant.pool.name})" in table
    assert "#" not in table
    assert ">fee<" not in table


def _new_pool(**fields):  # type: ignore[no-untyped-def]
    return {
        "name": "Forebyggelsespuljen",
        "kind": "municipal_budget",
        "total": "1022000",
        "period_start": "2025-01-01",
        "period_end": "2027-12-31",
        "eligible_categories": ["fee"],
        "co_financing_share": "0",
        "budget_change_percent": "10",
        "budget_change_amount": "100.000",
        "repayment_waiver_limit": "500",
        "deadline-TOTAL_FORMS": "0",
        "deadline-INITIAL_FORMS": "0",
        **fields,
    }


def test_a_pool_is_not_saved_where_its_creator_cannot_find_it(world, funded) -> None:  # type: ignore[no-untyped-def]
    """A coordinator's pool without a municipality was saved, said so, and then answered 404."""
    client = client_for(world.coordinator)
    blank = client.get(reverse("funding:pool_create")).content.decode()
    # The only municipality the coordinator has is chosen already, and the field is required.
    norddjurs = world.dolmer.municipality_id
    assert re.search(rf'<option value="{norddjurs}" selected>Norddjurs Kommune</option>', blank)
    assert re.search(r'<select name="municipality"[^>]* required', blank)

    refused = client.post(reverse("funding:pool_create"), _new_pool(municipality=""))
    assert refused.status_code == 200
    assert "Dette felt er påkrævet." in refused.content.decode()
    assert not Pool.objects.filter(name="Forebyggelsespuljen").exists()

    saved = client.post(reverse("funding:pool_create"), _new_pool(municipality=str(norddjurs)))
    assert saved.status_code == 302
    assert client.get(saved["Location"]).status_code == 200


def test_a_pool_outside_the_scope_is_undone_with_a_message(world, funded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Whatever let it through the form, the page checks the saved pool as the API does."""
    from styrbord.funding import forms as funding_forms

    original = funding_forms.PoolForm.__init__

    def lenient(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["require_municipality"] = False
        original(self, *args, **kwargs)

    monkeypatch.setattr(funding_forms.PoolForm, "__init__", lenient)
    response = client_for(world.coordinator).post(reverse("funding:pool_create"), _new_pool(municipality=""))
    assert response.status_code == 200
    assert "Puljen ville ligge uden for det, du har adgang til: vælg din kommune." in response.content.decode()
    assert not Pool.objects.filter(name="Forebyggelsespuljen").exists()


def test_an_administrator_may_leave_the_municipality_empty(world, funded) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.admin).post(reverse("funding:pool_create"), _new_pool(municipality=""))
    assert response.status_code == 302
    assert Pool.objects.get(name="Forebyggelsespuljen").municipality is None


def test_the_ledgers_own_texts_read_in_english_on_the_english_site(world, funded) -> None:  # type: ignore[no-untyped-def]
    """The books keep "Tilbageførsel: Korrektion af beløb" in Danish; an English reader saw it so on
    the grant page and in the download. Now the system's own texts are shown in English, the words a
    person typed (the reason "Forkert tilsagn") as typed, and the stored text is unchanged."""
    import io

    from openpyxl import load_workbook

    from styrbord.funding.services.ledger import correct_entry, post_actual, reverse_entry

    grant = funded.dolmer_grant
    wrong = post_actual(grant, "fee", D("1234.56"), dt.date(2026, 2, 3), world.finance, text="Faktura 17")
    reverse_entry(wrong, world.finance, "Forkert tilsagn")
    travel = post_actual(grant, "travel", D("300.25"), dt.date(2026, 2, 4), world.finance, text="Kørsel")
    correct_entry(travel, D("310.25"), world.finance)
    client = client_for(world.finance)
    danish = client.get(reverse("funding:grant_detail", args=[grant.pk])).content.decode()
    assert "Tilbageførsel: Korrektion af beløb" in danish
    assert "Tilbageførsel: Forkert tilsagn" in danish
    client.cookies["django_language"] = "en"
    english = client.get(reverse("funding:grant_detail", args=[grant.pk])).content.decode()
    for shown in ("Reversal: Correction of amount", "Correction: Correction of amount", "Reversal: Forkert tilsagn"):
        assert shown in english
    assert "Tilbageførsel" not in english
    assert "Faktura 17" in english
    sheet = load_workbook(io.BytesIO(client.get(reverse("funding:ledger_xlsx", args=[grant.pk])).content)).active
    texts = {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"Reversal: Correction of amount", "Reversal: Forkert tilsagn", "Faktura 17"} <= texts
    stored = set(LedgerEntry.objects.filter(grant=grant, kind="reversal").values_list("text", flat=True))
    assert stored == {"Tilbageførsel: Forkert tilsagn", "Tilbageførsel: Korrektion af beløb"}
