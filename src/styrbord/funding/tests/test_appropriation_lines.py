"""The "Ny bevilling" page and its lines: rows left alone are skipped, and every line fits the
appropriation's pool (a year in its period, one of its grants); a budget-neutral one balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from styrbord.funding.models import Appropriation, AppropriationLine
from styrbord.funding.services import FundingError
from styrbord.funding.services.setup import create_appropriation
from styrbord.funding.tests import helpers
from styrbord.testing import factories
from styrbord.testing.fixtures import client_for
from styrbord.testing.forms import form_data, page_forms

D = Decimal
INCOME, EXPENDITURE = AppropriationLine.Direction.INCOME, AppropriationLine.Direction.EXPENDITURE
URL = "funding:appropriation_create"


def _page_form(client: Any) -> dict[str, Any]:
    """What the browser sends for the page's form as it stands: the four line rows untouched."""
    page = client.get(reverse(URL))
    assert page.status_code == 200
    (form,) = page_forms(page.content, "//form[.//input[@name='line-TOTAL_FORMS']]")
    return form_data(form)


def _header(pool: Any = None, neutral: bool = True) -> dict[str, str]:
    header = {
        "title": "Frigivelse af puljemidler, Dolmer Have",
        "kind": "supplementary",
        "decision_body": "Voksen- og Plejeudvalget",
        "decision_date": "2025-12-17",
        "case_number": "24/9263",
        "pool": str(pool.pk) if pool is not None else "",
    }
    if neutral:
        header["budget_neutral"] = "on"
    return header


def _row(n: int, year: str, direction: str, amount: str, grant: Any = None) -> dict[str, str]:
    return {
        f"line-{n}-year": year,
        f"line-{n}-direction": direction,
        f"line-{n}-amount": amount,
        f"line-{n}-grant": str(grant.pk) if grant is not None else "",
    }


def _post(client: Any, data: dict[str, Any]) -> tuple[Any, str]:
    response = client.post(reverse(URL), data)
    return response, response.content.decode()


