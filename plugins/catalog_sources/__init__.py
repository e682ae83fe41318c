"""Live catalog sources: a Shopify or WooCommerce store's products, read at start-up and refreshed
on a schedule (``[catalog.sources.shopify]``, ``[catalog.sources.woocommerce]``; off unless there).

See :mod:`.live` for how a refresh is taken or refused and how every worker follows it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from chatshop.config import ConfigError
from chatshop.hookspecs import hookimpl

from .config import source_configs
from .live import JOB, LiveCatalog

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.config import ConfigProblem, ShopConfig
    from chatshop.jobs import Job, JobHandler

__all__ = ["check_config", "live_catalog", "register_jobs", "shutdown", "startup"]

_LIVE: weakref.WeakKeyDictionary[Shop, LiveCatalog] = weakref.WeakKeyDictionary()


def live_catalog(shop: Shop) -> LiveCatalog | None:
    """The shop's live catalog, if ``shop.toml`` names a source."""
    return _LIVE.get(shop)


async def _refresh(shop: Shop, job: Job) -> None:
    live = _LIVE.get(shop)
    if live is not None:  # else the sources left shop.toml since: nothing to read
        await live.refresh(job.due_at)


@hookimpl
def check_config(config: ShopConfig) -> list[ConfigProblem]:
    """``[catalog.sources.*]`` is refused by ``chatshop check`` too, not only when the shop starts."""
    try:
        source_configs(config.catalog.sources)
    except ConfigError as e:
        return e.problems
    return []


@hookimpl
def register_jobs(register: Callable[[str, JobHandler], None]) -> None:
    register(JOB, _refresh)


@hookimpl
async def startup(shop: Shop) -> None:
    if not shop.config.catalog.sources:
        return
    live = LiveCatalog(shop, source_configs(shop.config.catalog.sources))
    await live.start()
    _LIVE[shop] = live


@hookimpl
async def shutdown(shop: Shop) -> None:
    live = _LIVE.pop(shop, None)
    if live is not None:
        await live.stop()
