"""Sending: errors by code, the 24-hour window, templates outside it, read receipts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import structlog.testing

from chatshop.channels import PermanentSendError, RetryableSendError, SendingHalted
from chatshop.config import ConfigError, validate_section
from chatshop.messages import Buttons, Choice, Inbound, InboundKind, OrderStatusUpdate, Text
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.plugins.whatsapp.config import WhatsAppConfig
from chatshop.plugins.whatsapp.webhook import load_body, parse_webhook

from .conftest import StubShop
from .fake_graph import FakeGraph
from .meta import PHONE_NUMBER_ID, envelope, wire

WA_ID = "919812345678"
TEMPLATES = {
    "language": "en_US",
    "order_update": "order_update",
    "statuses": {"shipped": "order_shipped"},
}
SHIPPED = OrderStatusUpdate(
    order_number="K7M-4QX", status="shipped", body="Your order is on its way.\nTrack it in the app."
)


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


def test_capabilities(make_channel: Callable[..., WhatsAppChannel]) -> None:
    plain = make_channel()
    assert (plain.capabilities.max_buttons, plain.capabilities.max_list_rows) == (3, 10)
    assert not plain.capabilities.native_catalog
    assert make_channel(catalog_id="730514628893517").capabilities.native_catalog
    assert not WhatsAppChannel.capabilities.native_catalog


async def test_send_inside_the_window(make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph) -> None:
    channel = make_channel()
    await customer_wrote(channel)
    result = await channel.send(WA_ID, Buttons(body="Pay how?", choices=(Choice(id="cod", title="Cash"),)))
    [sent] = fake.sent
    assert result.provider_message_id == sent.wamid and sent.to == WA_ID
    assert sent.content["type"] == "button"


@pytest.mark.parametrize("code", [130429, 131056, 503])
async def test_persistent_throttles_go_back_to_the_outbox_retryable(
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph, code: int
) -> None:
    channel = make_channel()
    await customer_wrote(channel)
    fake.storm(code, 100)
    with pytest.raises(RetryableSendError) as info:
        await channel.send(WA_ID, Text(body="hi"))
    assert not isinstance(info.value, SendingHalted)
    assert info.value.retry_after is not None and info.value.retry_after > 0


async def test_a_revoked_token_halts_sending(make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph) -> None:
    channel = make_channel()
    await customer_wrote(channel)
    fake.storm(190, 1)
    with pytest.raises(SendingHalted):
        await channel.send(WA_ID, Text(body="hi"))
    assert fake.requests == 1


async def test_a_bad_parameter_is_permanent_and_logged_without_personal_data(
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph
) -> None:
    channel = make_channel()
    await customer_wrote(channel)
    fake.storm(100, 1)
    with structlog.testing.capture_logs() as logs, pytest.raises(PermanentSendError):
        await channel.send(WA_ID, Text(body="secret address: 12 Baker Street"))
    [entry] = [e for e in logs if e["event"] == "whatsapp.bad_parameter"]
    assert entry["shape"] == {"body": "str[31]", "preview_url": "bool"}
    assert "Baker" not in repr(logs) and WA_ID not in repr(logs)


async def test_outside_the_window_free_form_messages_are_not_sent(
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph
) -> None:
    channel = make_channel(templates=TEMPLATES)
    await customer_wrote(channel, hours_ago=25)
    with pytest.raises(PermanentSendError) as info:
        await channel.send(WA_ID, Text(body="Anything else?"))
    assert info.value.code == "131047" and fake.requests == 0


async def test_outside_the_window_status_notifications_go_as_the_template(
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph
) -> None:
    channel = make_channel(templates=TEMPLATES)
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
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph
) -> None:
    channel = make_channel()
    await customer_wrote(channel, hours_ago=30)
    with pytest.raises(PermanentSendError):
        await channel.send(WA_ID, SHIPPED)
    assert fake.requests == 0


async def test_131047_closes_the_window_and_resends_the_notification_as_the_template(
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph, shop: StubShop
) -> None:
    channel = make_channel(templates=TEMPLATES)
    await customer_wrote(channel, hours_ago=2)  # we think the window is open; Meta knows better
    fake.closed_windows.add(WA_ID)
    await channel.send(WA_ID, SHIPPED)
    assert fake.sent[0].type == "text"
    payload = envelope(statuses=fake.statuses)
    for update in parse_webhook(load_body(wire(payload)), "whatsapp", PHONE_NUMBER_ID).statuses:
        await channel.on_status(update)
    assert shop.deliveries[0].error_code == "131047"
    assert not await channel.window.is_open(WA_ID)
    [(customer, message)] = shop.notified
    assert customer == f"whatsapp:{WA_ID}" and message == SHIPPED
    await channel.send(WA_ID, message)  # the outbox hands it back: now it is the template
    assert fake.sent[-1].type == "template"
    # A second failure report for the same message does not queue it again.
    for update in parse_webhook(load_body(wire(payload)), "whatsapp", PHONE_NUMBER_ID).statuses:
        await channel.on_status(update)
    assert len(shop.notified) == 1


async def test_a_new_message_reopens_the_window(make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph) -> None:
    channel = make_channel()
    await channel.window.closed(WA_ID, datetime.now(UTC) - timedelta(minutes=5))
    await customer_wrote(channel)
    await channel.send(WA_ID, Text(body="Welcome back"))
    assert fake.sent[0].type == "text"


async def test_acknowledge_marks_read_with_typing(
    make_channel: Callable[..., WhatsAppChannel], fake: FakeGraph
) -> None:
    channel = make_channel()
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
