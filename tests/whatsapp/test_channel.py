"""Sending: errors by code, the 24-hour window, templates outside it, read receipts.

Each test runs a real shop (SQLite, its outbox and inbox) whose WhatsApp channel talks to the
fake Graph API; the tests call the channel as the shop's outbox does, and see what Meta received.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog.testing
from aiohttp.test_utils import TestServer

from chatshop.channels import PermanentSendError, RetryableSendError, SendingHalted
from chatshop.config import ConfigError, validate_section
from chatshop.messages import Buttons, Choice, Inbound, InboundKind, OrderStatusUpdate, Text
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.config import WhatsAppConfig
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph

from .meta import envelope, signed
from .shops import graph_url, whatsapp_shop, whatsapp_shop_toml

WA_ID = "919812345678"
TEMPLATES = """
[channels.whatsapp.templates]
language = "en_US"
order_update = "order_update"
statuses = { shipped = "order_shipped" }
"""
SHIPPED = OrderStatusUpdate(
    order_number="K7M-4QX", status="shipped", body="Your order is on its way.\nTrack it in the app."
)

KIRANA_TEST = 'name = "Kirana Test"\ncurrency = "INR"'
MILK = """[[catalog.products]]
id = "milk-1l"
title = "Amul Taaza Milk 1 l"
price = "68.00"
"""

OpenShop = Callable[..., Awaitable[ShopHarness]]


def shop_toml(url: str, channel_extra: str = "", templates: str = "") -> str:
    """One product, no payment method, no templates unless given: the channel is what is tested."""
    return whatsapp_shop_toml(
        url, shop=KIRANA_TEST, catalog=MILK, more="", channel_extra=channel_extra, templates=templates
    )


@pytest.fixture
async def open_shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[OpenShop]:
    """Start a real shop with the WhatsApp channel (and ``templates``, or a channel key such as
    ``catalog_id``); every shop started is stopped after the test."""
    url = graph_url(graph)
    async with AsyncExitStack() as stack:
        count = 0

        async def start(templates: str = "", **channel: str) -> ShopHarness:
            nonlocal count
            count += 1
            extra = "\n".join(f'{key} = "{value}"' for key, value in channel.items())
            toml = shop_toml(url, extra, templates)
            return await stack.enter_async_context(whatsapp_shop(toml, tmp_path / f"shop{count}"))

        yield start


@pytest.fixture
async def shop(open_shop: OpenShop) -> ShopHarness:
    return await open_shop()


@pytest.fixture
def channel(shop: ShopHarness) -> WhatsAppChannel:
    found = shop.shop.channels["whatsapp"]
    assert isinstance(found, WhatsAppChannel)
    return found


def channel_of(harness: ShopHarness) -> WhatsAppChannel:
    found = harness.shop.channels["whatsapp"]
    assert isinstance(found, WhatsAppChannel)
    return found


async def customer_wrote(channel: WhatsAppChannel, hours_ago: float = 0) -> None:
    channel.window.opened(WA_ID, datetime.now(UTC) - timedelta(hours=hours_ago))


async def test_config_takes_exactly_the_documented_keys(graph: object) -> None:
    base = {
        "phone_number_id": "106540352242922",
        "access_token_env": "WHATSAPP_ACCESS_TOKEN",
        "app_secret_env": "WHATSAPP_APP_SECRET",
        "verify_token_env": "WHATSAPP_VERIFY_TOKEN",
    }
    config = validate_section(WhatsAppConfig, base, "channels.whatsapp", "INR")
    assert (config.api_base_url, config.api_version, config.messages_per_second) == (
        "https://graph.facebook.com",
        "v23.0",
        80,
    )
    with pytest.raises(ConfigError) as info:
        validate_section(WhatsAppConfig, {**base, "token": "x"}, "channels.whatsapp", "INR")
    assert "channels.whatsapp.token" in str(info.value)
    with pytest.raises(ConfigError) as info:
        validate_section(
            WhatsAppConfig,
            {**base, "access_token_env": "NOT_SET_ANYWHERE"},
            "channels.whatsapp",
            "INR",
        )
    assert "channels.whatsapp.access_token_env" in str(info.value)


async def test_capabilities(channel: WhatsAppChannel, open_shop: OpenShop) -> None:
    assert (channel.capabilities.max_buttons, channel.capabilities.max_list_rows) == (3, 10)
    assert not channel.capabilities.native_catalog
    with_catalog = channel_of(await open_shop(catalog_id="730514628893517"))
    assert with_catalog.capabilities.native_catalog
    assert not WhatsAppChannel.capabilities.native_catalog


async def test_send_inside_the_window(channel: WhatsAppChannel, fake: FakeGraph) -> None:
    await customer_wrote(channel)
    result = await channel.send(WA_ID, Buttons(body="Pay how?", choices=(Choice(id="cod", title="Cash"),)))
    [sent] = fake.sent
    assert result.provider_message_id == sent.wamid and sent.to == WA_ID
    assert sent.content["type"] == "button"


@pytest.mark.parametrize("code", [130429, 131056, 503])
async def test_persistent_throttles_go_back_to_the_outbox_retryable(
    channel: WhatsAppChannel, fake: FakeGraph, code: int
) -> None:
    await customer_wrote(channel)
    fake.storm(code, 100)
    with pytest.raises(RetryableSendError) as info:
        await channel.send(WA_ID, Text(body="hi"))
    assert not isinstance(info.value, SendingHalted)
    assert info.value.retry_after is not None and info.value.retry_after > 0


async def test_a_revoked_token_halts_sending(channel: WhatsAppChannel, fake: FakeGraph) -> None:
    await customer_wrote(channel)
    fake.storm(190, 1)
    with pytest.raises(SendingHalted):
        await channel.send(WA_ID, Text(body="hi"))
    assert fake.requests == 1


async def test_a_bad_parameter_is_permanent_and_logged_without_personal_data(
    channel: WhatsAppChannel, fake: FakeGraph
) -> None:
    await customer_wrote(channel)
    fake.storm(100, 1)
    with structlog.testing.capture_logs() as logs, pytest.raises(PermanentSendError):
        await channel.send(WA_ID, Text(body="secret address: 12 Baker Street"))
    [entry] = [e for e in logs if e["event"] == "whatsapp.bad_parameter"]
    assert entry["shape"] == {"body": "str[31]", "preview_url": "bool"}
    assert "Baker" not in repr(logs) and WA_ID not in repr(logs)


async def test_outside_the_window_free_form_messages_are_not_sent(open_shop: OpenShop, fake: FakeGraph) -> None:
    channel = channel_of(await open_shop(TEMPLATES))
    await customer_wrote(channel, hours_ago=25)
    with pytest.raises(PermanentSendError) as info:
        await channel.send(WA_ID, Text(body="Anything else?"))
    assert info.value.code == "131047" and fake.requests == 0


async def test_outside_the_window_status_notifications_go_as_the_template(open_shop: OpenShop, fake: FakeGraph) -> None:
    channel = channel_of(await open_shop(TEMPLATES))
    await customer_wrote(channel, hours_ago=25)
    await channel.send(WA_ID, SHIPPED)
    [sent] = fake.sent
    assert sent.type == "template"
    assert sent.content["name"] == "order_shipped"
    params = [p["text"] for p in sent.content["components"][0]["parameters"]]
    assert params == ["K7M-4QX", "Your order is on its way. Track it in the app."]
    delivered = OrderStatusUpdate(order_number="K7M-4QX", status="delivered", body="Delivered")
    await channel.send(WA_ID, delivered)
    assert fake.sent[-1].content["name"] == "order_update"


async def test_outside_the_window_without_a_template_nothing_goes_out(
    channel: WhatsAppChannel, fake: FakeGraph
) -> None:
    await customer_wrote(channel, hours_ago=30)
    with pytest.raises(PermanentSendError):
        await channel.send(WA_ID, SHIPPED)
    assert fake.requests == 0


async def test_131047_closes_the_window_and_resends_the_notification_as_the_template(
    open_shop: OpenShop, fake: FakeGraph
) -> None:
    shop = await open_shop(TEMPLATES)
    channel = channel_of(shop)
    await customer_wrote(channel, hours_ago=2)  # we think the window is open; Meta knows better
    fake.closed_windows.add(WA_ID)
    await shop.shop.notify(f"whatsapp:{WA_ID}", SHIPPED)  # through the shop's outbox
    await shop.shop.idle()
    assert [sent.type for sent in fake.sent] == ["text"]
    body, headers = signed(envelope(statuses=fake.statuses))  # Meta's asynchronous refusal
    assert (await shop.client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 200
    await shop.shop.idle()
    assert not await channel.window.is_open(WA_ID)
    [first, template] = fake.sent  # the outbox had it again: now as the template
    assert first.type == "text"
    assert template.type == "template" and template.content["name"] == "order_shipped"
    assert template.content["components"][0]["parameters"][0]["text"] == "K7M-4QX"
    # A second failure report for the same message does not queue it again.
    assert (await shop.client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 200
    await shop.shop.idle()
    assert len(fake.sent) == 2


async def test_a_new_message_reopens_the_window(channel: WhatsAppChannel, fake: FakeGraph) -> None:
    await channel.window.closed(WA_ID, datetime.now(UTC) - timedelta(minutes=5))
    await customer_wrote(channel)
    await channel.send(WA_ID, Text(body="Welcome back"))
    assert fake.sent[0].type == "text"


async def test_acknowledge_marks_read_with_typing(channel: WhatsAppChannel, fake: FakeGraph) -> None:
    inbound = Inbound(
        channel="whatsapp",
        customer_id=WA_ID,
        message_id="wamid.IN1",
        kind=InboundKind.TEXT,
        text="hi",
    )
    await channel.acknowledge(inbound)
    assert fake.read_marks[0]["message_id"] == "wamid.IN1"
    assert fake.read_marks[0]["typing_indicator"] == {"type": "text"}
    fake.storm(500, 10)
    await channel.acknowledge(inbound)  # a failing read receipt never fails the turn
    assert len(fake.read_marks) == 1
