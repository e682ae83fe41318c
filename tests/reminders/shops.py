"""A shop that reminds of carts left behind and tells of products back in stock (its ``shop.toml``).
A customer's cart left behind and the jobs run later are fixtures (conftest.py)."""

from __future__ import annotations

from tests.conftest import on_storage

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
