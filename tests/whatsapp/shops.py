"""The WhatsApp test shops' TOML in one place, and a real shop started from it against the fake Graph API.

Each suite says only what is its own (the shop's name and languages, its catalog, delivery,
payments, channel keys); the storage, the fast retry timings and the ``[channels.whatsapp]`` section
with its secrets' variable names are the same for all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness, running_shop

from .meta import PHONE_NUMBER_ID

#: The shop's catalog read from ``catalog.csv`` next to its shop.toml.
CATALOG_FILE = """[catalog]
file = "catalog.csv"
"""

#: Cash on delivery up to a total no test reaches.
COD = """[payments.cod]
max_order_total = "50000.00"
"""

#: Order updates outside the 24-hour window go as the ``order_update`` template.
ORDER_TEMPLATES = """[channels.whatsapp.templates]
language = "en_US"
order_update = "order_update"
"""


def graph_url(graph: TestServer) -> str:
    """The fake Graph API's base URL, as ``api_base_url`` takes it."""
    return str(graph.make_url("")).rstrip("/")


def whatsapp_section(
    url: str, channel_extra: str = "", templates: str = ORDER_TEMPLATES, pair_seconds: float = 0
) -> str:
    """``[channels.whatsapp]`` against the fake at ``url``; ``channel_extra`` adds keys to the section,
    ``templates`` follows it (a table of its own, and whatever the caller appends to it). The pair
    rate is not paced unless ``pair_seconds`` is given (the fake enforces it only when told to)."""
    return f"""
[channels.whatsapp]
phone_number_id = "{PHONE_NUMBER_ID}"
access_token_env = "WHATSAPP_ACCESS_TOKEN"
app_secret_env = "WHATSAPP_APP_SECRET"
verify_token_env = "WHATSAPP_VERIFY_TOKEN"
api_base_url = "{url}"
pair_seconds = {pair_seconds}
{channel_extra}

{templates}"""


def whatsapp_shop_toml(
    url: str,
    *,
    shop: str,
    catalog: str = CATALOG_FILE,
    more: str = COD,
    channel_extra: str = "",
    templates: str = ORDER_TEMPLATES,
    pair_seconds: float = 0,
) -> str:
    """A whole shop.toml: ``shop`` is the body of ``[shop]``, ``more`` any sections between the
    catalog and the channel (delivery, payments)."""
    return f"""
[shop]
{shop}

[storage]
url = "sqlite:///shop.db"

[server]
retry_base_seconds = 0.01
sweep_seconds = 0.2

{catalog}
{more}
{whatsapp_section(url, channel_extra, templates, pair_seconds)}"""


@asynccontextmanager
async def whatsapp_shop(
    toml: str, folder: Path, catalog_csv: str | None = None, *, files: dict[str, str] | None = None
) -> AsyncIterator[ShopHarness]:
    """Run the shop (no terminal channel: customers come through WhatsApp), its catalog.csv beside it."""
    written = dict(files or {})
    if catalog_csv is not None:
        written["catalog.csv"] = catalog_csv
    async with running_shop(toml, folder, files=written, terminal=False) as h:
        yield h
