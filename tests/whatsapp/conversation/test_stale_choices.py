"""Buttons tapped long after they were sent, or with ids WhatsApp never showed: a sensible answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.conversation.shop import catalog_csv, shop_toml
from tests.whatsapp.customer import Customer, choices_of, said, tap_stale, text_of
from tests.whatsapp.shops import graph_url, whatsapp_shop


@pytest.mark.parametrize(
    ("choice", "page"), [("cat:0:-3", "1–8 of 45"), ("cat:0:99", "41–45 of 45"), ("cat:0:5", "41–45 of 45")]
)
async def test_a_page_that_does_not_exist_shows_the_nearest_real_one(
    shop: ShopHarness, fake: FakeGraph, asha: Customer, choice: str, page: str
) -> None:
    [reply] = await tap_stale(asha, choice)
    assert text_of(reply) == f"Atta and Flours: {page}"
    assert any(row.startswith("p:atta-") for row, _ in choices_of(reply))
    assert fake.refused == []


async def test_confirm_on_an_old_summary_after_the_cart_changed_shows_the_summary_again(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("milk")
    await asha.tap("add:milk-1l:1")
    await asha.tap("checkout")
    await asha.say("12 Hill Road, Bandra West, Mumbai 400050")
    await asha.tap("confirm")  # a first order, placed
    await asha.say("paneer")
    await asha.tap("add:paneer-200g:1")
    await asha.tap("checkout")
    await asha.say("12 Hill Road, Bandra West, Mumbai 400050")
    await tap_stale(asha, "add:milk-1l:1")  # from a card scrolled back to
    replies = await tap_stale(asha, "confirm")  # the summary shown before the milk
    text = said(replies)
    assert "is already placed" not in text
    assert "Please check your order" in text and "1 × Amul Taaza Milk 1 l" in text
    await asha.tap("confirm")
    orders = await shop.shop.store.list_orders(customer_key=asha.key)
    assert len(orders) == 2 and {line.product_id for line in orders[0].lines} == {"paneer-200g", "milk-1l"}


async def test_every_line_of_a_big_cart_can_be_edited(shop: ShopHarness, fake: FakeGraph, asha: Customer) -> None:
    for n in range(1, 14):
        await tap_stale(asha, f"add:atta-{n}:1")
    [page] = await tap_stale(asha, "edit")
    seen: list[str] = []
    while True:
        rows = [row for row, _ in choices_of(page)]
        assert len(rows) <= 10
        seen += [row for row in rows if row.startswith("line:")]
        more = [row for row in rows if row.startswith("edit:")]
        if not more:
            break
        [page] = await asha.tap(more[0])
    assert seen == [f"line:atta-{n}" for n in range(1, 14)]
    await asha.tap("line:atta-13")
    assert "Removed" in said(await asha.tap("rm:atta-13"))
    assert fake.refused == []


async def test_a_product_taken_off_the_catalog_overnight_is_said_to_be_gone_wherever_it_is_tapped(
    graph: TestServer, fake: FakeGraph, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    async with whatsapp_shop(shop_toml(graph_url(graph)), folder, catalog_csv()) as evening:
        asha = Customer(evening, fake, "919812345678", "Asha Verma")
        await asha.say("hi")
        await asha.tap("browse")
        await asha.tap("cat:2:0")  # Dairy: milk and paneer
        await asha.tap("p:paneer-200g")  # its card: Add to cart, Quantity…
    without_paneer = "\n".join(line for line in catalog_csv().splitlines() if not line.startswith("paneer-")) + "\n"
    async with whatsapp_shop(shop_toml(graph_url(graph)), folder, without_paneer) as morning:
        asha = Customer(morning, fake, "919812345678", "Asha Verma")
        asha.seen = len(asha.inbox())
        for old in ("p:paneer-200g", "add:paneer-200g:1", "qty:paneer-200g"):
            replies = said(await asha.tap(old))
            assert replies.startswith("Sorry, that product is no longer available."), (old, replies)
            assert "didn't understand" not in replies and "Browse catalog" in replies
        assert "paneer" not in str((await morning.shop.store.load_conversation(asha.key)).state)
    assert fake.refused == []
