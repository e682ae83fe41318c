"""A WeChat customer shops through the real aiohttp app, the real dialog and SQLite.

WeChat is played by the test: pushes are signed and encrypted by ``wire`` (not by the plugin) and
the customer-service API is the fake in ``chatshop.testing.fakes.wechat``. The customer taps msgmenu items exactly as
WeChat reports taps: a text message whose ``bizmsgmenuid`` is the tapped item's id.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from chatshop.messages import Text
from chatshop.orders import OrderStatus
from chatshop.runtime import Shop
from chatshop.testing import running_shop
from chatshop.testing.fakes.wechat import FakeWeChat

from .customer import URL, Customer, words_of
from .wire import APP_ID, BILLION_LAUGHS, OPENID, ORIGINAL_ID, XXE, safe_push, text_xml

SHOP_TOML = """
[shop]
name = "Tea House"
currency = "CNY"
locale = "en"
locales = ["en"]

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.02
sweep_seconds = 60

[[catalog.products]]
id = "oolong"
title = "Oolong 250g"
price = "29.00"
category = "Tea"
stock = 5
url = "https://shop.example.com/p/oolong"
image_url = "https://shop.example.com/oolong.jpg"

[[catalog.products]]
id = "jasmine"
title = "Jasmine 100g"
price = "18.00"
category = "Tea"

[payments.cod]
max_order_total = "500.00"

[channels.wechat]
app_id = "{app_id}"
app_secret_env = "WECHAT_SECRET"
token_env = "WECHAT_TOKEN"
encoding_aes_key_env = "WECHAT_AES_KEY"
original_id = "{original_id}"
api_base_url = "{api}"

[channels.wechat.order_template]
template_id = "TPL_ORDER_STATUS"
fields = {{ first = "{{body}}", keyword1 = "{{order_number}}", keyword2 = "{{status}}" }}
"""


@pytest.fixture
async def shop_app(
    secrets_env: None, fake_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Shop, TestClient[Any, Any]]]:
    toml = SHOP_TOML.format(app_id=APP_ID, original_id=ORIGINAL_ID, api=fake_url)
    async with running_shop(toml, tmp_path / "shop", terminal=False) as harness:
        yield harness.shop, harness.client


@pytest.fixture
def customer(shop_app: tuple[Shop, TestClient[Any, Any]], fake: FakeWeChat) -> Customer:
    shop, client = shop_app
    fake.clock = time.time
    return Customer(client, fake, shop, OPENID)


async def _open_oolong(customer: Customer, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The product card for oolong: shown already, or one tap away."""
    if not any(m["msgtype"] == "news" for m in messages):
        await customer.tap(customer.menu_item(messages, "p:oolong"))
        messages = customer.new_messages()
    return messages


async def _buy_oolong_until_checkout(customer: Customer) -> list[dict[str, Any]]:
    await customer.event("subscribe", "qrscene_shop_1001")
    welcome = customer.new_messages()
    assert welcome and welcome[-1]["msgtype"] == "msgmenu"
    await customer.event("CLICK", "CHATSHOP_CATALOG")  # the custom menu's "Shop" button
    browse = customer.new_messages()
    if not any(
        i["id"].startswith("p:oolong") for b in browse if b["msgtype"] == "msgmenu" for i in b["msgmenu"]["list"]
    ):
        await customer.tap(customer.menu_item(browse, "cat:"))
        browse = customer.new_messages()
    card = await _open_oolong(customer, browse)
    news = [b for b in card if b["msgtype"] == "news"]
    assert news and news[0]["news"]["articles"][0]["url"] == "https://shop.example.com/p/oolong"
    await customer.tap(customer.menu_item(card, "add:oolong"))
    added = customer.new_messages()
    await customer.tap(customer.menu_item(added, "cart"))
    cart = customer.new_messages()
    await customer.tap(customer.menu_item(cart, "checkout"))
    return customer.new_messages()


