"""The catalog changes between the summary and "Confirm": the customer sees the cart as it is now.

A price edited on the dashboard, a product taken off sale, a product gone from the catalog after a
restart with a new shop.toml: the order is never placed at a price or for an item the shop no longer
offers, and never for a total the customer has not seen. They get the summary again and confirm that.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.conftest import SHOP_TOML, ShopFactory, on_storage
from tests.operations import off_sale_while_placing

ADDRESS = "Flat 4, Sea View, Bandra West, Mumbai 400050"


async def to_summary(h: ShopHarness, *products: str) -> str:
    """Put one of each product (searched by name) in the cart and go to the summary; the summary."""
    await h.say("asha", "hi")
    for product in products:
        await h.say("asha", product)
        await h.say("asha", "1")  # Add to cart
    await h.choose("asha", "checkout")
    reply = await h.say("asha", ADDRESS)
    assert "Please check your order" in reply, reply
    return reply


async def test_a_price_raised_before_confirm_is_shown_and_confirmed_again(harness: ShopHarness) -> None:
    summary = await to_summary(harness, "atta")
    assert "Total: ₹275.00" in summary
    await harness.shop.store.update_inventory("atta-5kg", price_minor=30000)  # the owner, on the dashboard
    reply = await harness.say("asha", "1")  # Confirm, on the summary that showed ₹245
    assert await harness.shop.store.list_orders() == []
    assert "The price of Aashirvaad Atta 5 kg is now ₹300.00" in reply
    assert "Please check your order" in reply and "Total: ₹330.00" in reply
    reply = await harness.say("asha", "1")  # Confirm the new total
    (order,) = await harness.shop.store.list_orders()
    assert order.total.minor == 33000 and order.lines[0].unit_price.minor == 30000
    assert "₹330.00" in reply


async def test_a_price_changed_where_the_worker_cannot_hear_it_is_still_the_price_confirmed(
    make_shop: ShopFactory, storage: str, tmp_path: Path
) -> None:
    """On PostgreSQL a worker keeps the stock and prices it showed until the database says they
    changed; a change made with the triggers off (a data load run as a replica, ``pg_restore
    --disable-triggers``) says nothing. Browsing may show such a price for a while; the order is
    priced from the database itself."""
    folder = tmp_path / "shop"
    async with make_shop(on_storage(SHOP_TOML, storage), directory=folder) as h:
        assert "Total: ₹275.00" in await to_summary(h, "atta")  # the worker read (and kept) ₹245
        await _unheard_write(storage, folder / "shop.db", "UPDATE inventory SET price_minor = 30000")
        reply = await h.say("asha", "1")  # Confirm
        assert "The price of Aashirvaad Atta 5 kg is now ₹300.00" in reply
        assert await h.shop.store.list_orders() == [] and "Total: ₹330.00" in reply
        await h.say("asha", "1")
        (order,) = await h.shop.store.list_orders()
        assert order.total.minor == 33000


async def test_a_product_taken_off_sale_where_the_worker_cannot_hear_it_is_not_sold(
    make_shop: ShopFactory, storage: str, tmp_path: Path
) -> None:
    """The on/off state an order is placed under is the database's too, not what the worker kept."""
    folder = tmp_path / "shop"
    async with make_shop(on_storage(SHOP_TOML, storage), directory=folder) as h:
        await to_summary(h, "atta", "latte")  # the worker read (and kept) both on sale
        await _unheard_write(
            storage, folder / "shop.db", "UPDATE inventory SET active = false WHERE product_id = 'atta-5kg'"
        )
        reply = await h.say("asha", "1")  # Confirm
        assert "Aashirvaad Atta 5 kg is no longer available" in reply
        assert await h.shop.store.list_orders() == []
        await h.say("asha", "1")
        (order,) = await h.shop.store.list_orders()
        assert [line.product_id for line in order.lines] == ["cafe-latte"]


