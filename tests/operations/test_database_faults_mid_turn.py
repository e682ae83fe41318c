"""The database goes away in the middle of a customer's turn: the turn is done again, not dropped.

PostgreSQL restarted or a connection killed (``pg_terminate_backend``) while the customer's
"Confirm" is being placed: the message was accepted, so it must still place exactly one order and
get its answer, rather than "Sorry, I didn't understand" and a lost order.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from chatshop.messages import Inbound, InboundKind
from chatshop.testing import ShopHarness, running_shop
from tests.conftest import SHOP_TOML
from tests.operations.test_catalog_changes_at_confirm import to_summary


async def waiting_on_a_lock(admin: asyncpg.Connection) -> list[int]:
    """The shop's backends that wait for the lock the test holds, once there are some."""
    while True:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        if rows:
            return [row["pid"] for row in rows]
        await asyncio.sleep(0.01)


async def settle(h: ShopHarness) -> None:
    """What the sweeper does next: pick up accepted messages not handled yet."""
    await h.shop.idle()
    await h.shop.recover()
    await h.shop.idle()


async def test_a_connection_killed_while_placing_the_order_places_it_once(postgres_url: str, tmp_path: Path) -> None:
    toml = SHOP_TOML.replace('url = "sqlite:///shop.db"', f'url = "{postgres_url}"')
    async with running_shop(toml, tmp_path / "shop", sweep_seconds=3600) as h:
        await to_summary(h, "atta")
        admin = await asyncpg.connect(postgres_url)
        try:
            async with admin.transaction():
                await admin.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
                confirm = Inbound(
                    channel="terminal", customer_id="asha", message_id="confirm-1", kind=InboundKind.TEXT, text="1"
                )
                assert await h.shop.receive(confirm)
                for pid in await asyncio.wait_for(waiting_on_a_lock(admin), 10):
                    await admin.execute("SELECT pg_terminate_backend($1)", pid)
                await h.shop.idle()
        finally:
            await admin.close()
        await settle(h)
        (order,) = await h.shop.store.list_orders()
        texts = h.texts_to("terminal:asha")
        assert not any("didn't understand" in text for text in texts)
        assert sum(f"Your order {order.number} is placed" in text for text in texts) == 1
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 39
