"""Meta's catalog kept in step while the shop runs (``catalog_sync_seconds``).

An order takes stock, a cancellation puts it back, a staff member edits a price or a stock on the
dashboard, a live catalog source brings new products, a restart may bring new prices: each schedules a
catalog sync job for the end of the current window of ``catalog_sync_seconds``. Every change in one
window falls on the same job (jobs are idempotent by key), so a busy hour makes one sync a window,
not one per order; the job runs in the background (never in a customer's turn), once across
workers, and is tried again with backoff when Meta is away or throttles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog

from chatshop.hookspecs import hookimpl

from .catalog_sync import plan, push

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.jobs import Job, JobHandler
    from chatshop.orders import Order, OrderStatus

    from .channel import WhatsAppChannel

__all__ = ["JOB", "schedule_sync"]

log = structlog.get_logger(__name__)

JOB = "whatsapp.catalog_sync"


def _channel(shop: Shop) -> WhatsAppChannel | None:
    from .channel import WhatsAppChannel

    channel = shop.channels.get("whatsapp")
    if isinstance(channel, WhatsAppChannel) and channel.settings.catalog_id and channel.settings.catalog_sync_seconds:
        return channel
    return None


async def schedule_sync(shop: Shop) -> None:
    """A sync at the end of the current window (the same job for every change within it)."""
    channel = _channel(shop)
    if channel is None:
        return
    window = channel.settings.catalog_sync_seconds
    now = shop.now().timestamp()
    end = (int(now // window) + 1) * window
    await shop.jobs.schedule(JOB, f"window:{end:.0f}", datetime.fromtimestamp(end, UTC))


async def _run(shop: Shop, job: Job) -> None:
    channel = _channel(shop)
    if channel is None:
        return  # switched off since: nothing to do
    diff = await plan(shop)
    if not diff:
        return
    report = await push(shop, channel.client, str(channel.settings.catalog_id), diff)
    if report.refused:
        log.warning("whatsapp.catalog_items_refused", count=len(report.refused), alert=True)


@hookimpl
def register_jobs(register: Callable[[str, JobHandler], None]) -> None:
    register(JOB, _run)


@hookimpl
async def startup(shop: Shop) -> None:
    await schedule_sync(shop)  # shop.toml may have changed prices and products since the last run


@hookimpl
async def catalog_changed(shop: Shop, product_ids: Sequence[str]) -> None:
    await schedule_sync(shop)  # a dashboard edit or a refreshed live catalog: never waits for Meta


@hookimpl
async def order_placed(shop: Shop, order: Order) -> None:
    await schedule_sync(shop)


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    await schedule_sync(shop)  # a cancellation puts stock back
