"""Every kind of update a bot can get, and bodies no Telegram sends, at the real webhook: each is
answered 200 (read, or acknowledged and ignored) or 400 (unreadable), never 500, and what is read
is read as Telegram means it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatshop.plugins.telegram.channel import SECRET_HEADER
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.telegram import FakeBotAPI

from .conftest import SECRET
from .test_telegram import TelegramCustomer, words

URL = "/webhooks/telegram"


async def post(shop: ShopHarness, body: bytes) -> int:
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    response = await shop.client.post(URL, data=body, headers=headers)
    await shop.idle()
    return response.status


def private(user_id: int, update_id: int, **message: Any) -> bytes:
    chat = {"id": user_id, "type": "private", "first_name": "Asha"}
    sender = {"id": user_id, "is_bot": False, "first_name": "Asha", "language_code": "en"}
    fields = {"message_id": 5, "from": sender, "chat": chat, "date": 1767254400, **message}
    return json.dumps({"update_id": update_id, "message": fields}).encode()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 200_000 + b"]" * 200_000, id="an array nested deeper than Python's stack"),
        pytest.param(b'{"update_id": 1, "message": ' * 20_000 + b"{}" + b"}" * 20_000, id="objects nested deep"),
    ],
)
async def test_a_body_no_telegram_sends_is_refused_400_not_500(shop: ShopHarness, bot: FakeBotAPI, body: bytes) -> None:
    assert await post(shop, body) == 400
    assert bot.sent == [] and not await shop.shop.store.customers_with_pending_inbound()


@pytest.mark.parametrize("date", [10**20, -(10**15)], ids=["past any clock", "before any clock"])
async def test_a_message_dated_where_no_clock_reaches_is_read_without_its_date(
    shop: ShopHarness, bot: FakeBotAPI, date: int
) -> None:
    assert await post(shop, private(4242, 11, text="hi", date=date)) == 200
    assert "welcome to Test Kirana" in words(bot.to("4242"))


@pytest.mark.parametrize(
    "location",
    [
        '{"latitude": NaN, "longitude": 72.8}',
        '{"latitude": 19.0, "longitude": Infinity}',
        '{"latitude": 91.0, "longitude": 72.8}',
        '{"latitude": 19.0, "longitude": -180.5}',
    ],
)
async def test_a_location_that_is_no_place_on_earth_is_not_a_delivery_location(
    shop: ShopHarness, bot: FakeBotAPI, location: str
) -> None:
    asha = TelegramCustomer(shop, bot, 4242)
    await asha.say("/start")
    await asha.tap("browse")
    await asha.say("atta")
    await asha.tap("add:atta-5kg")
    await asha.tap("checkout")
    body = private(4242, 21).replace(b'"date": 1767254400', b'"date": 1767254400, "location": ' + location.encode())
    assert await post(shop, body) == 200
    reply = words(asha.new())
    assert "Thanks! I can only read text" in reply, reply  # asked again, the checkout still open
    record = await shop.shop.store.load_conversation("telegram:4242")
    assert json.dumps(record.state, allow_nan=False)  # nothing but JSON numbers was kept
    assert await asha.say("Flat 4, Sea View, Bandra West, Mumbai 400050")


async def test_a_user_id_that_is_not_a_number_is_nobody(shop: ShopHarness, bot: FakeBotAPI) -> None:
    body = json.loads(private(4242, 31, text="hi"))
    body["message"]["from"]["id"] = True  # JSON true: Python's bool is an int
    assert await post(shop, json.dumps(body).encode()) == 200
    body["update_id"] = True
    assert await post(shop, json.dumps(body).encode()) in (200, 400)
    assert bot.sent == [] and not await shop.shop.store.list_orders()
    assert (
        await shop.shop.store.load_conversation("telegram:True") is None
        or not (await shop.shop.store.load_conversation("telegram:True")).state
    )


async def test_a_tap_without_a_query_id_is_read_and_nothing_is_answered_for_it(
    shop: ShopHarness, bot: FakeBotAPI
) -> None:
    asha = TelegramCustomer(shop, bot, 4242)
    await asha.say("/start")
    user = bot.user(4242)
    tap = {"update_id": 41, "callback_query": {"from": user, "chat_instance": "-1", "data": "cart"}}
    assert await post(shop, json.dumps(tap).encode()) == 200
    assert "cart is empty" in words(asha.new())
    assert bot.refused == [], "answerCallbackQuery was called without a query to answer"


async def test_edits_channel_posts_member_changes_and_inline_queries_are_acknowledged_and_ignored(
    shop: ShopHarness, bot: FakeBotAPI
) -> None:
    user = bot.user(4242)
    edited = json.loads(private(4242, 51, text="atta"))["message"]
    blocked = {
        "chat": {"id": 4242, "type": "private", "first_name": "Asha"},
        "from": user,
        "date": 1767254400,
        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "Kirana"}},
        "new_chat_member": {"status": "kicked", "user": {"id": 1, "is_bot": True, "first_name": "Kirana"}},
    }
    updates = [
        {"update_id": 51, "edited_message": edited},
        {"update_id": 52, "channel_post": {"message_id": 1, "chat": {"id": -100, "type": "channel"}, "date": 1}},
        {"update_id": 53, "my_chat_member": blocked},
        {"update_id": 54, "inline_query": {"id": "77", "from": user, "query": "atta", "offset": ""}},
    ]
    for update in updates:
        assert await post(shop, json.dumps(update).encode()) == 200
    assert bot.sent == [] and not await shop.shop.store.customers_with_pending_inbound()
