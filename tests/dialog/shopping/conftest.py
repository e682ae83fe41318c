"""Fixtures of the shopping dialog tests (search, postal codes, typed commands, the native catalog):
a real four-language grocery (``grocery``), one category longer than a page, and the WhatsApp
tests' fake Graph API and secrets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["fake", "graph", "grocery", "secrets_env"]

VEG = [f"veg-{n}" for n in range(1, 13)]

SHOP = """
[shop]
name = "Kirana Corner"
currency = "{currency}"
locale = "en"
locales = ["en", "de", "hi", "zh"]

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 0.2

[payments.cod]
max_order_total = "50000.00"
{extra}
"""

PRODUCTS = (
    "".join(
        f"""
[[catalog.products]]
id = "veg-{n}"
title = "Vegetable number {n}"
price = "{10 + n}.00"
category = "Vegetables"
"""
        for n in range(1, 13)
    )
    + """
[[catalog.products]]
id = "onion-1kg"
title = "Red Onion 1 kg"
price = "40.00"
category = "Staples"
description = "Fresh red onions from Nashik"

[[catalog.products]]
id = "tomato-1kg"
title = "Tomato 1 kg"
price = "30.00"
category = "Staples"
description = "Ripe red tomatoes"

[[catalog.products]]
id = "rice-5kg"
title = "Basmati Rice 5 kg"
price = "450.00"
category = "Staples"
"""
)


@pytest.fixture
def grocery() -> Callable[..., str]:
    """``grocery(currency="INR", extra="")``: the grocery's shop.toml, ``extra`` added to it."""

    def toml(currency: str = "INR", extra: str = "") -> str:
        return SHOP.format(currency=currency, extra=extra) + PRODUCTS

    return toml
