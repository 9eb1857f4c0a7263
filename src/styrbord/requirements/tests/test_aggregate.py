"""Coverage summed per municipality for analysts (/krav/samlet/): sums, suppression, scope, export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.accounts.suppression import reference_date
from styrbord.lib.dates import local_today
from styrbord.organisations.models import Facility, Municipality
from styrbord.requirements.aggregate import (
    aggregate_coverage,
    aggregate_requirements,
    aggregate_trend,
)
from styrbord.requirements.models import ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.testing import factories
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_target(world: World) -> dict[str, Any]:
    """Region Midtjylland wants everyone to hold KRAP. Norddjurs: 12 at Dolmer Have (6 hold it) and 2
    at Glesborg (1 holds it), 7 of 14 in all. Randers: 6, all hold it. Syddjurs: 2, one holds it."""
    today = local_today()
    krap = factories.competence("krap-agg", name="KRAP")
    long_ago = today - dt.timedelta(days=400)
    dolmer = world.dolmer_staff + [factories.employee(name=f"Dolmer-ekstra {i}") for i in range(9)]
    assert len(dolmer) == 12
    for person in dolmer[3:]:
        factories.employment(person, world.dolmer)
    for person in (dolmer[0], *dolmer[3:8], world.glesborg_staff[0], world.syddjurs_staff[0]):
        factories.holding(person, krap, long_ago)
    randers = factories.facility("Randers Bosted", "0730")
    for i in range(6):
        person = factories.employee(name=f"Randers-medarbejder {i}")
        factories.employment(person, randers)
        factories.holding(person, krap, long_ago)
    midtjylland = world.dolmer.municipality.region
    target = requirement(
        [krap], scope_level=ScopeLevel.REGION, region=midtjylland, name="Alle med KRAP (regionalt mål)"
    )
    hovedstaden = requirement(
        [krap], scope_level=ScopeLevel.REGION, region=world.kbh_facility.municipality.region, name="Hovedstaden-mål"
    )
    own = requirement([krap], facility=world.dolmer, name="Kun Dolmer Have")
    return {
        "today": today,
        "target": target,
        "hovedstaden": hovedstaden,
        "own": own,
        "randers": randers,
        "norddjurs": world.dolmer.municipality,
        "syddjurs": world.syddjurs_facility.municipality,
    }


def _rows(coverage: Any) -> dict[str, tuple[int | None, Decimal | None, str]]:
    return {r.label: (r.in_scope, r.share, r.status) for r in coverage.rows}


def _in_region(world: World) -> Any:
    return Facility.objects.filter(municipality__region=world.dolmer.municipality.region)


def test_rows_sum_the_facilities_of_each_municipality(world: World, region_target: dict[str, Any]) -> None:
    coverage = aggregate_coverage(region_target["target"], _in_region(world), region_target["today"], suppress=False)
    assert coverage.level == "municipality"
    assert _rows(coverage) == {
        "Norddjurs": (14, Decimal("50.0"), "bad"),
        "Randers": (6, Decimal("100.0"), "ok"),
        "Syddjurs": (2, Decimal("50.0"), "bad"),
    }
    # 7 + 6 + 1 of 22
    assert (coverage.total.in_scope, coverage.total.share, coverage.total.hidden) == (22, Decimal("63.6"), False)


def test_analysts_do_not_see_small_rows_or_rows_that_would_reveal_them(
    world: World, region_target: dict[str, Any]
) -> None:
    coverage = aggregate_coverage(region_target["target"], _in_region(world), region_target["today"], suppress=True)
    rows = {r.label: r for r in coverage.rows}
    # Syddjurs has 2 people, 1 meeting the requirement: hidden. Randers' 6 all meet it, and none
    # missing it tells that of each of the 6: its share is hidden too, and with the totals shown
    # its people, or Syddjurs would be 22 - 14 - 6. Hidden together, neither can be worked out;
    # but with Norddjurs' 7 missing shown, the region's 8 would tell that exactly one person in
    # Syddjurs and Randers together misses it, so Norddjurs' share is hidden as well (its 14
    # people are shown).
    assert rows["Syddjurs"].hidden
    assert rows["Syddjurs"].in_scope is None
    assert rows["Syddjurs"].share is None
    assert rows["Randers"].hidden
    assert rows["Randers"].in_scope is None
    assert rows["Randers"].status_label == "Skjult"
    assert rows["Norddjurs"].hidden
    assert (rows["Norddjurs"].in_scope, rows["Norddjurs"].share) == (14, None)
    assert (coverage.total.in_scope, coverage.total.share) == (22, Decimal("63.6"))


def test_a_share_that_tells_how_many_meet_or_miss_it_is_hidden_from_analysts(
    world: World, region_target: dict[str, Any]
) -> None:
    """33,3 % of 6 is 2 people: a share is a count in disguise. Randers with 4 of 6 holding KRAP
    shows its 6 people but neither its share nor its status, nor in the chart."""
    from styrbord.competences.models import CompetenceHolding

    randers = region_target["randers"]
    CompetenceHolding.objects.filter(
        pk__in=list(
            CompetenceHolding.objects.filter(employee__employments__facility=randers).values_list("pk", flat=True)[:2]
        )
    ).delete()
    target, today = region_target["target"], region_target["today"]
    plain = aggregate_coverage(target, _in_region(world), today, municipality=randers.municipality, suppress=False)
    assert _rows(plain) == {"Randers Bosted": (6, Decimal("66.7"), "bad")}
    hidden = aggregate_coverage(target, _in_region(world), today, municipality=randers.municipality, suppress=True)
    assert _rows(hidden) == {"Randers Bosted": (6, None, "hidden")}
    assert (hidden.total.in_scope, hidden.total.share, hidden.total.hidden) == (6, None, True)
    assert hidden.rows[0].people_shown == 6
    assert hidden.rows[0].share_shown == ".."
    past, _ = aggregate_trend(target, _in_region(world), today, municipality=randers.municipality, suppress=True)
    assert past[-1].share is None


def test_within_one_municipality_the_rows_are_its_facilities(world: World, region_target: dict[str, Any]) -> None:
    today = region_target["today"]
    plain = aggregate_coverage(
        region_target["target"],
        _in_region(world),
        today,
        municipality=region_target["norddjurs"],
        suppress=False,
    )
    assert plain.level == "facility"
    assert _rows(plain) == {
        "Bofællesskaberne Glesborg": (2, Decimal("50.0"), "bad"),
        "Dolmer Have": (12, Decimal("50.0"), "bad"),
    }
    suppressed = aggregate_coverage(
        region_target["target"],
        _in_region(world),
        today,
        municipality=region_target["norddjurs"],
        suppress=True,
    )
    # Glesborg (2) is hidden, so Dolmer Have (the only other row) is hidden too; the total stays.
    assert all(r.hidden for r in suppressed.rows)
    assert (suppressed.total.in_scope, suppressed.total.share) == (14, Decimal("50.0"))


def test_a_month_with_fewer_than_five_people_in_scope_is_not_charted_for_analysts(
    world: World, region_target: dict[str, Any]
) -> None:
    target, facilities, today = region_target["target"], _in_region(world), region_target["today"]
    syddjurs = region_target["syddjurs"]
    past, ahead = aggregate_trend(target, facilities, today, municipality=syddjurs, suppress=False)
    hidden_past, hidden_ahead = aggregate_trend(target, facilities, today, municipality=syddjurs, suppress=True)
    assert past[-1].share == Decimal("50.0")
    assert past[-1].in_scope == 2
    assert ahead[0].share == Decimal("50.0")
    assert len(hidden_past) == len(past)
    assert hidden_ahead
    assert all(p.share is None and p.in_scope == 0 for p in hidden_past + hidden_ahead)
    # Norddjurs (14 people, 7 meet it) is charted for analysts too.
    shown, _ = aggregate_trend(target, facilities, today, municipality=region_target["norddjurs"], suppress=True)
    assert shown[-1].share == Decimal("50.0")


def test_requirements_offered_are_those_set_above_one_facility_in_scope(
    world: World, region_target: dict[str, Any]
) -> None:
    offered = list(aggregate_requirements(_in_region(world)))
    assert region_target["target"] in offered
    assert region_target["own"] not in offered  # one facility's own requirement: the heat map's business
    assert region_target["hovedstaden"] not in offered  # another region's target


# --- the page ------------------------------------------------------------------------------------


def test_the_analyst_reads_the_regional_target_per_municipality(world: World, region_target: dict[str, Any]) -> None:
    client = client_for(world.analyst)
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("requirements:aggregate") in home
    response = client.get(reverse("requirements:aggregate"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alle med KRAP (regionalt mål)" in html
    assert 'data-key="{}"'.format(region_target["norddjurs"].pk) in html
    assert "63,6 %" in html  # the region's share
    # Syddjurs' and Randers' people and shares, and Norddjurs' share (its 14 people shown).
    assert html.count('<td class="num">..</td>') == 5
    assert '<td class="num">14</td>' in html
    assert "50,0 %" not in html
    assert "Randers-medarbejder" not in html
    assert "Dolmer-medarbejder" not in html
    assert "Hovedstaden-mål" not in html


def test_the_administrator_sees_every_number_and_one_coverage_menu_entry(
    world: World, region_target: dict[str, Any]
) -> None:
    client = client_for(world.admin)
    html = client.get(reverse("requirements:aggregate"), {"krav": region_target["target"].pk}).content.decode()
    assert '<td class="num">..</td>' not in html
    assert "Skjulte tal vises som" not in html  # no suppression note either
    assert "100,0 %" in html  # Randers
    overview = client.get(reverse("requirements:overview")).content.decode()
    assert overview.count(">Kompetencedækning</a>") == 1
    assert reverse("requirements:aggregate") in overview


@pytest.mark.parametrize("persona", ["coordinator", "finance", "facility_manager", "employee", "grantor"])
def test_roles_with_their_own_facilities_or_none_are_refused(world: World, persona: str) -> None:
    client = client_for(world.personas()[persona])
    assert client.get(reverse("requirements:aggregate")).status_code == 403
    assert client.get(reverse("requirements:aggregate_export")).status_code == 403


def test_another_regions_requirement_or_municipality_is_refused_with_a_message(
    world: World, region_target: dict[str, Any]
) -> None:
    client = client_for(world.analyst)
    copenhagen = Municipality.objects.get(code="0101")
    for params in ({"krav": region_target["hovedstaden"].pk}, {"kommune": copenhagen.pk}):
        response = client.get(reverse("requirements:aggregate"), params)
        assert response.status_code == 400
        assert "Kun krav og kommuner i dit område kan vælges" in response.content.decode()
        assert "Hovedstaden-mål" not in response.content.decode()  # neither offered nor echoed
        assert client.get(reverse("requirements:aggregate_export"), params).status_code == 400


def test_the_national_analyst_sees_every_region(world: World, region_target: dict[str, Any]) -> None:
    client = client_for(world.national_analyst)
    html = client.get(reverse("requirements:aggregate"), {"krav": region_target["hovedstaden"].pk}).content.decode()
    assert "København" in html


def test_the_export_holds_the_pages_rows_with_hidden_ones_as_small(world: World, region_target: dict[str, Any]) -> None:
    response = client_for(world.analyst).get(
        reverse("requirements:aggregate_export"), {"krav": region_target["target"].pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheets = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(r) for r in sheets.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == ["Kommune", "Personer i målgruppen", "Andel, der opfylder (%)", "Mål (%)", "Status"]
    assert rows[1] == ["Norddjurs", 14, "..", 100, "Skjult"]
    assert rows[2] == ["Randers", "..", "..", 100, "Skjult"]
    assert rows[3] == ["Syddjurs", "..", "..", 100, "Skjult"]
    assert rows[4] == ["I alt", 22, 63.6, 100, "Ikke opfyldt"]
    trend = [list(r) for r in sheets["Udvikling og prognose"].iter_rows(values_only=True)]
    assert trend[0] == ["Måned", "Serie", "Dækning (%)"]
    history_rows = [r for r in trend[1:] if r[1] == "Historik"]
    assert len(history_rows) == 13  # 12 month ends and the day itself
    assert history_rows[-1][2] == 63.6
    assert any(r[1] == "Prognose" for r in trend[1:])
    about = [list(r) for r in sheets["Om tallene"].iter_rows(values_only=True)]
    assert [
        "Bemærk",
        "Skjulte tal vises som »..«: tal for færre end fem personer, en andel, når færre end fem "
        "opfylder eller mangler kravet, og de tal, der ellers ville lade de skjulte regne ud af totalerne.",
    ] in about


@pytest.mark.parametrize(
    "params",
    [{"krav": "abc"}, {"krav": str(2**70)}, {"kommune": str(2**70)}, {"dato": "2026-13-45"}, {"krav": "-1"}],
)
def test_bad_filters_answer_400_with_the_field_named(
    world: World, region_target: dict[str, Any], params: dict[str, str]
) -> None:
    response = client_for(world.analyst).get(reverse("requirements:aggregate"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error"' in html
    assert "Ret filtrene ovenfor" in html


def test_the_page_fetches_its_chart_for_the_requirement_it_shows(world: World, region_target: dict[str, Any]) -> None:
    client = client_for(world.analyst)
    page = client.get(reverse("requirements:aggregate")).content.decode()
    trend_url = reverse("requirements:aggregate_trend")
    # The default requirement is named in the chart's address, so the chart matches the table.
    assert f'hx-get="{trend_url}?krav={region_target["target"].pk}&amp;dato=' in page
    chart = client.get(trend_url, {"krav": region_target["target"].pk})
    assert chart.status_code == 200
    assert "data-vega-spec" in chart.content.decode()
    assert "Alle med KRAP (regionalt mål)" in chart.content.decode()
    assert client.get(trend_url, {"krav": region_target["hovedstaden"].pk}).status_code == 400
    assert client_for(world.coordinator).get(trend_url).status_code == 403


# --- month ends only for analysts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "suppress", "expected"),
    [
        (dt.date(2025, 12, 27), True, dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 28), True, dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 1), True, dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 31), True, dt.date(2025, 12, 31)),  # a month end is its own: links give it back
        (dt.date(2024, 3, 15), True, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 5), True, dt.date(2025, 12, 31)),
        (dt.date(2025, 12, 27), False, dt.date(2025, 12, 27)),  # who sees every number keeps any day
    ],
)
def test_analysts_figures_describe_the_last_month_end_on_or_before_the_day_chosen(
    chosen: dt.date, suppress: bool, expected: dt.date
) -> None:
    assert reference_date(chosen, suppress) == expected


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (dt.date(2027, 2, 28), dt.date(2026, 11, 30)),  # a future month end told of a planned leaving
        (dt.date(2026, 12, 31), dt.date(2026, 11, 30)),
        (dt.date(2026, 12, 7), dt.date(2026, 11, 30)),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 30)),
    ],
)
def test_analysts_cannot_ask_for_a_month_end_still_to_come(chosen: dt.date, expected: dt.date) -> None:
    today = dt.date(2026, 12, 7)
    assert reference_date(chosen, True, today) == expected
    assert reference_date(chosen, False, today) == chosen  # a coordinator's own forecast stays


@pytest.fixture
def one_leaves(world: World, region_target: dict[str, Any]) -> dict[str, Any]:
    """One of Randers' six (all hold KRAP) leaves on the 15th of a past month: on the 10th the region
    has 22 people, 14 meeting the requirement; on the 20th 21 and 13. Two days of one month."""
    from styrbord.staff.models import Employment

    first = (region_target["today"].replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    leaving = Employment.objects.filter(facility=region_target["randers"]).order_by("pk").first()
    assert leaving is not None
    leaving.end_date = first.replace(day=15)
    leaving.save()
    return {
        "before": first.replace(day=10),
        "after": first.replace(day=20),
        "month_end": first - dt.timedelta(days=1),  # the end of the month before
    }


def _figures(html: str) -> str:
    """The page's numbers: the headline figures and the table (not the filter form, which echoes the day)."""
    start = html.index('<div class="grid"')
    return html[start : html.index("</table>", start)]


