"""A worker that dies between an order's change and its effects loses neither: another worker's
sweeper carries out what the change owed (chatshop.order_effects).

Before, a payment's "payment received", its invoice and the plugins' hooks ran after the commit
and nowhere else: Razorpay's retry found the order paid ("already applied") and did nothing more,
and a retried turn found its order placed and skipped the hooks that schedule a cash order's
reminder and time-out (its stock then held for good).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chatshop.order_effects import KIND
from chatshop.orders import Order, OrderStatus
from chatshop.plugins.payments.razorpay.webhook import parse_event
from chatshop.store.sqlite import SQLiteStore
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.operations import hears_orders
from tests.operations.hears_orders import HEARD
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY
from tests.payments.test_razorpay_journey import checkout_online

WEBHOOK = "/webhooks/payments/razorpay"
PLUGIN = '\n[plugins]\nmodules = ["tests.operations.hears_orders"]\n'
#: ``[server] lease_seconds`` (the default): when owed effects fall due for another worker.
LEASE = timedelta(seconds=30)


class WorkerDied(BaseException):
    """Not an :class:`Exception`: nothing in the worker catches it, as nothing outlives a SIGKILL."""


class DiesAfterCommit(SQLiteStore):
    """A real SQLite store whose worker dies right after an order's move to ``die_at`` commits."""

    die_at: OrderStatus | None = None

    async def transition_order(self, number: str, new: OrderStatus, **kwargs: Any) -> tuple[Order, OrderStatus]:
        moved = await super().transition_order(number, new, **kwargs)
        if new is self.die_at:
            self.die_at = None
            raise WorkerDied(new.value)
        return moved


@pytest.fixture(autouse=True)
def _plugin_disarmed() -> Iterator[None]:
    hears_orders.FAIL_AT.clear()
    HEARD.clear()
    yield
    hears_orders.FAIL_AT.clear()
    HEARD.clear()


@pytest.fixture
async def shop(
    razorpay_api: FakeRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + CATALOG + PLUGIN
    async with running_shop(toml, tmp_path / "shop", store=DiesAfterCommit(tmp_path / "shop" / "shop.db")) as h:
        yield h


def heard(number: str, new: str) -> list[tuple[str, str | None, str]]:
    """What the hooks heard of ``number`` moving to ``new``."""
    return [entry for entry in HEARD if entry[0] == number and entry[2] == new]


def received(h: ShopHarness) -> list[str]:
    return [text for text in h.texts_to("terminal:asha") if "received for order" in text]


async def test_a_payment_whose_worker_died_is_told_by_the_sweeper(
    shop: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = shop
    order, _ = await checkout_online(h)
    assert isinstance(h.shop.store, DiesAfterCommit)
    h.shop.store.die_at = OrderStatus.PAID
    event = razorpay_api.pay(order.payment_ref or "")
    paid_event = parse_event(json.dumps(event).encode(), "razorpay")
    assert paid_event is not None
    with pytest.raises(WorkerDied):  # the worker dies in Razorpay's webhook, right after the commit
        await h.shop.ordering.apply_payment_event(paid_event)
    paid = await h.shop.store.get_order(order.number)
    assert paid is not None and paid.status is OrderStatus.PAID  # committed; nothing after it ran
    # Razorpay delivers the event again: the order is paid already, which tells nobody anything.
    assert await razorpay_api.send_webhook(h.client.session, h.url(WEBHOOK), event) == 200
    await h.shop.idle()
    assert received(h) == [] and heard(order.number, "paid") == []
    h.move_clock(LEASE)  # the dead worker's hold on them runs out
    assert await h.shop.jobs.run_due() == 1
    await h.shop.idle()
    assert len(received(h)) == 1
    assert heard(order.number, "paid") == [(order.number, "pending_payment", "paid")]
    assert await h.shop.store.get_job(KIND, f"{order.number}:paid") is not None  # done, kept until purged
    h.move_clock(LEASE)
    assert await h.shop.jobs.run_due() == 0  # once


async def test_a_payment_whose_hook_failed_is_told_once(shop: ShopHarness, razorpay_api: FakeRazorpay) -> None:
    """"Payment received" goes before the hooks (the invoice they send comes after it): when a hook
    then failed, every retry of the owed effects told the customer again that their payment came."""
    h = shop
    order, _ = await checkout_online(h)
    hears_orders.FAIL_AT.add("paid")
    event = razorpay_api.pay(order.payment_ref or "")
    assert await razorpay_api.send_webhook(h.client.session, h.url(WEBHOOK), event) == 200
    await h.shop.idle()
    assert len(received(h)) == 1 and heard(order.number, "paid") == []
    h.move_clock(LEASE)
    assert await h.shop.jobs.run_due() == 1
    await h.shop.idle()
    assert heard(order.number, "paid") == [(order.number, "pending_payment", "paid")]  # the hooks hear it late
    assert len(received(h)) == 1, received(h)  # the customer, once


async def test_effects_that_fail_stay_owed_and_the_change_stands(shop: ShopHarness) -> None:
    h = shop
    order, _ = await checkout_cod(h)
    hears_orders.FAIL_AT.add("shipped")
    shipped = await h.shop.move_order(order.number, OrderStatus.SHIPPED, note="owner")  # no error for the owner
    assert shipped.status is OrderStatus.SHIPPED
    await h.shop.idle()
    assert not on_its_way(h) and heard(order.number, "shipped") == []
    h.move_clock(LEASE)
    assert await h.shop.jobs.run_due() == 1
    await h.shop.idle()
    assert len(on_its_way(h)) == 1 and heard(order.number, "shipped") == [(order.number, "cod_pending", "shipped")]


async def test_late_effects_hook_but_tell_no_stale_news(shop: ShopHarness) -> None:
    h = shop
    order, _ = await checkout_cod(h)
    hears_orders.FAIL_AT.add("shipped")
    await h.shop.move_order(order.number, OrderStatus.SHIPPED, note="owner")
    await h.shop.move_order(order.number, OrderStatus.DELIVERED, note="courier")
    h.move_clock(LEASE)
    assert await h.shop.jobs.run_due() == 1
    await h.shop.idle()
    assert heard(order.number, "shipped") == [(order.number, "cod_pending", "shipped")]  # the hooks still hear
    assert not on_its_way(h)  # "on its way" after "delivered" would mislead


async def test_a_placement_whose_effects_failed_has_them_carried_out_later(shop: ShopHarness) -> None:
    h = shop
    hears_orders.FAIL_AT.add("placed")
    order, _ = await checkout_cod(h)
    assert order.status is OrderStatus.COD_PENDING and HEARD == []
    h.move_clock(LEASE)
    assert await h.shop.jobs.run_due() == 1
    assert [(order.number, None, "cod_pending")] == HEARD


async def checkout_cod(h: ShopHarness) -> tuple[Order, str]:
    """Browse, add atta, give an address, pick cash on delivery, confirm: the order, the last reply."""
    await h.say("asha", "hi")
    await h.say("asha", "atta")
    await h.say("asha", "1")  # Add to cart
    await h.say("asha", "1")  # Checkout
    reply = await h.say("asha", "Flat 4, Sea View, Bandra West, Mumbai 400050")
    cash = next(line for line in reply.splitlines() if "Cash on delivery" in line)
    reply = await h.say("asha", cash.split(".")[0])
    reply = await h.say("asha", "1")  # Confirm
    (order,) = await h.shop.store.list_orders(customer_key="terminal:asha")
    return order, reply


def on_its_way(h: ShopHarness) -> list[str]:
    return [text for text in h.texts_to("terminal:asha") if "is on its way" in text]
