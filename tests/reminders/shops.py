"""A shop that reminds of carts left behind and tells of products back in stock, and a customer's cart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatshop.testing import ShopHarness
from tests.conftest import on_storage

#: The shop's clock when a test begins: now, to the minute (WhatsApp and the stores stamp real
#: times); set afresh for each test (conftest), so a long test run does not drift from it.
T0 = datetime.now(UTC).replace(second=0, microsecond=0)

SHOP = """
[shop]
name = "Test Kirana"
currency = "INR"
locale = "en"
locales = ["en", "de"]
timezone = "UTC"

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 3600

[delivery]
fee = "30.00"
free_above = "499.00"
areas = ["400050"]

[payments.cod]

[reminders]
cart_after_minutes = 60
quiet_from = "00:00"
quiet_until = "00:00"

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"
stock = 40

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"
stock = 0
"""


def toml(storage: str = "sqlite:///shop.db", **reminders: str) -> str:
    text = on_storage(SHOP, storage)
    for key, value in reminders.items():
        lines = [ln for ln in text.split("\n") if not ln.startswith(f"{key} = ")]
        at = lines.index("[reminders]")
        lines.insert(at + 1, f"{key} = {value}")
        text = "\n".join(lines)
    return text




async def leave_a_cart(h: ShopHarness, customer: str = "asha", start: datetime | None = None) -> None:
    h.set_clock(start or T0)
    await h.say(customer, "atta")
    assert "Added 1" in await h.say(customer, "1")  # Add to cart


async def run_jobs(h: ShopHarness, minutes: float, start: datetime | None = None) -> int:
    h.set_clock((start or T0) + timedelta(minutes=minutes))
    ran = await h.shop.jobs.run_due()
    await h.shop.idle()
    return ran