def test_two_days_of_one_month_give_the_analyst_the_same_figures_and_say_which_day(
    world: World, region_target: dict[str, Any], one_leaves: dict[str, Any]
) -> None:
    from styrbord.lib.formatting import format_date

    client = client_for(world.analyst)
    url, krav = reverse("requirements:aggregate"), region_target["target"].pk
    before = client.get(url, {"krav": krav, "dato": one_leaves["before"].isoformat()}).content.decode()
    after = client.get(url, {"krav": krav, "dato": one_leaves["after"].isoformat()}).content.decode()
    assert _figures(before) == _figures(after)
    month_end = format_date(one_leaves["month_end"])
    # The month end's 22 people, not the 21 left on the 20th; and the page says whose figures they are.
    assert '<tfoot><tr>\n    <th scope="row">I alt</th>\n    <td class="num">22</td>' in after
    assert f"Tal pr. {month_end}: samlede tal opgøres pr. månedens udgang" in after
    assert f"opfylder kravet pr. {month_end}" in after
    # The chart and the XLSX are asked for the month end, which gives itself back.
    assert f"dato={one_leaves['month_end'].isoformat()}" in after


def test_the_administrator_keeps_the_exact_day(
    world: World, region_target: dict[str, Any], one_leaves: dict[str, Any]
) -> None:
    from styrbord.lib.formatting import format_date

    client = client_for(world.admin)
    url, krav = reverse("requirements:aggregate"), region_target["target"].pk
    before = client.get(url, {"krav": krav, "dato": one_leaves["before"].isoformat()}).content.decode()
    after = client.get(url, {"krav": krav, "dato": one_leaves["after"].isoformat()}).content.decode()
    assert '<td class="num">22</td>' in before
    assert '<tfoot><tr>\n    <th scope="row">I alt</th>\n    <td class="num">21</td>' in after
    assert f"opfylder kravet pr. {format_date(one_leaves['after'])}" in after
    assert 'id="reference-date"' not in after
    # The function itself: the day given is the day described.
    exact = aggregate_coverage(region_target["target"], _in_region(world), one_leaves["after"], suppress=False)
    assert (exact.on, exact.total.in_scope) == (one_leaves["after"], 21)


