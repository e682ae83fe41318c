"""A cart left with items gets one reminder: never a second for the same cart (across two workers and
a restart), never to a customer who said no, never in the shop's quiet hours; a cart ordered or
emptied before then gets none. The clock is moved by the test; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from chatshop.plugins.dashboard.numbers import shop_numbers
from chatshop.testing import running_shop
from tests.reminders.conftest import CartLeaver, JobRunner
from tests.reminders.shops import toml


def reminders_in(texts: list[str]) -> list[str]:
    return [t for t in texts if "You left something in your cart" in t]


async def test_one_reminder_across_two_workers_and_a_restart(
    tmp_path: Path, storage: str, leave_a_cart: CartLeaver, t0: datetime
) -> None:
    folder = tmp_path / "shop"
    async with running_shop(toml(storage), folder) as first:
        await leave_a_cart(first)
    # A restart, and a second worker on the same database: both run the due jobs at the same moment.
    async with running_shop(toml(storage), folder) as one, running_shop(toml(storage), tmp_path / "two") as two:
        if storage.startswith("sqlite"):
            two.shop.store = one.shop.store  # one SQLite file is one process's: the workers share it
            two.shop.jobs.shop = two.shop
        for h in (one, two):
            h.set_clock(t0 + timedelta(minutes=61))
        ran = await asyncio.gather(one.shop.jobs.run_due(), two.shop.jobs.run_due())
        await one.shop.idle()
        await two.shop.idle()
        assert sum(ran) == 1
        sent = reminders_in(one.texts_to("terminal:asha")) + reminders_in(two.texts_to("terminal:asha"))
        assert len(sent) == 1
        assert "1 × Aashirvaad Atta 5 kg: ₹245.00" in sent[0] and "Checkout" in sent[0]
        for h in (one, two):
            h.set_clock(t0 + timedelta(days=3))
        assert await one.shop.jobs.run_due() + await two.shop.jobs.run_due() == 0


async def test_a_cart_still_being_filled_waits_then_is_reminded_once(
    tmp_path: Path, storage: str, leave_a_cart: CartLeaver, run_jobs: JobRunner, t0: datetime
) -> None:
    async with running_shop(toml(storage), tmp_path / "shop") as h:
        await leave_a_cart(h)
        h.set_clock(t0 + timedelta(minutes=50))
        await h.say("asha", "help")  # still here, ten minutes before the reminder is due
        await run_jobs(h, 61)
        assert reminders_in(h.texts_to("terminal:asha")) == []
        await run_jobs(h, 50 + 61)  # an hour after the customer was last seen

        assert len(reminders_in(h.texts_to("terminal:asha"))) == 1
        await run_jobs(h, 60 * 24)
        assert len(reminders_in(h.texts_to("terminal:asha"))) == 1


async def test_no_reminder_for_a_cart_ordered_or_emptied_and_one_for_the_next_cart(
    tmp_path: Path, leave_a_cart: CartLeaver, run_jobs: JobRunner
) -> None:
    async with running_shop(toml(), tmp_path / "shop") as h:
        await leave_a_cart(h)
        for text in ("1", "Flat 4, Sea View, Bandra West, Mumbai 400050", "1"):  # checkout, address, confirm
            await h.say("asha", text)
        await leave_a_cart(h, "bela")
        await h.say("bela", "empty cart")
        await run_jobs(h, 120)
        assert reminders_in(h.texts_to("terminal:asha")) == reminders_in(h.texts_to("terminal:bela")) == []
        await h.say("asha", "atta")
        await h.say("asha", "1")  # a new cart: a reminder of its own
        await run_jobs(h, 120 + 61)
        assert len(reminders_in(h.texts_to("terminal:asha"))) == 1


async def test_never_to_a_customer_who_said_stop(tmp_path: Path, leave_a_cart: CartLeaver, run_jobs: JobRunner) -> None:
    async with running_shop(toml(), tmp_path / "shop") as h:
        await leave_a_cart(h)
        assert "no more offers or reminders" in await h.say("asha", "STOP")
        await run_jobs(h, 120)
        assert reminders_in(h.texts_to("terminal:asha")) == []


async def test_never_at_night_in_the_shops_time_zone(tmp_path: Path, leave_a_cart: CartLeaver, t0: datetime) -> None:
    quiet = toml(quiet_from='"21:00"', quiet_until='"09:00"').replace('timezone = "UTC"', 'timezone = "Asia/Kolkata"')
    async with running_shop(quiet, tmp_path / "shop") as h:
        noon = h.shop.time.day(t0).start + timedelta(hours=12)  # the cart is left at noon in Mumbai,
        noon -= timedelta(days=1) if noon > t0 else timedelta(0)  # the last noon (whatever the hour now)
        await leave_a_cart(h, start=noon)
        local = h.shop.time.local(noon)
        night = h.shop.time.day(noon).start + timedelta(hours=23)  # 23:00 in Mumbai, that day
        nine = h.shop.time.day(noon).end + timedelta(hours=9)  # 09:00 the next morning
        assert local.tzname() == "IST"
        h.set_clock(night)
        await h.shop.jobs.run_due()  # due long since, but it is night: it waits for the morning
        await h.shop.idle()
        assert reminders_in(h.texts_to("terminal:asha")) == []
        h.set_clock(nine - timedelta(minutes=1))
        assert await h.shop.jobs.run_due() == 0
        h.set_clock(nine)
        assert await h.shop.jobs.run_due() == 1
        await h.shop.idle()
        assert len(reminders_in(h.texts_to("terminal:asha"))) == 1


async def test_the_dashboard_counts_carts_reminded_and_recovered(
    tmp_path: Path, storage: str, leave_a_cart: CartLeaver, run_jobs: JobRunner, t0: datetime
) -> None:
    # Two hours ago by the shop's clock: the order placed now (the store stamps real time) comes after.
    early = t0 - timedelta(hours=2)
    async with running_shop(toml(storage), tmp_path / "shop") as h:
        await leave_a_cart(h, start=early)
        await leave_a_cart(h, "bela", start=early)
        await run_jobs(h, 61, start=early)
        h.set_clock(t0)
        for text in ("checkout", "Flat 4, Sea View, Bandra West, Mumbai 400050", "1"):
            await h.say("asha", text)
        numbers = await shop_numbers(h.shop, t0 + timedelta(minutes=5))
        assert numbers.carts is not None
        assert (numbers.carts.reminded, numbers.carts.recovered) == (2, 1)
        assert numbers.carts.revenue == "₹275.00"
