"""Back in stock from the terminal: "Notify me" on a product out of stock; the restock written in
shop.toml tells the customer once, after the restart; a product since deleted ends its alert
quietly; nothing goes out in the quiet hours; ``chatshop forget`` drops the alert."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from chatshop.testing import ShopHarness, running_shop
from tests.reminders.conftest import JobRunner
from tests.reminders.shops import toml


async def ask_to_be_told(h: ShopHarness, start: datetime, customer: str = "asha") -> None:
    h.set_clock(start)
    reply = await h.choose(customer, "p:ghee-1l")
    assert "out of stock" in reply and "Notify me" in reply
    assert "as soon as Amul Pure Ghee 1 l is back" in await h.choose(customer, "notify:ghee-1l")
    assert "as soon as" in await h.choose(customer, "notify:ghee-1l")  # twice: still one alert


async def test_a_restock_in_shop_toml_tells_once_after_the_restart(
    tmp_path: Path, storage: str, run_jobs: JobRunner, t0: datetime
) -> None:
    folder = tmp_path / "shop"
    async with running_shop(toml(storage), folder) as h:
        await ask_to_be_told(h, t0)
        await run_jobs(h, 10)
        assert not any("back in stock, ₹" in t for t in h.texts_to("terminal:asha"))
    restocked = toml(storage).replace(
        'price = "612.50"\ncategory = "Dairy"\nstock = 0', 'price = "612.50"\ncategory = "Dairy"\nstock = 12'
    )
    assert restocked != toml(storage)
    async with running_shop(restocked, folder) as h:
        await run_jobs(h, 11)
        [told] = [t for t in h.texts_to("terminal:asha") if "back in stock, ₹" in t]
        assert "Amul Pure Ghee 1 l is back in stock, ₹612.50" in told
        await run_jobs(h, 60 * 24)
        assert len([t for t in h.texts_to("terminal:asha") if "back in stock, ₹" in t]) == 1


async def test_a_deleted_product_ends_its_alert_quietly(tmp_path: Path, run_jobs: JobRunner, t0: datetime) -> None:
    folder = tmp_path / "shop"
    async with running_shop(toml(), folder) as h:
        await ask_to_be_told(h, t0)
    start = toml().index('[[catalog.products]]\nid = "ghee-1l"')
    gone = toml()[:start]
    async with running_shop(gone, folder) as h:
        await run_jobs(h, 11)
        assert h.texts_to("terminal:asha") == []
        assert not await h.shop.store.has_stock_alerts()


async def test_nothing_in_the_quiet_hours(tmp_path: Path, t0: datetime) -> None:
    async with running_shop(toml(quiet_from='"00:00"', quiet_until='"23:59"'), tmp_path / "shop") as h:
        await ask_to_be_told(h, t0)
        await h.shop.store.update_inventory("ghee-1l", stock=3)
        h.set_clock(h.shop.time.day(t0).start + timedelta(hours=12))
        await h.shop.jobs.run_due()
        await h.shop.idle()
        assert not any("back in stock, ₹" in t for t in h.texts_to("terminal:asha"))
        assert await h.shop.store.has_stock_alerts()  # kept for after the quiet hours


async def test_forget_drops_the_alert(tmp_path: Path, storage: str, t0: datetime) -> None:
    async with running_shop(toml(storage), tmp_path / "shop") as h:
        await ask_to_be_told(h, t0)
        await h.shop.store.forget_customer("terminal:asha")
        assert not await h.shop.store.has_stock_alerts()
