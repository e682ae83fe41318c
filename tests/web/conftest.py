"""A shop with the web chat and the dashboard, and a real headless Chromium to use them.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright for Python; the browser
tests are skipped, not failed, on a machine without it. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatshop.testing import ShopHarness

ADMIN_TOKEN = "kirana-admin-token-0123456789"
ADMIN_ENV = "CHATSHOP_TEST_ADMIN_TOKEN"
CHROMIUM = os.environ.get("CHATSHOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# A small teal picture, inline so that the page needs no network to show a product photo.
PICTURE = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAEGElEQVR42jXCCatUdQDG4f8Xk5CQCENCIiQJCYkwJCRC/BLl"
    "9S6zb2f25cyc2c/MmX1f7maLZFKGGX2OOD/mfXjMf+NnhxNOdcY5F7rkStfccKs77vWcF7zUK17rS/7sN/8On/pHHOuEU850"
    "zoUuueJaN9zqjnue6wUv9YrXfPnUvPd+eD/gUEccc6JTznTOBZe64lo33HKne57rBS955Tf/9L/3ezrgkCMdc6JTzjjXBZe6"
    "4pob3XKne57z4tC8c5+867GvHgc65IhjnXCqM8650CVXuuaGW91xr+dPzN/d7/yu9thXjwMOdcSxTjjlTOdc6JIrrnXDre78"
    "5m378duOdulqj316OuBQRxxzolPOdM4Fl7riWjfcPjZ/tb49bLOjXbrsaZ+eDjjkSMec6JQzznXBpa649ps/G4/8TbbY1g67"
    "6rLHvnoc6JAjjnXCqc4450KXXD0yb5xv3tTZYFNbbGuHXbraY189DjjUEcc64ZQznXPhN3/UvvY7rGuDTW2xzY526WqPfXo6"
    "4FBHHHOiU84OzWv74esqa+qwrg022dI2O9qly5726emAQ450zIlOH5rfK1/5ba2yRkfrbGiTLba1w6667LGvHgc65IjjQ/Oq"
    "9OBVWSu0WdUaHa2zwaa22NYOu3S1x756HHCoowfmt+KXhyWWWVGbVa3RYV0bbGqLbXa0S1d77NPTgd/8mr/vL7DIkpZZUZtV"
    "1tRhXRtssqVtdrRLlz3t07tvfsl9cZhnQYsssawV2lpljY7W2dAmW2xrh1112fObl5l7/ixzmmeBRS2xrBXarGqNjtbZYFNb"
    "bGuHXbr3zLX1+XWaGc0yx7wWWNQSy6yozarW6LCuDTa1xTY7fnOV+sxvaZoZZjXHvBZYZEnLrKjNKmvqsK4NNtk6NJeJu5dJ"
    "ptRiWjPMMqd5FrTIEstaoa1V1uhonQ1t3jXn8U/9CU0ypRbTzGiWOc2zwKKWWNYKbVa1RkfrfrOP3tnHNM6EJpmipWlmNMsc"
    "81pgUUsss6I2q1qjc8fsIp8cRhnTOBNMaoqWpplhVnPMa4FFlrTMitqs+s02dNsfZoRRjTGuCSaZUotpzTDLnOZZ0CJLLGuF"
    "9m2zDny8DjLEsEYY1RjjTGiSKbWYZkazzGmeBRa1xLLfrM4+8gcY1BDDGmGUMY0zoUmmaGmaGc0yx7wWWDw0y5Nby1OeaYBB"
    "DTHMiEYZ0zgTTGqKlqaZYVZzzGvhllkcf+g/0VOeMaBBhjTMCKMaY1wTTDKlFtOaYZa5QzM7ujl7occ84ameMaBBhhjWCKMa"
    "Y5wJTTKlFtPMaPammT7/4PCIL3isJzzVMwYY1BDDGmGUMY0zoUmmaGnabyY/3vD/xOc80hc81hOe8kwDDGqIYUY0ypjGmWBS"
    "U7Ru/A+BayemhSKaDAAAAABJRU5ErkJggg=="
)

WEB_TOML = f"""
[shop]
name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en", "de"]

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 0.2

[delivery]
fee = "30.00"
free_above = "499.00"
areas = ["400050", "400051"]

[payments.cod]
max_order_total = "2000.00"

[channels.webchat]
poll_seconds = 0.5

[admin]
token_env = "{ADMIN_ENV}"

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"
stock = 40
description = "Whole wheat flour, stone-ground."
image_url = "{PICTURE}"

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"
stock = 3
image_url = "https://images.invalid/ghee.jpg"

[[catalog.products]]
id = "chai-250g"
title = "Tata Tea Gold 250 g"
price = "145.00"
category = "Beverages"
"""


@pytest.fixture(autouse=True)
def admin_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    return ADMIN_TOKEN


@pytest.fixture
async def web(make_shop: object) -> AsyncIterator[ShopHarness]:
    async with make_shop(WEB_TOML, terminal=False) as h:  # type: ignore[operator]
        yield h


def shot_path(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