async def test_full_cod_purchase(customer: Customer, fake: FakeWeChat) -> None:
    shop = customer.shop
    ask_address = await _buy_oolong_until_checkout(customer)
    assert ask_address
    await customer.share_location("上海市黄浦区人民大道200号")  # a WeChat label has no postal code
    customer.new_messages()
    await customer.say("上海市黄浦区人民大道200号 200003")
    summary = customer.new_messages()
    await customer.tap(customer.menu_item(summary, "confirm"))
    placed = customer.new_messages()
    assert placed, "the customer hears about the order"
    [order] = await shop.store.list_orders(customer_key=f"wechat:{OPENID}")
    assert order.status is OrderStatus.COD_PENDING and order.payment_method == "cod"
    assert order.total.minor == 2900 and order.total.currency == "CNY"
    assert any(order.number in words_of(m) for m in placed)
    assert not fake.rejected, fake.rejected  # every call was within WeChat's rules
    # two days later the order ships: outside the 48-hour window, news go as a template message
    fake.windows.clear()
    await shop.move_order(order.number, OrderStatus.SHIPPED)
    await shop.idle()
    [template] = fake.templates
    assert template["touser"] == OPENID and template["data"]["keyword1"] == {"value": order.number}
    assert template["data"]["keyword2"] == {"value": "shipped"}


async def test_a_shared_location_and_then_the_postal_code_make_the_address(customer: Customer) -> None:
    """As the address question says: "share your location and then your postal code". WeChat's
    location carries the address the customer picked on the map (Label) but no postal code; the
    order is delivered to that address with the code typed next, not to the code alone."""
    await _buy_oolong_until_checkout(customer)
    await customer.share_location("上海市黄浦区人民大道200号")
    customer.new_messages()
    await customer.say("200003")
    summary = customer.new_messages()
    assert "上海市黄浦区人民大道200号 200003" in "\n".join(words_of(m) for m in summary), summary
    await customer.tap(customer.menu_item(summary, "confirm"))
    [order] = await customer.shop.store.list_orders(customer_key=f"wechat:{OPENID}")
    assert order.address == "上海市黄浦区人民大道200号 200003" and order.latitude == "31.230416"


async def test_retries_within_5_seconds_never_reply_twice(customer: Customer, fake: FakeWeChat) -> None:
    shop = customer.shop
    await customer.say("hello")
    customer.new_messages()
    await customer.say("oolong")
    once = len(customer.new_messages())
    await customer.say("oolong", times=3, together=True)  # WeChat retries while we still work
    assert len(customer.new_messages()) == once
    await customer.say("jasmine", times=3)  # ...or one after another within the 5 seconds
    assert len(customer.new_messages()) == 1  # jasmine has no page: its card is one msgmenu
    # the same "add to cart" tap arrives three times: one cart line of quantity 1
    await customer.say("oolong")
    card = await _open_oolong(customer, customer.new_messages())
    await customer.tap(customer.menu_item(card, "add:oolong"), times=3, together=True)
    record = await shop.store.load_conversation(f"wechat:{OPENID}")
    assert [(ln["product_id"], ln["quantity"]) for ln in record.state["cart"]["lines"]] == [("oolong", 1)]
    inbox_rows = await shop.store.customers_with_pending_inbound()
    assert inbox_rows == [] and not fake.rejected


async def test_forged_signature_and_xml_bombs_change_nothing(customer: Customer, fake: FakeWeChat) -> None:
    shop, client = customer.shop, customer.client
    forged = safe_push(text_xml("hi", 1, int(time.time())), int(time.time()), token="guessed")
    assert (await client.post(URL, **forged)).status == 403
    for bomb in (BILLION_LAUGHS, XXE):
        push = safe_push(bomb, int(time.time()))
        assert (await client.post(URL, **push)).status == 400
    await shop.idle()
    assert not fake.sent
    assert await shop.store.next_inbound(f"wechat:{OPENID}") is None
    await customer.say("hello")  # and the shop still serves the customer
    assert customer.new_messages()


async def test_token_expiry_mid_conversation(customer: Customer, fake: FakeWeChat) -> None:
    await customer.say("hello")
    assert customer.new_messages()
    fake.expire_tokens()
    await customer.say("oolong")
    assert customer.new_messages(), "the reply went out with a fresh token"
    fake.expire_tokens()  # and once more
    await customer.event("CLICK", "CHATSHOP_CART")
    assert customer.new_messages()
    assert len(fake.token_requests) == 3 and not fake.rejected


async def test_outside_the_window_the_reply_waits(customer: Customer, fake: FakeWeChat) -> None:
    shop = customer.shop
    await customer.say("hello")
    customer.new_messages()
    fake.windows.clear()  # 48 hours pass
    await shop.notify(f"wechat:{OPENID}", Text(body="Your order shipped"))
    await shop.idle()
    assert not customer.new_messages()
    assert fake.rejected and fake.rejected[-1][0] == 45015
    later = shop.now() + timedelta(hours=1)
    pending = await shop.store.pending_outbox(f"wechat:{OPENID}", later)
    assert [p.message for p in pending] == [Text(body="Your order shipped")]
