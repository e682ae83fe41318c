"""Orders: placed once, stock reserved atomically, moved only along the state table."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from chatshop.catalog import Product
from chatshop.money import Money
from chatshop.orders import IllegalTransition, OrderStatus
from chatshop.store.base import OutOfStock, StockChanged, Store
from chatshop.store.codec import utcnow

from .helpers import order


async def _stock(store: Store, product: str, stock: int | None) -> None:
    await store.update_inventory(product, stock=stock)


async def test_placing_reserves_stock_and_keeps_the_order(store: Store) -> None:
    await _stock(store, "ghee", 3)
    placed, created = await store.place_order(order(quantity=2))
    assert created
    assert placed.status == OrderStatus.COD_PENDING and placed.total == Money(61250 * 2 + 3000, "INR")
    assert placed.postal_code == "400050" and placed.created_at is not None
    assert [h["new"] for h in placed.history] == ["cod_pending"]
    assert (await store.inventory(["ghee"]))["ghee"].stock == 1
    assert await store.get_order(placed.number.lower()) == placed


async def test_placing_the_same_checkout_twice_makes_one_order(store: Store) -> None:
    await _stock(store, "ghee", 5)
    first, created = await store.place_order(order(placement_key="checkout-1"))
    again, created_again = await store.place_order(order(placement_key="checkout-1"))
    assert created and not created_again
    assert again.number == first.number
    assert (await store.inventory(["ghee"]))["ghee"].stock == 4
    assert len(await store.list_orders()) == 1


async def test_the_same_checkout_placed_concurrently_makes_one_order(store: Store) -> None:
    await _stock(store, "ghee", 5)
    results = await asyncio.gather(*(store.place_order(order(placement_key="same")) for _ in range(8)))
    assert sum(created for _, created in results) == 1
    assert len({placed.number for placed, _ in results}) == 1
    assert (await store.inventory(["ghee"]))["ghee"].stock == 4


async def test_many_customers_racing_for_the_last_item_make_exactly_one_order(store: Store) -> None:
    await _stock(store, "ghee", 1)
    attempts = [store.place_order(order(f"customer{i}")) for i in range(20)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    winners = [r for r in results if isinstance(r, tuple)]
    losers = [r for r in results if isinstance(r, OutOfStock)]
    assert len(winners) == 1 and len(losers) == 19
    assert losers[0].shortages == {"ghee": 0}
    assert (await store.inventory(["ghee"]))["ghee"].stock == 0
    assert len(await store.list_orders()) == 1


async def test_out_of_stock_changes_nothing(store: Store) -> None:
    await _stock(store, "ghee", 5)
    await _stock(store, "atta", 0)
    two_lines = order(quantity=2)
    two_lines.lines = (*two_lines.lines, order(product="atta").lines[0])
    with pytest.raises(OutOfStock) as caught:
        await store.place_order(two_lines)
    assert caught.value.shortages == {"atta": 0}
    assert (await store.inventory(["ghee"]))["ghee"].stock == 5
    assert await store.list_orders() == []


@pytest.mark.parametrize("stock", [5, None])
async def test_a_product_taken_off_sale_is_sold_out_to_an_order_however_much_is_left(
    store: Store, stock: int | None
) -> None:
    """Switched off after the checkout read it (staff, a catalog sync): the order is refused as sold
    out and nothing is taken, stock tracked or not."""
    await _stock(store, "ghee", 5)
    await store.update_inventory("atta", stock=stock, active=False)
    two_lines = order(quantity=2)
    two_lines.lines = (*two_lines.lines, order(product="atta").lines[0])
    with pytest.raises(OutOfStock) as caught:
        await store.place_order(two_lines)
    assert caught.value.shortages == {"atta": 0}
    assert {pid: item.stock for pid, item in (await store.inventory(["ghee", "atta"])).items()} == {
        "ghee": 5,
        "atta": stock,
    }
    assert await store.list_orders() == []


async def test_a_checkout_placed_again_after_its_product_went_off_sale_answers_its_order(store: Store) -> None:
    await _stock(store, "ghee", 5)
    placed, created = await store.place_order(order(placement_key="checkout-1"))
    await store.update_inventory("ghee", active=False)
    again, created_again = await store.place_order(order(placement_key="checkout-1"))
    assert (created, created_again, again.number) == (True, False, placed.number)
    assert (await store.inventory(["ghee"]))["ghee"].stock == 4


async def test_a_fresh_look_up_answers_another_workers_change_at_once(store: Store, twin: Callable[[], Store]) -> None:
    """What an order is confirmed at (``fresh``) is the database's this moment, on every store: not
    what this worker read a moment ago, and without waiting to hear of the change. Rows missing are
    missing, as in any look-up."""
    await store.update_inventory("ghee", stock=5, price_minor=61250)
    assert (await store.inventory(["ghee"]))["ghee"].price_minor == 61250  # read (and on PostgreSQL kept)
    other = twin()
    await other.open()
    try:
        await other.update_inventory("ghee", price_minor=65000, active=False)
    finally:
        await other.close()
    fresh = await store.inventory(["ghee", "not-in-inventory"], fresh=True)
    assert set(fresh) == {"ghee"}
    assert (fresh["ghee"].price_minor, fresh["ghee"].active, fresh["ghee"].stock) == (65000, False, 5)


async def test_unlimited_and_unknown_products_need_no_stock(store: Store) -> None:
    await _stock(store, "ghee", None)
    _placed, created = await store.place_order(order(quantity=1000))
    assert created
    _, created = await store.place_order(order(product="not-in-inventory"))
    assert created


async def test_cancelling_puts_the_stock_back(store: Store) -> None:
    await _stock(store, "ghee", 2)
    placed, _ = await store.place_order(order(quantity=2))
    moved, old = await store.transition_order(placed.number, OrderStatus.CANCELLED, note="customer asked")
    assert old == OrderStatus.COD_PENDING and moved.status == OrderStatus.CANCELLED
    assert [h["new"] for h in moved.history] == ["cod_pending", "cancelled"]
    assert moved.history[-1]["note"] == "customer asked"
    assert (await store.inventory(["ghee"]))["ghee"].stock == 2


async def test_cancelling_a_shipped_order_is_illegal_and_changes_nothing(store: Store) -> None:
    await _stock(store, "ghee", 2)
    placed, _ = await store.place_order(order())
    await store.transition_order(placed.number, OrderStatus.SHIPPED)
    before = await store.get_order(placed.number)
    with pytest.raises(IllegalTransition):
        await store.transition_order(placed.number, OrderStatus.CANCELLED)
    with pytest.raises(IllegalTransition):
        await store.transition_order(placed.number, OrderStatus.PAID)
    assert await store.get_order(placed.number) == before
    assert (await store.inventory(["ghee"]))["ghee"].stock == 1
    with pytest.raises(KeyError):
        await store.transition_order("NOP-E00", OrderStatus.CANCELLED)


async def test_payment_amounts_and_payment_details(store: Store) -> None:
    placed, _ = await store.place_order(order(status=OrderStatus.PENDING_PAYMENT))
    expires = utcnow() + timedelta(minutes=30)
    url = "https://pay.example/1"
    linked = await store.set_order_payment(placed.number, ref="plink_1", url=url, expires_at=expires)
    assert linked.payment_ref == "plink_1" and linked.payment_url == "https://pay.example/1"
    assert linked.payment_expires_at is not None and abs(linked.payment_expires_at - expires) < timedelta(seconds=1)
    assert await store.expired_unpaid_orders(utcnow()) == []
    assert [o.number for o in await store.expired_unpaid_orders(expires + timedelta(seconds=1))] == [placed.number]
    paid, _ = await store.transition_order(placed.number, OrderStatus.PAID, paid_amount=placed.total.minor)
    assert paid.is_paid
    partly = await store.record_amounts(placed.number, refunded_amount=1000, note="partial refund")
    assert partly.refunded_amount == 1000 and partly.status == OrderStatus.PAID
    assert partly.history[-1]["note"] == "partial refund"


async def test_listing_filters_and_orders_newest_first(store: Store) -> None:
    first, _ = await store.place_order(order("asha"))
    second, _ = await store.place_order(order("ravi"))
    third, _ = await store.place_order(order("asha", status=OrderStatus.PENDING_PAYMENT))
    assert [o.number for o in await store.list_orders()] == [third.number, second.number, first.number]
    assert [o.number for o in await store.list_orders(customer_key="terminal:asha")] == [third.number, first.number]
    assert [o.number for o in await store.list_orders(statuses=[OrderStatus.PENDING_PAYMENT])] == [third.number]
    assert [o.number for o in await store.list_orders(search="ravi")] == [second.number]
    assert [o.number for o in await store.list_orders(search=first.number.lower())] == [first.number]
    assert await store.list_orders(since=utcnow() + timedelta(minutes=1)) == []
    assert len(await store.list_orders(limit=2)) == 2


async def test_inventory_is_seeded_once_and_updated_in_place(store: Store) -> None:
    products = [
        Product(id="ghee", title="Ghee", price=Money(61250, "INR"), stock=3),
        Product(id="latte", title="Latte", price=Money(9900, "INR")),
    ]
    await store.seed_inventory(products)
    await store.update_inventory("ghee", stock=1, price_minor=59900)
    await store.seed_inventory(products)  # a restart does not undo the shop's changes
    items = await store.inventory()
    assert items["ghee"].stock == 1 and items["ghee"].price_minor == 59900 and items["ghee"].active
    assert items["latte"].stock is None and items["latte"].price_minor is None
    hidden = await store.update_inventory("latte", active=False)
    assert not hidden.active and hidden.stock is None


async def test_a_stock_edit_based_on_a_figure_a_sale_changed_changes_nothing(store: Store) -> None:
    await _stock(store, "ghee", 3)
    await store.place_order(order(quantity=2))  # a sale while the shop owner's page still shows 3
    with pytest.raises(StockChanged) as changed:
        await store.update_inventory("ghee", stock=10, price_minor=59900, stock_was=3)
    assert changed.value.current == 1
    item = (await store.inventory(["ghee"]))["ghee"]
    assert item.stock == 1 and item.price_minor is None  # all or nothing: the price did not change either
    updated = await store.update_inventory("ghee", stock=10, stock_was=1)
    assert updated.stock == 10
    await store.update_inventory("ghee", stock=None, stock_was=10)  # unlimited from now on
    assert (await store.update_inventory("ghee", stock=5, stock_was=None)).stock == 5


async def test_a_page_past_any_integer_is_empty_not_an_overflow(store: Store) -> None:
    """A page number parsed from a customer's choice id (``orders:99999999999999999999``)."""
    assert await store.list_orders(customer_key="terminal:x", limit=10**20, offset=10**20) == []
    assert await store.list_orders(limit=-5, offset=-(10**30)) == []
