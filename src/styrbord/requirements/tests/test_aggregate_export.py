"""The /krav/samlet.xlsx export reads as the page /krav/samlet/: its percentages and its status words."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from styrbord.requirements.models import Rule, ScopeLevel
from styrbord.requirements.tests.helpers import requirement
from styrbord.requirements.tests.test_aggregate import region_target  # noqa: F401 - a fixture
from styrbord.testing.fixtures import World, client_for

pytestmark = pytest.mark.django_db


def _page_statuses(html: str) -> list[str]:
    """The status badges of the page's table, rows then total."""
    return re.findall(r'<span class="badge(?: badge-\w+)?">([^<]+)</span>', html)


def _export(user: Any, krav: int) -> Any:
    response = client_for(user).get(reverse("requirements:aggregate_export"), {"krav": krav})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))["Dækning"]


@pytest.mark.parametrize("persona", ["admin", "analyst"])
def test_the_export_has_the_pages_status_words_and_one_decimal_in_every_percent_column(
    world: World,
    region_target: dict[str, Any],  # noqa: F811 - the fixture imported above
    persona: str,
) -> None:
    """ "Mål (%)" showed 75,00 beside shares of 63,6; the status is the page's ("Ikke opfyldt"), for
    the administrator's rows as for the analyst's (small rows hidden, "Skjult")."""
    krap = region_target["target"].competences.get()
    share = requirement(
        [krap],
        rule=Rule.PERCENT_PEOPLE,
        target="75",
        scope_level=ScopeLevel.REGION,
        region=world.dolmer.municipality.region,
        name="75 % med KRAP",
    )
    user = getattr(world, persona)
    html = client_for(user).get(reverse("requirements:aggregate"), {"krav": share.pk}).content.decode()
    page = _page_statuses(html)
    sheet = _export(user, share.pk)
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[4].value for row in rows] == page
    assert rows[-1][0].value == "I alt"
    assert rows[-1][4].value == "Ikke opfyldt"  # 63,6 % of 22 against 75 %: as the page says it
    if persona == "admin":
        assert page == ["Ikke opfyldt", "Opfyldt", "Ikke opfyldt", "Ikke opfyldt"]
    for row in rows:
        assert row[3].value == 75
        assert row[3].number_format == "#,##0.0"  # 75,0 as the shares' 63,6, not 75,00
        if isinstance(row[2].value, float):
            assert row[2].number_format == row[3].number_format
    assert rows[-1][2].value == 63.6
