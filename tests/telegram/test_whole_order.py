"""A whole order on Telegram in the language the customer's app speaks (``language_code``): search,
a variant, the cart, a coupon, online payment with Razorpay's link and its webhook, and the receipt.
Every message and every button is checked for English the customer did not ask for."""

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

import chatshop
from chatshop.orders import OrderStatus
from chatshop.plugins.telegram import TEXTS
from chatshop.testing import running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.telegram import FakeBotAPI, SentMessage

from .conftest import telegram_toml
from .test_telegram import TelegramCustomer, words

SHOP = """
[[catalog.products]]
id = "rice"
title = "India Gate Basmati Rice"
category = "Staples"
options = ["Weight"]
[[catalog.products.variants]]
id = "rice-1kg"
values = ["1 kg"]
price = "140.00"
[[catalog.products.variants]]
id = "rice-5kg"
values = ["5 kg"]
price = "650.00"

[[discounts]]
code = "DIWALI10"
percent = "10"

[payments.razorpay]
key_id = "{key_id}"
api_base_url = "{api}"
retry_delays_seconds = [0, 0]
"""


def english_texts() -> list[str]:
    """The shop's English texts: the core's and the Telegram plugin's."""
    table = tomllib.loads((Path(chatshop.__file__).parent / "locales" / "en.toml").read_text("utf-8"))
    return [v for v in table.values() if isinstance(v, str)] + list(TEXTS["en"].values())


def english_phrases() -> set[str]:
    """The literal parts of the English texts long enough to be English, not a shared word or number."""
    return {
        part.strip()
        for text in english_texts()
        for part in re.split(r"\{[^}]*\}|[\n|]", text)
        if len(part.strip()) >= 10 and re.search(r"[a-z]{3}", part)
    }


def english_in(messages: list[SentMessage]) -> list[str]:
    """English phrases in the messages' texts, and buttons titled with a whole English text."""
    labels = {text for text in english_texts() if "{" not in text and re.search(r"[a-z]{2}", text)}
    found = {phrase for phrase in english_phrases() if phrase in words(messages)}
    found |= {b["text"] for m in messages for b in m.buttons if b["text"] in labels}
    return sorted(found)


@pytest.fixture
async def razorpay(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeRazorpay, str]]:
    fake = FakeRazorpay()
    server = TestServer(fake.app())
    await server.start_server()
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", fake.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", fake.webhook_secret)
    yield fake, str(server.make_url(""))
    await server.close()


@pytest.mark.parametrize(
    ("language_code", "placed", "paid"),
    [("hi", "ऑर्डर पक्का करें", "भुगतान मिल गया"), ("zh-hans", "确认下单", "已收到订单")],
)
async def test_a_whole_order_paid_online_in_the_customers_language(
    bot: FakeBotAPI,
    bot_url: str,
    tmp_path: Path,
    razorpay: tuple[FakeRazorpay, str],
    language_code: str,
    placed: str,
    paid: str,
) -> None:
    fake, api = razorpay
    toml = telegram_toml(bot_url, SHOP.format(key_id=fake.key_id, api=api))
    toml = toml.replace('locales = ["en", "de"]', 'locales = ["en", "de", "hi", "zh"]')
    async with running_shop(toml, tmp_path / "shop", terminal=False) as shop:
        asha = TelegramCustomer(shop, bot, 9090, language=language_code)
        seen = await asha.say("/start")
        seen += await asha.say("basmati")
        seen += await asha.tap("opt:rice:1")
        seen += await asha.tap("add:rice-5kg")
        seen += await asha.tap("checkout")
        seen += await asha.say("Flat 4, Sea View, Bandra West, Mumbai 400050")
        applied = await asha.say("diwali10")
        assert "₹65.00" in words(applied) and "₹585.00" in words(applied), words(applied)
        seen += applied
        summary = await asha.tap("pay:razorpay")
        assert placed in words(summary), words(summary)
        seen += summary
        [link] = await asha.tap("confirm")
        [order] = await shop.shop.store.list_orders()
        assert order.status is OrderStatus.PENDING_PAYMENT and order.total.minor == 58500
        [pay] = link.buttons
        assert pay == {"text": TEXTS[language_code[:2]]["telegram_pay"], "url": order.payment_url}
        seen.append(link)
        event = fake.pay(fake.links[order.payment_ref or ""]["id"])
        assert await fake.send_webhook(shop.client.session, shop.url("/webhooks/payments/razorpay"), event) == 200
        await shop.idle()
        receipt = asha.new()
        assert paid in words(receipt), words(receipt)
        seen += receipt
        assert english_in(seen) == [], "\n".join(m.text for m in seen)
        assert not bot.unanswered_queries() and bot.refused == []
