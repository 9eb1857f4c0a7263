"""Seats whose new costs a grant refused: kept on the split, listed on the grant's page (names only
for readers who may see bookings), counted in the warnings, and cleared by the next charge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import lxml.html
from django.urls import reverse

from styrbord.funding.models import FundingSplit
from styrbord.funding.services.balances import balances_for
from styrbord.funding.services.booking_charges import charge_booking, refused_recharges
from styrbord.funding.services.ledger import commit
from styrbord.funding.tests import helpers
from styrbord.lib.dates import to_local
from styrbord.testing.fixtures import client_for
from styrbord.training.models import Booking, BookingCost
from styrbord.training.signals import booking_costs_changed

D = Decimal
HEADING = "Pladser hvis nye udgifter tilsagnet ikke kunne tage"
WARNING = "Tilsagnet holder stadig den gamle udgift for 1 plads, hvis udgifter er ændret"


def change_fee(booking: Booking, amount: str, user: object) -> None:
    """What training does when a booking's costs change: rewrite its cost lines, then say so."""
    BookingCost.objects.filter(booking=booking, category="fee").update(amount=D(amount))
    booking_costs_changed.send(sender=Booking, booking=booking, user=user)


def refused_rows(html: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.fromstring(html).xpath('//section[@id="refused-recharges"]//tbody/tr')


def cells(row: lxml.html.HtmlElement) -> list[str]:
    return [td.text_content().strip() for td in row.xpath("./td")]


def out_of_step(world, funded) -> None:  # type: ignore[no-untyped-def]
    """The Dolmer grant is spent up to the seat's charge, and the seat's fee rises by 1.000 kr."""
    commit(funded.dolmer_grant, "fee", D("693159.50"), dt.date(2026, 5, 1), world.finance, text="Resten")
    change_fee(funded.booking, "3400.00", world.coordinator)


def test_a_refused_recharge_is_kept_on_the_split_until_a_later_charge_succeeds(world) -> None:  # type: ignore[no-untyped-def]
    grant = helpers.grant(helpers.pool(), world.dolmer, amount="7000")
    booking = helpers.booking(world.dolmer_staff[0], {"fee": "2400.00", "backfill": "4440.50"})
    charge_booking(booking, [(grant, 100)], world.finance)
    split = FundingSplit.objects.filter(booking=booking, grant=grant)
    assert split.get().recharge_refused_at is None

    change_fee(booking, "3400.00", world.coordinator)

    refused = split.get()
    assert refused.recharge_refused_at is not None
    assert to_local(refused.recharge_refused_at).date() == dt.date(2026, 11, 23)
    assert refused.recharge_refusal == {
        "da": f"Tilsagnet {grant} har 7.000,00 kr. tilbage; 7.840,50 kr. ville overtrække det med 840,50 kr.",
        "en": f"The grant {grant} has DKK 7,000.00 left; DKK 7,840.50 would overdraw it by DKK 840.50.",
    }
    assert balances_for(grant).used == D("6840.50")  # the old charge stands
    [row] = refused_recharges(grant, Booking.objects.all())
    assert (row.booking, row.held, row.costs_now, row.due_now) == (booking, D("6840.50"), D("7840.50"), D("7840.50"))
    assert refused_recharges(grant, Booking.objects.none()) == []  # only the reader's bookings

    # The costs change back: the seat is charged again, and nothing is out of step any more.
    change_fee(booking, "2400.00", world.coordinator)
    assert (split.get().recharge_refused_at, split.get().recharge_refusal) == (None, {})
    assert refused_recharges(grant, Booking.objects.all()) == []

    # Refused again, then finance splits the seat anew (80 %, which the grant can take).
    change_fee(booking, "3400.00", world.coordinator)
    assert split.get().recharge_refused_at is not None
    charge_booking(booking, [(grant, 80)], world.finance)
    assert (split.get().recharge_refused_at, split.get().recharge_refusal) == (None, {})
    assert balances_for(grant).used == D("6272.40")  # 80 % of 7.840,50


def test_the_grant_page_lists_the_seat_with_its_amounts_and_a_link_until_it_is_split_again(world, funded) -> None:  # type: ignore[no-untyped-def]
    grant_url = reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])
    charge_url = reverse("funding:booking_charge", args=[funded.booking.pk])
    client = client_for(world.finance)
    assert HEADING not in client.get(grant_url).content.decode()

    out_of_step(world, funded)

    html = client.get(grant_url).content.decode()
    assert HEADING in html
    [row] = refused_rows(html)
    name, course, held, now, due, refused, _link = cells(row)
    assert funded.booking.employee.name in name
    assert "Dolmer Have" in name
    assert str(funded.booking.session) in course
    assert (held, now) == ("6.840,50 kr.", "7.840,50 kr.")
    assert due.startswith("7.840,50 kr.")
    assert "andel 100 %" in due
    assert refused.startswith("23-11-2026")
    assert (
        f"Tilsagnet {funded.dolmer_grant} har 6.840,50 kr. tilbage; 7.840,50 kr. ville overtrække det med 1.000,00 kr."
        in refused
    )
    assert row.xpath(".//a/@href") == [charge_url]
    assert WARNING in html
    # The pool's page tells finance which grant has something to fix.
    pool_page = client.get(reverse("funding:pool_detail", args=[funded.pool.pk])).content.decode()
    assert "Nye udgifter tilsagnet ikke kunne tage" in pool_page
    assert WARNING in pool_page

    # Finance splits the seat again at 80 %, which the grant can take: the seat leaves the list.
    assert client.post(charge_url, {"grant_1": funded.dolmer_grant.pk, "share_1": "80"}).status_code == 200
    assert balances_for(funded.dolmer_grant).used == D("699431.90")  # 693.159,50 + 80 % of 7.840,50
    after = client.get(grant_url).content.decode()
    assert HEADING not in after
    assert WARNING not in after


def test_a_grantor_reads_the_grant_without_the_seats_or_their_names(world, funded) -> None:  # type: ignore[no-untyped-def]
    out_of_step(world, funded)
    url = reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])
    name = funded.booking.employee.name

    finance = client_for(world.finance).get(url).content.decode()
    assert HEADING in finance
    assert name in finance
    grantor = client_for(world.grantor_user).get(url)
    assert grantor.status_code == 200
    page = grantor.content.decode()
    assert name not in page
    assert HEADING not in page
    assert WARNING not in page
    # A facility manager sees their own staff's seat, but cannot split it.
    manager = client_for(world.manager).get(url).content.decode()
    [row] = refused_rows(manager)
    assert name in cells(row)[0]
    assert row.xpath(".//a") == []


def test_the_seats_and_the_reason_read_in_english_on_the_english_site(world, funded) -> None:  # type: ignore[no-untyped-def]
    out_of_step(world, funded)
    client = client_for(world.finance)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("funding:grant_detail", args=[funded.dolmer_grant.pk])).content.decode()
    assert "Seats whose new costs the grant could not take" in html
    assert HEADING not in html
    [row] = refused_rows(html)
    refused = cells(row)[5]
    assert refused.startswith("23 Nov 2026")
    assert (
        f"The grant {funded.dolmer_grant} has DKK 6,840.50 left; DKK 7,840.50 would overdraw it by DKK 1,000.00."
        in refused
    )
    assert "Tilsagnet" not in refused
    assert "share 100%" in cells(row)[4]
    assert "The grant still holds the old cost of 1 seat whose costs have changed" in html