def _export(user: Any, krav: int, day: dt.date) -> Any:
    response = client_for(user).get(reverse("requirements:aggregate_export"), {"krav": krav, "dato": day.isoformat()})
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(response.content), read_only=True)


def test_the_export_follows_the_same_month_end_rule(
    world: World, region_target: dict[str, Any], one_leaves: dict[str, Any]
) -> None:
    krav, month_end = region_target["target"].pk, one_leaves["month_end"]
    _, before = _export(world.analyst, krav, one_leaves["before"])
    after_response, after = _export(world.analyst, krav, one_leaves["after"])
    sheets = [[list(r) for r in s.iter_rows(values_only=True)] for s in after.worksheets]
    assert sheets == [[list(r) for r in s.iter_rows(values_only=True)] for s in before.worksheets]
    assert sheets[0][-1][:2] == ["I alt", 22]
    assert f"daekning-{krav}-{month_end:%Y-%m-%d}.xlsx" in after_response["Content-Disposition"]
    about = {row[0]: row[1] for row in sheets[2]}
    assert about["Dato"].date() == month_end
    assert about["Opgørelse"].startswith("Samlede tal opgøres pr. månedens udgang")
    # The history is month ends only, the last one the reference day; the forecast starts there.
    history_days = [r[0].date() for r in sheets[1][1:] if r[1] == "Historik"]
    assert len(history_days) == 13
    assert all((d + dt.timedelta(days=1)).day == 1 for d in history_days)
    assert history_days[-1] == month_end
    forecast_days = [r[0].date() for r in sheets[1][1:] if r[1] == "Prognose"]
    assert forecast_days[0] == month_end
    assert all((d + dt.timedelta(days=1)).day == 1 for d in forecast_days[:-1])

    _, admin = _export(world.admin, krav, one_leaves["after"])
    admin_rows = [list(r) for r in admin.worksheets[0].iter_rows(values_only=True)]
    assert admin_rows[-1][:2] == ["I alt", 21]
    assert {row[0]: row[1] for row in admin.worksheets[2].iter_rows(values_only=True)}["Dato"].date() == (
        one_leaves["after"]
    )
    assert "Opgørelse" not in {row[0] for row in admin.worksheets[2].iter_rows(values_only=True)}
