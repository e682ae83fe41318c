"""A browser customer shops over the web chat's socket and asks to be forgotten: no log line carries
their words, address or cookie id, and the database keeps them only in the order (the chat history
the page redraws from is gone too). The shop is real, on SQLite, served on loopback.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from chatshop.store.codec import utcnow
from tests.conftest import ShopFactory
from tests.web.chat_client import ChatTab, customer_key
from tests.web.conftest import WEB_TOML, admin_token  # noqa: F401 (fixture)

from .leaks import in_database, in_logs, outside_orders

WORDS = "hello, Meera here, looking for flour"
ADDRESS = "Flat 9, Mount Mary Road, Bandra West, Mumbai 400050"


async def test_a_webchat_journey_leaves_no_trace_outside_the_order(
    make_shop: ShopFactory, logs: Callable[[], io.StringIO], tmp_path: Path
) -> None:
    captured = logs()
    async with make_shop(WEB_TOML, terminal=False, directory=tmp_path / "shop") as web:
        tab = await ChatTab.open(web)
        await tab.say(web, WORDS)
        await tab.say(web, "atta")
        await tab.choose(web, "add:atta-5kg:1", "Add to cart")
        await tab.choose(web, "checkout", "Checkout")
        await tab.say(web, ADDRESS)
        await tab.choose(web, "confirm", "Confirm order")
        await tab.close()
        key = customer_key(web)
        [order] = await web.shop.store.list_orders(customer_key=key)
        cookie = next(c.value for c in web.client.session.cookie_jar if c.key == "chatshop_chat")

        logged = captured.getvalue()
        assert "order.placed" in logged and "webchat.new_customer" in logged  # the journey was logged
        customer_id = key.split(":", 1)[1]
        assert in_logs(logged, [WORDS, "Meera", "Mount Mary", "400050", customer_id, cookie]) == []

        db = tmp_path / "shop" / "shop.db"
        stored = [WORDS, ADDRESS, customer_id]
        before = outside_orders(in_database(db, stored))
        assert ("kv", "value", ADDRESS) in before and ("kv", "key", customer_id) in before  # the chat history
        assert await web.shop.store.forget_customer(key) > 0
        await web.shop.store.purge(utcnow(), utcnow() + timedelta(seconds=1))
        assert outside_orders(in_database(db, stored)) == set()
        kept = await web.shop.store.get_order(order.number)
        assert kept is not None and kept.address == ADDRESS


async def test_the_chat_history_is_kept_no_longer_than_retention_days(make_shop: ShopFactory, tmp_path: Path) -> None:
    """The page's history repeats the address; it expires with ``[storage] retention_days`` (3 here), not
    with the year-long cookie, and the store's purge then deletes it."""
    toml = WEB_TOML.replace('url = "sqlite:///shop.db"', 'url = "sqlite:///shop.db"\nretention_days = 3')
    async with make_shop(toml, terminal=False, directory=tmp_path / "shop") as web:
        tab = await ChatTab.open(web)
        await tab.say(web, WORDS)
        await tab.close()
        history = f"webchat:history:{customer_key(web).split(':', 1)[1]}"
        now = utcnow()
        assert await web.shop.store.kv_get(history, now + timedelta(days=2, hours=23)) is not None
        assert await web.shop.store.kv_get(history, now + timedelta(days=3, minutes=1)) is None
        await web.shop.store.purge(now + timedelta(days=3, minutes=1), now)
        db = tmp_path / "shop" / "shop.db"
        assert outside_orders(in_database(db, [WORDS])) == set()
