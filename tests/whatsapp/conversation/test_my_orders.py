"""'My orders' for a regular customer: every order reachable, each one cancellable while it may be."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, said, tap_stale


async def buy_milk(customer: Customer) -> None:
    await tap_stale(customer, "add:milk-1l:1")
    await customer.tap("checkout")
    await customer.say("12 Hill Road, Bandra West, Mumbai 400050")
    await customer.tap("confirm")


async def test_the_first_of_eleven_orders_can_still_be_found_and_cancelled(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    for _ in range(11):
        await buy_milk(asha)
    orders = await shop.shop.store.list_orders(customer_key=asha.key)
    first = orders[-1].number
    [page] = await asha.say("my orders")
    seen: list[str] = []
    while True:
        rows = [row for row, _ in choices_of(page)]
        assert len(rows) <= 10
        seen += [row for row in rows if row.startswith("o:")]
        more = [row for row in rows if row.startswith("orders:")]
        if not more:
            break
        [page] = await asha.tap(more[0])
    assert seen == [f"o:{order.number}" for order in orders]
    await asha.tap(f"o:{first}")
    await asha.tap(f"cancel:{first}")
    assert f"Order {first} is cancelled" in said(await asha.tap(f"cancelyes:{first}"))
    assert (await shop.shop.store.get_order(first)).status is OrderStatus.CANCELLED  # type: ignore[union-attr]
    assert fake.refused == []
