"""The confirmation reminder keeps the shop's quiet hours (``[reminders] quiet_from``/``quiet_until``,
on the shop's clock), as the cart reminders do: one due in the night goes when the quiet hours end,
and none at all when the time-out comes first. Before, it went at 2 am."""

from __future__ import annotations

from datetime import datetime, timedelta

from chatshop.orders import OrderStatus
from chatshop.plugins.dialog.cod_confirm import REMIND
from chatshop.testing import ShopHarness
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order, toml

#: Quiet from 21:00 to 09:00 in Mumbai (the shop's time zone).
NIGHTS = ('quiet_from = "00:00"', 'quiet_from = "21:00"'), ('quiet_until = "00:00"', 'quiet_until = "09:00"')


def quiet_shop(storage: str, cod: str = "") -> str:
    text = toml(storage, cod)
    for old, new in NIGHTS:
        text = text.replace(old, new)
    return text


def last(h: ShopHarness, t0: datetime, hours: float) -> datetime:
    """The last moment, at or before ``t0``, that the shop's clock read ``hours`` after midnight."""
    moment = h.shop.time.day(t0).start + timedelta(hours=hours)
    return moment - timedelta(days=1) if moment > t0 else moment


def reminders(h: ShopHarness) -> list[str]:
    return [text for text in h.texts_to("terminal:asha") if "waiting for your confirmation" in text]


async def test_a_reminder_due_in_the_night_goes_when_the_quiet_hours_end(
    storage: str, cod_shop: CodShop, t0: datetime
) -> None:
    async with cod_shop(quiet_shop(storage, "confirm_cancel_minutes = 1440")) as h:
        evening = last(h, t0, 20.75)  # 20:45: the reminder (30 minutes on) would fall at 21:15
        h.set_clock(evening)
        await cash_order(h)
        morning = h.shop.time.day(evening).end + timedelta(hours=9)  # 09:00 the next day
        for moment in (evening + timedelta(minutes=31), morning - timedelta(minutes=1)):
            h.set_clock(moment)
            assert await h.shop.jobs.run_due() == 0
        await h.shop.idle()
        assert reminders(h) == []
        h.set_clock(morning)
        assert await h.shop.jobs.run_due() == 1
        await h.shop.idle()
        assert len(reminders(h)) == 1


async def test_no_reminder_when_the_time_out_comes_before_the_quiet_hours_end(
    storage: str, cod_shop: CodShop, t0: datetime
) -> None:
    async with cod_shop(quiet_shop(storage)) as h:  # the time-out two hours on: 22:45, in the night
        evening = last(h, t0, 20.75)
        h.set_clock(evening)
        order, _ = await cash_order(h)
        assert await h.shop.store.get_job(REMIND, order.number) is None
        h.set_clock(evening + timedelta(minutes=121))
        assert await h.shop.jobs.run_due() == 1  # the time-out
        await h.shop.idle()
        assert reminders(h) == []
        cancelled = await h.shop.store.get_order(order.number)
        assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED


async def test_a_reminder_run_late_into_the_night_waits_for_the_morning(
    storage: str, cod_shop: CodShop, t0: datetime
) -> None:
    """Due at 20:30 but run at 23:00 (the shop was down): not at 23:00, at 09:00."""
    async with cod_shop(quiet_shop(storage, "confirm_cancel_minutes = 1440")) as h:
        evening = last(h, t0, 20.0)
        h.set_clock(evening)
        order, _ = await cash_order(h)
        h.set_clock(evening + timedelta(hours=3))
        await h.shop.jobs.run_due()
        await h.shop.idle()
        assert reminders(h) == []
        morning = h.shop.time.day(evening).end + timedelta(hours=9)
        h.set_clock(morning - timedelta(minutes=1))
        assert await h.shop.jobs.run_due() == 0
        h.set_clock(morning)
        assert await h.shop.jobs.run_due() == 1
        await h.shop.idle()
        assert len(reminders(h)) == 1
        h.set_clock(morning + timedelta(hours=2))
        assert await h.shop.jobs.run_due() == 0  # once
        still = await h.shop.store.get_order(order.number)
        assert still is not None and still.status is OrderStatus.COD_PENDING