def test_two_filled_rows_are_saved_and_the_two_rows_left_alone_are_skipped(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _page_form(client)
    assert data["line-TOTAL_FORMS"] == "4"
    assert data["line-2-direction"] == data["line-3-direction"] == ""  # untouched rows send nothing
    data |= _header(funded.pool)
    data |= _row(0, "2026", "income", "100,50", funded.dolmer_grant)
    data |= _row(1, "2026", "expenditure", "100,50", funded.dolmer_grant)
    response, html = _post(client, data)
    assert response.status_code == 302, html[:3000]  # the page again would say "Række 3, år: ..."
    appropriation = Appropriation.objects.get(title="Frigivelse af puljemidler, Dolmer Have")
    assert response["Location"] == reverse("funding:appropriation_detail", args=[appropriation.pk])
    assert sorted(appropriation.lines.values_list("year", "direction", "amount", "grant")) == [
        (2026, "expenditure", D("100.50"), funded.dolmer_grant.pk),
        (2026, "income", D("100.50"), funded.dolmer_grant.pk),
    ]


def test_a_half_filled_row_is_refused_at_its_row(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _page_form(client) | _header(funded.pool)
    data |= _row(0, "2026", "income", "100,50", funded.dolmer_grant)
    data |= _row(1, "2026", "expenditure", "100,50", funded.dolmer_grant)
    data |= {"line-2-amount": "250,00"}  # an amount, but no year and no income/expenditure
    response, html = _post(client, data)
    assert response.status_code == 200
    assert "Række 3, år: Dette felt er påkrævet." in html
    assert "Række 3, indtægt/udgift: Dette felt er påkrævet." in html
    assert "Række 4" not in html
    assert not Appropriation.objects.filter(title="Frigivelse af puljemidler, Dolmer Have").exists()


def test_a_year_outside_the_pools_period_is_refused_at_the_rows_year(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _page_form(client) | _header(funded.pool)
    data |= _row(0, "2030", "income", "1000", funded.dolmer_grant)
    data |= _row(1, "2031", "expenditure", "1000", funded.dolmer_grant)
    data |= _row(2, "2027", "expenditure", "0", funded.dolmer_grant)
    response, html = _post(client, data)
    assert response.status_code == 200
    period = "puljens periode, 01-01-2025 til 31-12-2027."
    assert f"Række 1, år: Året 2030 ligger uden for {period}" in html
    assert f"Række 2, år: Året 2031 ligger uden for {period}" in html
    assert "Række 3, år" not in html  # 2027 is the period's last year
    assert not Appropriation.objects.filter(title="Frigivelse af puljemidler, Dolmer Have").exists()


def test_the_year_message_is_in_english_for_an_english_reader(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = _page_form(client) | _header(funded.pool)
    data |= _row(0, "2030", "income", "1000") | _row(1, "2030", "expenditure", "1000")
    html = client.post(reverse(URL), data).content.decode()
    assert "Row 1, year: The year 2030 lies outside the pool&#x27;s period, 01 Jan 2025 to 31 Dec 2027." in html


def test_a_grant_of_another_pool_is_refused_at_the_rows_grant(world, funded) -> None:  # type: ignore[no-untyped-def]
    own_money = helpers.pool(
        world.grantor, name="Norddjurs' egen pulje", case_number="25/100", municipality=factories.municipality("0707")
    )
    stranger = helpers.grant(own_money, world.dolmer, amount="1000")
    client = client_for(world.finance)
    data = _page_form(client) | _header(funded.pool)
    data |= _row(0, "2026", "income", "1000", funded.dolmer_grant)
    data |= _row(1, "2026", "expenditure", "1000", stranger)
    response, html = _post(client, data)
    assert response.status_code == 200
    assert (
        "Række 2, tilsagn: Tilsagnet hører til puljen Norddjurs&#x27; egen pulje, ikke til bevillingens pulje "
        "Kompetenceudvikling af medarbejdere på socialpsykiatriske botilbud."
    ) in html
    assert "Række 1, tilsagn" not in html
    assert not Appropriation.objects.filter(title="Frigivelse af puljemidler, Dolmer Have").exists()


def test_an_appropriation_without_a_pool_is_the_municipalitys_own_money_and_may_name_no_grant(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _page_form(client) | _header(None)
    data |= _row(0, "2031", "income", "5000") | _row(1, "2031", "expenditure", "5000", funded.glesborg_grant)
    response, html = _post(client, data)
    assert response.status_code == 200
    assert (
        "Række 2, tilsagn: Tilsagnet hører til puljen Kompetenceudvikling af medarbejdere på socialpsykiatriske "
        "botilbud. Vælg den pulje til bevillingen, eller fjern tilsagnet fra linjen."
    ) in html
    data |= _row(1, "2031", "expenditure", "5000")  # no pool, no grant: any year is the municipality's to decide
    response, html = _post(client, data)
    assert response.status_code == 302, html[:3000]
    appropriation = Appropriation.objects.get(title="Frigivelse af puljemidler, Dolmer Have")
    assert appropriation.pool is None
    assert appropriation.lines.count() == 2


def test_four_income_lines_and_no_expenditure_are_refused_per_year_when_budget_neutral(world, funded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.finance)
    data = _page_form(client) | _header(funded.pool)
    data |= _row(0, "2025", "income", "100", funded.dolmer_grant) | _row(1, "2025", "income", "100")
    data |= _row(2, "2026", "income", "100", funded.glesborg_grant) | _row(3, "2026", "income", "50")
    response, html = _post(client, data)
    assert response.status_code == 200
    assert "i 2025 er indtægterne 200,00 kr. og udgifterne 0,00 kr.: en forskel på 200,00 kr." in html
    assert "i 2026 er indtægterne 150,00 kr. og udgifterne 0,00 kr.: en forskel på 150,00 kr." in html
    assert not Appropriation.objects.filter(title="Frigivelse af puljemidler, Dolmer Have").exists()
    # Not budget-neutral, income alone is a decision of its own (the income goes to the cash reserve).
    del data["budget_neutral"]
    assert _post(client, data)[0].status_code == 302
    assert Appropriation.objects.get(title="Frigivelse af puljemidler, Dolmer Have").lines.count() == 4


def _appropriation(pool: Any) -> Appropriation:
    return Appropriation(
        municipality=factories.municipality("0707"),
        title="Tillæg",
        kind=Appropriation.Kind.SUPPLEMENTARY,
        decision_body="Voksen- og Plejeudvalget",
        decision_date=dt.date(2025, 12, 17),
        budget_neutral=True,
        pool=pool,
    )


def test_the_service_refuses_the_same_lines_for_any_other_caller(world, funded) -> None:  # type: ignore[no-untyped-def]
    """The admin and the demo go through ``create_appropriation``, not the page's form."""
    lines = [
        AppropriationLine(year=2030, direction=INCOME, amount=D("10"), grant=funded.dolmer_grant),
        AppropriationLine(year=2030, direction=EXPENDITURE, amount=D("10"), grant=funded.other_grant),
    ]
    with pytest.raises(FundingError) as error:
        create_appropriation(_appropriation(funded.pool), lines, world.finance)
    message = error.value.message
    assert "Linje 1: Året 2030 ligger uden for puljens periode, 01-01-2025 til 31-12-2027." in message
    assert "Linje 2: Året 2030" in message
    assert "Linje 2: Tilsagnet hører til puljen Syddjurs-puljen, ikke til bevillingens pulje" in message
    assert "Linje 1: Tilsagnet" not in message
    with pytest.raises(FundingError, match="Vælg den pulje til bevillingen"):
        create_appropriation(_appropriation(None), lines[:1], world.finance)
    assert not Appropriation.objects.filter(title="Tillæg").exists()
    saved = create_appropriation(
        _appropriation(funded.pool),
        [
            AppropriationLine(year=2027, direction=INCOME, amount=D("10"), grant=funded.dolmer_grant),
            AppropriationLine(year=2027, direction=EXPENDITURE, amount=D("10"), grant=funded.dolmer_grant),
        ],
        world.finance,
    )
    assert saved.lines.count() == 2
