"""Two WeChat customers at once, one switching language mid-checkout and typing numbers."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.customer import Customer, words_of
from tests.wechat.test_end_to_end import SHOP_TOML
from tests.wechat.wire import APP_ID, OPENID, ORIGINAL_ID

OTHER = "oK7zR5vQ2nW9xT4bY1mH8cJ6dEZZ"


@pytest.fixture
async def shop(secrets_env: None, fake_url: str, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    toml = SHOP_TOML.format(app_id=APP_ID, original_id=ORIGINAL_ID, api=fake_url).replace(
        'locales = ["en"]', 'locales = ["en", "zh"]'
    )
    async with running_shop(toml, tmp_path / "shop", terminal=False) as h:
        yield h


def _read(messages: list[dict[str, Any]]) -> str:
    return "\n".join(words_of(m) for m in messages)


async def _buy(c: Customer, *, switch: bool) -> str:
    await c.say("oolong")
    c.new_messages()
    await c.say("1")  # Add to cart (typed, not tapped)
    c.new_messages()
    await c.say("1")  # Checkout
    c.new_messages()
    if switch:
        await c.say("lang")
        c.new_messages()
        await c.say("2")  # 中文
        c.new_messages()
        await c.say("cart")
        c.new_messages()
        await c.say("1")  # 去结算
        c.new_messages()
    await c.say("上海市黄浦区人民大道200号 200003")
    summary = _read(c.new_messages())
    await c.say("1")  # Confirm
    return summary + "\n---\n" + _read(c.new_messages())


async def test_two_customers_at_once_each_get_their_own_order(shop: ShopHarness, fake: FakeWeChat) -> None:
    fake.clock = time.time
    li = Customer(shop.client, fake, shop.shop, OPENID)
    wang = Customer(shop.client, fake, shop.shop, OTHER)
    wang._ids = itertools.count(45013462771290000)
    li_text, wang_text = await asyncio.gather(_buy(li, switch=True), _buy(wang, switch=False))
    orders = await shop.shop.store.list_orders()
    assert sorted(o.customer_key for o in orders) == sorted([f"wechat:{OPENID}", f"wechat:{OTHER}"])
    assert all(o.status is OrderStatus.COD_PENDING and o.total.minor == 2900 for o in orders)
    assert "合计" in li_text and "订单" in li_text, li_text  # Chinese after the switch
    assert "Total" in wang_text and "合计" not in wang_text, wang_text
    for order in orders:
        mine = li_text if order.customer_key.endswith(OPENID) else wang_text
        assert order.number in mine
    assert not fake.rejected, fake.rejected
