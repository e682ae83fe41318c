"""``[payments.cod] confirm``: a cash order waits for the customer's confirmation, is reminded once,
and is cancelled (stock back, customer told) or kept for the shop when nobody confirms; each time
moved by the test's clock, on SQLite and PostgreSQL, across a restart."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from chatshop.config import ConfigError
from chatshop.orders import OrderStatus
from chatshop.plugins.dashboard.numbers import shop_numbers
from chatshop.plugins.dialog.cod_confirm import REMIND, TIME_OUT
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order, toml
from tests.conftest import SHOP_TOML, ShopFactory


async def stock(h) -> int | None:  # type: ignore[no-untyped-def]
    return (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock


async def test_the_customer_confirms_in_the_chat(storage: str, cod_shop: CodShop, t0: datetime) -> None:
    async with cod_shop(toml(storage)) as h:
        order, reply = await cash_order(h)
        assert order.status is OrderStatus.COD_PENDING and order.number in reply
        assert "Please confirm it" in reply and "₹295.00" in reply  # 245 + 30 delivery + 20 COD fee
        assert "1. Yes, confirm" in reply and "2. Cancel order" in reply and "Pay online" not in reply
        reply = await h.say("asha", "1")
        assert f"Order {order.number} is confirmed" in reply
        confirmed = await h.shop.store.get_order(order.number)
        assert confirmed is not None and confirmed.status is OrderStatus.CONFIRMED
        assert confirmed.history[-1]["note"] == "confirmed by the customer"
        assert await h.shop.store.get_job(REMIND, order.number) is None  # moot, so dropped
        assert await h.shop.store.get_job(TIME_OUT, order.number) is None
        h.set_clock(t0 + timedelta(hours=3))
        told = len(h.sent_to("terminal:asha"))
        await h.shop.jobs.run_due()
        await h.shop.idle()
        assert len(h.sent_to("terminal:asha")) == told  # neither a reminder nor a cancel


async def test_reminded_once_then_cancelled_with_the_stock_back_across_a_restart(
    tmp_path: Path, storage: str, cod_shop: CodShop, t0: datetime
) -> None:
    folder = tmp_path / "shop"
    async with cod_shop(toml(storage), folder) as h:
        order, _ = await cash_order(h)
        assert await stock(h) == 39
    async with cod_shop(toml(storage), folder) as h:  # the shop restarted: its jobs did not go away
        h.set_clock(t0 + timedelta(minutes=29))
        assert await h.shop.jobs.run_due() == 0
        h.set_clock(t0 + timedelta(minutes=31))
        assert await h.shop.jobs.run_due() == 1
        await h.shop.idle()
        [reminder] = h.texts_to("terminal:asha")
        assert "waiting for your confirmation" in reminder and "Yes, confirm" in reminder
        assert await h.shop.jobs.run_due() == 0  # once
        h.set_clock(t0 + timedelta(minutes=121))
        assert await h.shop.jobs.run_due() == 1
        await h.shop.idle()
        cancelled = await h.shop.store.get_order(order.number)
        assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED
        assert cancelled.history[-1]["note"] == "not confirmed in time"
        assert await stock(h) == 40
        assert "was cancelled because it was not confirmed in time" in h.texts_to("terminal:asha")[-1]
        late = await h.choose("asha", f"codok:{order.number}")  # the old button, tapped too late
        assert f"Order {order.number} is cancelled" in late and "Try again" in late
        still = await h.shop.store.get_order(order.number)
        assert still is not None and still.status is OrderStatus.CANCELLED


async def test_keep_leaves_the_unconfirmed_order_for_the_shop(storage: str, cod_shop: CodShop, t0: datetime) -> None:
    async with cod_shop(toml(storage, 'confirm_unanswered = "keep"')) as h:
        order, _ = await cash_order(h)
        await cash_order(h, "bela")
        await h.say("bela", "1")  # Bela confirms
        h.set_clock(t0 + timedelta(hours=3))
        await h.shop.jobs.run_due()
        await h.shop.idle()
        kept = await h.shop.store.get_order(order.number)
        assert kept is not None and kept.status is OrderStatus.COD_PENDING and await stock(h) == 38
        assert kept.history[-1]["note"] == "not confirmed in time"
        cash = (await shop_numbers(h.shop, t0 + timedelta(hours=3))).cash
        assert cash is not None and (cash.confirmed, cash.waiting, cash.given_up) == (1, 0, 1)


async def test_an_order_cancelled_before_its_confirmation_ends_cleanly(
    storage: str, cod_shop: CodShop, t0: datetime
) -> None:
    async with cod_shop(toml(storage)) as h:
        order, _ = await cash_order(h)
        assert "Cancel order" in await h.say("asha", "2")
        assert "is cancelled" in await h.choose("asha", f"cancelyes:{order.number}")
        told = len(h.sent_to("terminal:asha"))
        h.set_clock(t0 + timedelta(hours=3))
        await h.shop.jobs.run_due()
        await h.shop.idle()
        assert len(h.sent_to("terminal:asha")) == told
        assert await stock(h) == 40


async def test_another_customers_order_cannot_be_confirmed(storage: str, cod_shop: CodShop) -> None:
    async with cod_shop(toml(storage)) as h:
        order, _ = await cash_order(h)
        reply = await h.choose("mallory", f"codok:{order.number}")
        assert "confirmed" not in reply
        mine = await h.shop.store.get_order(order.number)
        assert mine is not None and mine.status is OrderStatus.COD_PENDING


@pytest.mark.parametrize(
    ("cod", "path"),
    [
        ("confirm_remind_minutes = 150", "payments.cod.confirm_remind_minutes"),
        ('confirm_unanswered = "ignore"', "payments.cod.confirm_unanswered"),
        ("confirm_cancel_minutes = -5", "payments.cod.confirm_cancel_minutes"),
        ('prepaid_discount = "10.00"', "payments.cod.prepaid_discount"),
    ],
)
async def test_a_wrong_setting_is_named_with_its_key_path(make_shop: ShopFactory, cod: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        async with make_shop(toml("sqlite:///shop.db", cod)):
            pass
    assert path in {p.path for p in caught.value.problems}


async def test_without_confirm_nothing_changes(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP_TOML) as h:
        for text in ("atta", "1", "1", "12 Hill Road, Bandra West, Mumbai 400050"):
            await h.say("asha", text)
        assert "is placed. Please pay" in await h.say("asha", "1")


async def test_a_customer_who_left_the_question_confirms_from_my_orders(cod_shop: CodShop) -> None:
    """Walking the demo shop: a customer who typed "my orders" at the question found the order with
    no way to confirm it but to wait half an hour for the reminder."""
    async with cod_shop(toml("sqlite:///shop.db")) as h:
        order, _ = await cash_order(h)
        await h.say("asha", "my orders")
        detail = await h.choose("asha", f"o:{order.number}")
        assert "Yes, confirm" in detail and "Cancel order" in detail
        # Every charge, so that the total adds up: 245 + 30 delivery + 20 COD fee.
        assert "₹245.00" in detail and "Delivery: ₹30.00" in detail and "₹20.00" in detail and "₹295.00" in detail
        reply = await h.choose("asha", f"codok:{order.number}")
        assert f"Order {order.number} is confirmed" in reply
        detail = await h.choose("asha", f"o:{order.number}")
        assert "Yes, confirm" not in detail  # confirmed: nothing left to confirm


async def test_an_order_waits_for_no_confirmation_where_the_shop_asks_none(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP_TOML) as h:
        await h.say("asha", "atta")
        await h.say("asha", "1")  # Add to cart
        await h.choose("asha", "checkout")
        await h.say("asha", "Flat 4, Sea View, Bandra West, Mumbai 400050")
        await h.say("asha", "1")  # Confirm
        (order,) = await h.shop.store.list_orders()
        detail = await h.choose("asha", f"o:{order.number}")
        assert "Yes, confirm" not in detail