async def _unheard_write(storage: str, sqlite_file: Path, sql: str) -> None:
    """``sql`` run outside chatshop where no worker hears it: on PostgreSQL with triggers off."""
    if storage.startswith("sqlite"):  # nothing kept to miss it: the file is read every time
        await asyncio.to_thread(_sqlite_write, sqlite_file, sql)
        return
    db = await asyncpg.connect(storage)
    try:
        async with db.transaction():
            await db.execute("SET LOCAL session_replication_role = replica")
            await db.execute(sql)
    finally:
        await db.close()


def _sqlite_write(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql)


async def test_a_price_lowered_before_confirm_is_charged_lower(harness: ShopHarness) -> None:
    await to_summary(harness, "atta")
    await harness.shop.store.update_inventory("atta-5kg", price_minor=20000)
    reply = await harness.say("asha", "1")
    assert "Total: ₹230.00" in reply and await harness.shop.store.list_orders() == []
    await harness.say("asha", "1")
    (order,) = await harness.shop.store.list_orders()
    assert order.total.minor == 23000


async def test_a_product_taken_off_sale_is_not_sold(harness: ShopHarness) -> None:
    await to_summary(harness, "atta", "latte")
    await harness.shop.store.update_inventory("atta-5kg", active=False)  # "Mark out of stock"
    reply = await harness.say("asha", "1")
    assert "Aashirvaad Atta 5 kg is no longer available" in reply
    assert await harness.shop.store.list_orders() == []
    assert "Please check your order" in reply and "Aashirvaad" not in reply.split("Please check your order")[1]
    await harness.say("asha", "1")
    (order,) = await harness.shop.store.list_orders()
    assert [line.product_id for line in order.lines] == ["cafe-latte"]
    assert (await harness.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 40


async def test_a_cart_whose_only_product_went_off_sale_places_nothing(harness: ShopHarness) -> None:
    await to_summary(harness, "atta")
    await harness.shop.store.update_inventory("atta-5kg", active=False)
    reply = await harness.say("asha", "1")
    assert "no longer available" in reply and "is placed" not in reply
    assert await harness.shop.store.list_orders() == []
    assert (await harness.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 40


async def test_a_product_taken_off_sale_while_the_order_is_placed_is_called_no_longer_available(
    make_shop: ShopFactory, tmp_path: Path
) -> None:
    """Switched off after checkout's last look: the order's placement refuses it (a shortage of
    none), and the customer is told it is no longer sold, not that it sold out."""
    folder = tmp_path / "shop"
    plugin = '[plugins]\nmodules = ["tests.operations.off_sale_while_placing"]\n\n'
    toml = SHOP_TOML.replace("[storage]", plugin + "[storage]")
    async with make_shop(toml, directory=folder) as h:
        await to_summary(h, "atta", "latte")
        off_sale_while_placing.SWITCH_OFF.append((folder / "shop.db", "atta-5kg"))
        reply = await h.say("asha", "1")  # Confirm
        assert "Aashirvaad Atta 5 kg is no longer available" in reply and "sold out" not in reply
        assert await h.shop.store.list_orders() == []
        assert "Café Latte Premix" in reply and "Aashirvaad" not in reply.split("no longer available")[1]
        await h.say("asha", "checkout")
        await h.say("asha", ADDRESS)
        await h.say("asha", "1")
        (order,) = await h.shop.store.list_orders()
        assert [line.product_id for line in order.lines] == ["cafe-latte"]


async def test_a_restart_with_a_new_catalog_sells_only_what_it_lists(make_shop: ShopFactory, tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    async with make_shop(SHOP_TOML, directory=folder) as h:
        await to_summary(h, "atta", "latte")
    renamed = SHOP_TOML.replace('id = "atta-5kg"', 'id = "atta-10kg"').replace("price = 99", 'price = "105.00"')
    async with make_shop(renamed, directory=folder) as h:
        reply = await h.say("asha", "1")  # the confirm the customer meant before the restart
        assert "Aashirvaad Atta 5 kg is no longer available" in reply
        assert "The price of Café Latte Premix is now ₹105.00" in reply
        assert await h.shop.store.list_orders() == []
        await h.say("asha", "1")
        (order,) = await h.shop.store.list_orders()
        assert [(ln.product_id, ln.unit_price.minor) for ln in order.lines] == [("cafe-latte", 10500)]
        assert order.status is OrderStatus.COD_PENDING
