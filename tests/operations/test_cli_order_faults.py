"""``chatshop order`` when the refund a cancel needs cannot be made: a sentence, the order unchanged."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import Order, OrderStatus
from chatshop.testing import running_shop
from tests.operations.providers import HeldRazorpay
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY
from tests.payments.test_razorpay_journey import checkout_online

WEBHOOK = "/webhooks/payments/razorpay"


async def chatshop(*args: str) -> tuple[int, str, str]:
    """The real command in its own process (the fake provider keeps answering in this one)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatshop",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def paid(
    razorpay_api: HeldRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Order, str]:
    """A shop on disk with one order paid by Razorpay; (its shop.toml, the order, its TOML text)."""
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + CATALOG
    async with running_shop(toml, tmp_path / "shop") as h:
        order, _ = await checkout_online(h)
        event = razorpay_api.pay(order.payment_ref or "")
        assert await razorpay_api.send_webhook(h.client.session, h.url(WEBHOOK), event) == 200
        await h.shop.idle()
    return tmp_path / "shop" / "shop.toml", order, toml


async def status_of(shop_toml: Path, number: str, toml: str) -> tuple[OrderStatus, int]:
    async with running_shop(toml, shop_toml.parent) as h:
        order = await h.shop.store.get_order(number)
        assert order is not None
        return order.status, order.refunded_amount


async def test_cancel_while_the_provider_is_down_says_so_and_changes_nothing(
    paid: tuple[Path, Order, str], razorpay_api: HeldRazorpay
) -> None:
    shop_toml, order, toml = paid
    razorpay_api.outage = [503] * 20
    code, _, err = await chatshop("order", str(shop_toml), order.number, "cancel")
    assert code == 1
    assert "Traceback" not in err
    assert order.number in err and "refund" in err and "unchanged" in err
    assert await status_of(shop_toml, order.number, toml) == (OrderStatus.PAID, 0)
    razorpay_api.outage.clear()
    code, out, err = await chatshop("order", str(shop_toml), order.number, "cancel")  # later, it works
    assert code == 0, err
    assert f"{order.number}: refunded" in out
    assert await status_of(shop_toml, order.number, toml) == (OrderStatus.REFUNDED, 27500)


async def test_cancel_of_an_order_paid_by_a_method_since_disabled_names_the_method(
    paid: tuple[Path, Order, str],
) -> None:
    shop_toml, order, toml = paid
    shop_toml.write_text(toml.replace("[payments.razorpay]", "[payments.razorpay]\nenabled = false"), encoding="utf-8")
    code, _, err = await chatshop("order", str(shop_toml), order.number, "cancel")
    assert code == 1
    assert "Traceback" not in err and "no order" not in err
    assert "payments.razorpay" in err
    assert await status_of(shop_toml, order.number, toml) == (OrderStatus.PAID, 0)


async def test_orders_json_shows_what_was_refunded(paid: tuple[Path, Order, str]) -> None:
    shop_toml, order, _ = paid
    code, _, err = await chatshop("order", str(shop_toml), order.number, "cancel")
    assert code == 0, err
    code, out, err = await chatshop("orders", str(shop_toml), "--json")
    assert code == 0, err
    (listed,) = json.loads(out)
    assert listed["status"] == "refunded"
    assert listed["paid"] == "275.00" and listed["refunded"] == "275.00"
