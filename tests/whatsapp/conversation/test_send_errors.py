"""What Meta answers to a send, as a customer's journey meets it: connections reset, refusals for good
(a bug of ours, an undeliverable number), a 24-hour window Meta says is closed. A reply is retried
until it goes or is refused for good, never twice, never forever; others after it still go; and no
log line names the customer's number."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import structlog.testing

from chatshop.logs import mask_private
from chatshop.messages import Text
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import RESET, FakeGraph
from tests.whatsapp.customer import Customer, choices_of, eventually, said, tap_stale, text_of


def masked(logs: list[dict[str, Any]]) -> str:
    """The log lines as the shop writes them (every line goes through ``mask_private``)."""
    return repr([mask_private(None, "", dict(entry)) for entry in logs])


def leaks(customer: Customer, text: str) -> bool:
    """The customer's number in clear, or inside a wamid's base64, in ``text``."""
    return customer.wa_id in text or base64.b64encode(customer.wa_id.encode()).decode()[:12] in text


async def test_connections_reset_before_an_answer_are_tried_again_and_the_reply_arrives_once(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    fake.storm_sends(RESET, 2)
    [menu] = await asha.say("hi")
    assert [choice for choice, _ in choices_of(menu)][:2] == ["browse", "search"]
    assert fake.requests >= 3


async def test_a_reset_storm_longer_than_the_retries_delays_replies_but_loses_none(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    fake.storm_sends(RESET, 6)  # more than one send's four attempts: the outbox takes it from there
    await asha.post(asha.wrap(asha.message("text", text={"body": "hi"})), settle=False)
    await asha.post(asha.wrap(asha.message("text", text={"body": "milk"})), settle=False)
    await eventually(lambda: any("Amul Taaza Milk 1 l" in text_of(s) for s in asha.inbox()))
    replies = asha.new()
    assert "What would you like to do?" in text_of(replies[0]) or "welcome" in text_of(replies[0])
    assert "Amul Taaza Milk 1 l" in text_of(replies[-1])
    assert len(replies) == 2  # each once, in the order written


@pytest.mark.parametrize("code", [100, 131009, 131026, 131048])
async def test_a_refusal_for_good_is_tried_once_recorded_and_the_next_reply_still_goes(
    shop: ShopHarness, fake: FakeGraph, asha: Customer, code: int
) -> None:
    fake.storm_sends(code, 1)
    with structlog.testing.capture_logs() as logs:
        assert await asha.say("hi") == []
        requests = fake.requests
        await shop.shop.idle()
        assert fake.requests == requests  # not tried again: the same request would be refused again
        [card] = await asha.say("milk")
    assert "Amul Taaza Milk 1 l" in text_of(card)
    assert any(entry["event"] == "outbox.failed" and entry["code"] == str(code) for entry in logs)
    assert not leaks(asha, masked(logs))


async def test_a_window_meta_says_is_closed_at_once_sends_the_status_notification_as_the_template(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await tap_stale(asha, "add:milk-1l:2")
    await asha.tap("checkout")
    await asha.say("12 Hill Road, Bandra West, Mumbai 400050")
    placed = said(await asha.tap("confirm"))
    number = next(word for word in placed.split() if word.count("-") == 1 and word.isupper())
    number = number.strip(".,:")
    fake.storm_sends(131047, 1)  # Meta refuses the free-form update there and then, not by a later status
    with structlog.testing.capture_logs() as logs:
        await shop.shop.move_order(number, OrderStatus.SHIPPED)
        await shop.shop.idle()
        [template] = asha.new()
        assert template.type == "template" and template.content["name"] == "order_update"
        assert template.content["components"][0]["parameters"][0]["text"] == number
        # The window is closed now: a free-form message is not even tried, and nothing loops.
        requests = fake.requests
        await shop.shop.notify(asha.key, Text(body="Anything else?"))
        await shop.shop.idle()
        assert fake.requests == requests
    assert not leaks(asha, masked(logs))
