"""What a running worker tells Prometheus: ``/metrics`` in the text format, off unless enabled.

Each worker keeps its own registry and answers for itself (Prometheus scrapes every worker; the
``target_info`` line names the worker). Counters and the turn histogram are this worker's; the
queue gauges (inbox depth, outbox depth, age of the oldest unsent reply) are the whole shop's,
read from the store at scrape time, so every worker reports the same backlog. Labels carry
channel, provider, outcome and result names only: never a customer, a phone number or an order.

``[metrics]`` in shop.toml turns it on, either behind a bearer token on the shop's own port or
on a port of its own (bind it to an address only the monitoring network reaches). See
docs/scale.md for the metric names and an alert rule for replies that are stuck.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from chatshop.store.base import Store

__all__ = ["CONTENT_TYPE", "Metrics", "metrics_handler"]

#: How a webhook was answered: 2xx, 401/403, another 4xx, 503 (the database away), another 5xx.
OUTCOMES = ("accepted", "refused", "bad_request", "unavailable", "error")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Turn latency buckets, in seconds: a dialog turn and its commit take milliseconds; seconds mean trouble.
TURN_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _StoreCollector(Collector):
    """The store's own counts (round trips, lease takeovers), read when scraped."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store

    def collect(self) -> Iterator[CounterMetricFamily]:
        stats = self._store().stats
        yield CounterMetricFamily(
            "chatshop_store_round_trips", "Calls that waited for the database's answer", value=stats.round_trips
        )
        yield CounterMetricFamily(
            "chatshop_lease_takeovers",
            "Leases taken over from a worker whose hold lapsed (it died or stalled)",
            value=stats.lease_takeovers,
        )


class Metrics:
    """One worker's metrics, in a registry of its own (never the process-wide default one)."""

    def __init__(
        self, store: Callable[[], Store], worker: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._store = store
        #: The shop's clock: replies are stamped with it, so their age is read on it too.
        self._clock = clock
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.set_target_info({"worker": worker})
        self.webhooks = Counter(
            "chatshop_webhooks",
            "Webhooks received, by channel (or payments:<provider>) and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "chatshop_turn_seconds",
            "Time of one conversation turn: the dialog and its commit",
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.sends = Counter(
            "chatshop_sends",
            "Replies handed to a messenger, by channel and result (sent, retry, failed, gave_up, error)",
            ["channel", "result"],
            registry=self.registry,
        )
        self.payment_events = Counter(
            "chatshop_payment_events",
            "Verified payment provider events, by provider and outcome",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self.inbox_depth = Gauge(
            "chatshop_inbox_depth", "Messages accepted and not yet handled (whole shop)", registry=self.registry
        )
        self.outbox_depth = Gauge(
            "chatshop_outbox_depth", "Replies waiting to be sent (whole shop)", registry=self.registry
        )
        self.outbox_oldest = Gauge(
            "chatshop_outbox_oldest_unsent_seconds",
            "Age of the oldest reply still waiting to be sent (0 with none)",
            registry=self.registry,
        )
        self.registry.register(_StoreCollector(store))
        self._sends: dict[tuple[str, str], Any] = {}

    def webhook_outcomes(self, channel: str) -> Callable[[int], None]:
        """A counter of ``channel``'s webhooks by the status they were answered with."""
        children = {outcome: self.webhooks.labels(channel, outcome) for outcome in OUTCOMES}

        def count(status: int) -> None:
            children[_outcome(status)].inc()

        return count

    def send(self, channel: str, result: str) -> None:
        child = self._sends.get((channel, result))
        if child is None:
            child = self._sends[channel, result] = self.sends.labels(channel, result)
        child.inc()

    def payment_event(self, provider: str, outcome: str) -> None:
        self.payment_events.labels(provider, outcome).inc()

    async def render(self, now: datetime | None = None) -> bytes:
        """The text exposition, with the queue gauges read from the store just now."""
        depths = await self._store().queue_depths(now or self._clock())
        self.inbox_depth.set(depths.inbox)
        self.outbox_depth.set(depths.outbox)
        self.outbox_oldest.set(depths.oldest_unsent_seconds)
        return generate_latest(self.registry)


def metrics_handler(metrics: Metrics, token: str | None) -> Callable[[web.Request], object]:
    """``GET /metrics``; with ``token``, only for ``Authorization: Bearer <token>``."""
    expected = f"Bearer {token}".encode() if token else None

    async def handle(request: web.Request) -> web.Response:
        if expected is not None:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.Response(status=401, text="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        body = await metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    return handle


def _outcome(status: int) -> str:
    if status < 300:
        return "accepted"
    if status in (401, 403):
        return "refused"
    if status == 503:
        return "unavailable"
    if status < 500:
        return "bad_request"
    return "error"
