"""Replies cut to WhatsApp's limits keep what the customer needs to choose: a price, a full product
name, an order's state and total. Three choices or fewer are buttons, which hold a 20-character
title and nothing else; when the choices carry more than that, they are a list."""

from __future__ import annotations

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, said, tap_stale


async def test_two_search_hits_show_their_prices_and_full_names(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    [results] = await asha.say("amul")
    seen = said([results]) + str(results.content)
    assert "₹68.00" in seen and "₹95.00" in seen
    assert "Amul Malai Paneer 200 g" in seen
    assert fake.refused == []


async def test_one_order_in_my_orders_shows_its_state_and_total(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:basmati-1kg:2")
    await asha.tap("checkout")
    await asha.say("12 Hill Road, Bandra West, Mumbai 400050")
    await asha.tap("confirm")
    [orders] = await asha.say("my orders")
    seen = str(orders.content)
    assert "₹329.00" in seen  # 2 × 149.50 and the 30.00 delivery fee
    assert "placed, cash on delivery" in seen
    assert fake.refused == []


async def test_a_one_line_cart_shows_the_whole_name_and_quantity_when_editing(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:atta-7:3")
    await asha.tap("cart")
    [pick] = await asha.tap("edit")
    seen = str(pick.content)
    assert "Stone-Ground Whole Wheat" in seen  # past the 20 characters a button title holds
    assert "3 × ₹207.00" in seen
    assert fake.refused == []
