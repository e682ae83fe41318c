"""A WeChat customer follows the account, shares a location, types an address, buys, hears by template
that it shipped, and asks to be forgotten: no log line carries their openid, address, location, the
access token or the account's secrets, and the database keeps them only in the order. WeChat is the
fake API and the signed, encrypted pushes of tests/wechat; the shop is real, on SQLite.
"""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chatshop.orders import OrderStatus
from chatshop.runtime import Shop
from chatshop.store.codec import utcnow
from chatshop.testing import running_shop
from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.conftest import SECRET, clock, fake, fake_url, secrets_env  # noqa: F401 (fixtures)
from tests.wechat.customer import Customer
from tests.wechat.test_end_to_end import SHOP_TOML
from tests.wechat.wire import AES_KEY, APP_ID, OPENID, ORIGINAL_ID, TOKEN

from .leaks import in_database, in_logs, outside_orders

LABEL = "上海市黄浦区人民大道200号"
ADDRESS = "上海市黄浦区人民大道200号 200003"


@pytest.fixture
async def shop_app(
    secrets_env: None,  # noqa: F811
    fake_url: str,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[tuple[Shop, TestClient[Any, Any]]]:
    toml = SHOP_TOML.format(app_id=APP_ID, original_id=ORIGINAL_ID, api=fake_url)
    async with running_shop(toml, tmp_path / "shop", terminal=False) as harness:
        yield harness.shop, harness.client


async def test_a_wechat_journey_leaves_no_trace_outside_the_order(
    shop_app: tuple[Shop, TestClient[Any, Any]],
    fake: FakeWeChat,  # noqa: F811
    logs: Callable[[], io.StringIO],
    tmp_path: Path,
) -> None:
    captured = logs()
    shop, client = shop_app
    fake.clock = time.time
    customer = Customer(client, fake, shop, OPENID)
    await customer.event("subscribe", "qrscene_shop_1001")
    await customer.event("CLICK", "CHATSHOP_CATALOG")
    browse = customer.new_messages()
    if not any(b["msgtype"] == "msgmenu" and "p:oolong" in str(b) for b in browse):
        await customer.tap(customer.menu_item(browse, "cat:"))
        browse = customer.new_messages()
    if not any(m["msgtype"] == "news" for m in browse):
        await customer.tap(customer.menu_item(browse, "p:oolong"))
        browse = customer.new_messages()
    await customer.tap(customer.menu_item(browse, "add:oolong"))
    await customer.tap(customer.menu_item(customer.new_messages(), "cart"))
    await customer.tap(customer.menu_item(customer.new_messages(), "checkout"))
    customer.new_messages()
    await customer.share_location(LABEL)
    customer.new_messages()
    fake.expire_tokens()  # the next send is refused (42001) and the token fetched again, and logged
    await customer.say(ADDRESS)
    await customer.tap(customer.menu_item(customer.new_messages(), "confirm"))
    [order] = await shop.store.list_orders(customer_key=f"wechat:{OPENID}")
    fake.windows.clear()  # two days later: the shipping news goes as a template message
    await shop.move_order(order.number, OrderStatus.SHIPPED)
    await shop.idle()
    assert fake.templates and fake.templates[-1]["touser"] == OPENID

    logged = captured.getvalue()
    assert "order.placed" in logged and "wechat.token_fetched" in logged  # the journey was logged
    private = [OPENID, "人民大道", "200003", "31.230416", "121.473701", SECRET, TOKEN, AES_KEY, *fake.tokens]
    assert in_logs(logged, private) == []

    db = tmp_path / "shop" / "shop.db"
    stored = [OPENID, "人民大道"]
    before = outside_orders(in_database(db, stored))
    assert ("conversations", "customer_key", OPENID) in before and ("inbox", "payload", "人民大道") in before
    assert await shop.store.forget_customer(f"wechat:{OPENID}") > 0
    await shop.store.purge(utcnow(), utcnow() + timedelta(seconds=1))
    assert outside_orders(in_database(db, stored)) == set()
    kept = await shop.store.get_order(order.number)
    assert kept is not None and kept.address == ADDRESS
