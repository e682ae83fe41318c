"""A Telegram customer shops through the real app, the real dialog and SQLite; Telegram is the fake
Bot API, and updates reach the webhook as Telegram POSTs them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from chatshop.channels import PermanentSendError, RetryableSendError, utf16_units
from chatshop.config import ConfigError, load_config
from chatshop.messages import Buttons, Choice, Document, Image, ProductCard, Text
from chatshop.money import Money
from chatshop.orders import OrderStatus
from chatshop.plugin_manager import Plugins
from chatshop.plugins.telegram.channel import SECRET_HEADER, TelegramChannel
from chatshop.runtime import Shop
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.telegram import FakeBotAPI, SentMessage

from .conftest import SECRET, telegram_toml

URL = "/webhooks/telegram"


class TelegramCustomer:
    def __init__(self, shop: ShopHarness, bot: FakeBotAPI, user_id: int, language: str | None = "en") -> None:
        self.shop, self.bot = shop, bot
        self.user = bot.user(user_id, language)
        self.seen = 0

    async def post(self, update: dict[str, Any]) -> int:
        response = await self.shop.client.post(URL, json=update, headers={SECRET_HEADER: SECRET})
        await self.shop.idle()
        return response.status

    async def say(self, text: str) -> list[SentMessage]:
        assert await self.post(self.bot.text_update(self.user, text)) == 200
        return self.new()

    async def tap(self, prefix: str) -> list[SentMessage]:
        for message in reversed(self.bot.to(str(self.user["id"]))):
            for button in message.buttons:
                if str(button.get("callback_data", "")).startswith(prefix):
                    assert await self.post(self.bot.tap_update(self.user, message, button["callback_data"])) == 200
                    return self.new()
        raise AssertionError(f"no button {prefix!r} in {[m.buttons for m in self.bot.to(str(self.user['id']))]}")

    async def share_location(self) -> list[SentMessage]:
        assert await self.post(self.bot.location_update(self.user, 19.0596, 72.8295)) == 200
        return self.new()

    def new(self) -> list[SentMessage]:
        mine = self.bot.to(str(self.user["id"]))
        fresh, self.seen = mine[self.seen :], len(mine)
        return fresh


def words(messages: list[SentMessage]) -> str:
    return "\n".join(m.text + " " + " ".join(b["text"] for b in m.buttons) for m in messages)


async def test_a_german_customer_buys_with_buttons_a_product_photo_and_a_shared_location(
    shop: ShopHarness, bot: FakeBotAPI
) -> None:
    jonas = TelegramCustomer(shop, bot, 4242, language="de-DE")  # Telegram's language_code
    welcome = await jonas.say("/start")
    assert "willkommen bei Test Kirana" in words(welcome)  # German from the first message
    [card] = await jonas.say("atta")
    assert card.method == "sendPhoto" and card.params["photo"] == "https://shop.example.com/atta.jpg"
    assert "245,00" in card.text and card.buttons[0]["text"] == "In den Warenkorb"
    added = await jonas.tap("add:atta-5kg")
    assert "Aashirvaad" in words(added)
    ask = await jonas.tap("checkout")
    [hint] = [m for m in ask if "keyboard" in m.params.get("reply_markup", {})]
    button = hint.params["reply_markup"]["keyboard"][0][0]
    assert button == {"text": "📍 Standort teilen", "request_location": True}
    after_location = await jonas.share_location()
    assert after_location, "the shared location is read as the delivery location"
    summary = await jonas.say("400050")
    assert "Gesamt" in words(summary) or "275" in words(summary), words(summary)
    await jonas.tap("confirm")
    [order] = await shop.shop.store.list_orders()
    assert order.status is OrderStatus.COD_PENDING and order.customer_key == "telegram:4242"
    assert order.latitude is not None
    assert not bot.unanswered_queries(), "every tap is answered (answerCallbackQuery)"
    assert len(bot.answered) == len({a["callback_query_id"] for a in bot.answered})
    assert all(m.params.get("parse_mode") is None for m in bot.sent)


async def test_a_photo_telegram_cannot_fetch_goes_as_text(shop: ShopHarness, bot: FakeBotAPI) -> None:
    bot.broken_photos.add("https://shop.example.com/atta.jpg")
    channel = shop.shop.channels["telegram"]
    card = ProductCard(
        product_id="atta-5kg", title="Atta", body="Atta 5 kg ₹245.00", price=Money(24500, "INR"),
        image_url="https://shop.example.com/atta.jpg",
    )
    await channel.send("4242", card)
    [sent] = bot.to("4242")
    assert sent.method == "sendMessage" and sent.text == "Atta 5 kg ₹245.00"


async def test_flood_control_and_blocked_customers(shop: ShopHarness, bot: FakeBotAPI) -> None:
    channel = shop.shop.channels["telegram"]
    bot.flood(retry_after=35)
    with pytest.raises(RetryableSendError) as flood:
        await channel.send("4242", Text(body="hi"))
    assert flood.value.retry_after == 35
    bot.blocked.add("4242")
    with pytest.raises(PermanentSendError, match="blocked"):
        await channel.send("4242", Image(url="https://shop.example.com/a.jpg"))


async def test_the_webhook_needs_the_secret_and_ignores_groups(shop: ShopHarness, bot: FakeBotAPI) -> None:
    user = bot.user(4242)
    update = bot.text_update(user, "hi")
    assert (await shop.client.post(URL, json=update)).status == 401
    assert (await shop.client.post(URL, json=update, headers={SECRET_HEADER: SECRET + "x"})).status == 401
    group = bot.text_update(user, "hi")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Friends"}
    assert (await shop.client.post(URL, json=group, headers={SECRET_HEADER: SECRET})).status == 200
    assert (await shop.client.post(URL, data=b"{not json", headers={SECRET_HEADER: SECRET})).status == 400
    await shop.idle()
    assert bot.sent == [] and not await shop.shop.store.customers_with_pending_inbound()


async def test_a_bot_command_is_the_word_it_names(shop: ShopHarness, bot: FakeBotAPI) -> None:
    customer = TelegramCustomer(shop, bot, 77)
    await customer.say("/start")
    cart = await customer.say("/cart@KiranaBot")
    assert "cart" in words(cart).lower()


def test_a_webhook_secret_telegram_would_refuse_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "has spaces!")
    (tmp_path / "shop.toml").write_text(telegram_toml("https://api.telegram.org"))
    with pytest.raises(ConfigError) as error:
        Shop(load_config(tmp_path / "shop.toml"))
    assert error.value.problems[0].path == "channels.telegram.webhook_secret_env"


async def test_set_webhook_registers_the_address_and_the_secret(
    bot: FakeBotAPI, bot_url: str, tmp_path: Path
) -> None:
    toml = telegram_toml(bot_url).replace("[server]\n", '[server]\npublic_url = "https://shop.example.com"\n')
    (tmp_path / "shop.toml").write_text(toml)
    chatshop = click.Group("chatshop")
    Plugins().register_commands(chatshop)  # as `chatshop` does: the built-in plugin adds the command

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(chatshop, ["telegram", "set-webhook", str(tmp_path / "shop.toml"), *args])

    result = await asyncio.to_thread(invoke)  # the command runs its own event loop; the fake runs on ours
    assert result.exit_code == 0, result.output
    assert "https://shop.example.com/webhooks/telegram" in result.output
    [webhook] = bot.webhooks
    assert webhook["url"] == "https://shop.example.com/webhooks/telegram" and webhook["secret_token"] == SECRET
    assert webhook["allowed_updates"] == ["message", "callback_query"]
    refused = await asyncio.to_thread(invoke, "--url", "http://plain.example.com/hook")
    assert refused.exit_code != 0 and "https://" in refused.output
    assert len(bot.webhooks) == 1


async def test_the_channel_is_built_from_its_section(tmp_path: Path, bot_url: str) -> None:
    async with running_shop(telegram_toml(bot_url), tmp_path / "s", terminal=False) as h:
        channel = h.shop.channels["telegram"]
        assert isinstance(channel, TelegramChannel)
        assert channel.capabilities.max_choice_id_bytes == 64 and channel.acknowledge_every_message


async def test_an_invoice_arrives_as_a_file_or_as_its_link(shop: ShopHarness, bot: FakeBotAPI) -> None:
    channel = shop.shop.channels["telegram"]
    invoice = Document(url="https://shop.example.com/invoices/abc.pdf", filename="K7M.pdf", caption="Invoice K7M")
    await channel.send("4242", invoice)
    bot.broken_photos.add("https://shop.example.com/invoices/gone.pdf")
    await channel.send("4242", invoice.model_copy(update={"url": "https://shop.example.com/invoices/gone.pdf"}))
    sent, fallback = bot.to("4242")
    assert sent.method == "sendDocument" and sent.params["document"].endswith("abc.pdf") and sent.text == "Invoice K7M"
    assert fallback.method == "sendMessage" and "gone.pdf" in fallback.text


async def test_a_long_question_with_its_header_and_footer_fits_one_telegram_message(
    shop: ShopHarness, bot: FakeBotAPI
) -> None:
    """The body is cut to 4096 UTF-16 units; the header and footer joined to it must fit too, or
    Telegram refuses the whole message ("message is too long") and the customer gets nothing."""
    body = "Ω😀 " * 2000  # 8000 UTF-16 units: an emoji is two
    question = Buttons(
        body=body, header="Your order", footer="Tap a button", choices=(Choice(id="menu", title="Menu"),)
    )
    await shop.shop.notify("telegram:4242", question)
    await shop.idle()
    [sent] = bot.to("4242")
    assert utf16_units(sent.text) <= 4096 and sent.text.startswith("Your order") and "Tap a button" in sent.text
