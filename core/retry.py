"""Trying again: a provider call repeated while it says it may be, and the outbox's backoff.

Every provider call the built-ins make carries an idempotency key (or is a read), so repeating it
after a timeout, a 429 or a 5xx can never charge or refund twice. A channel's ``send`` does not
retry at all: it raises :class:`chatshop.channels.RetryableSendError` and the outbox tries again
later with :func:`backoff`, however many workers there are.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog

from chatshop.payments import PaymentError

__all__ = ["MAX_BACKOFF_SECONDS", "backoff", "retrying"]

T = TypeVar("T")

log = structlog.get_logger(__name__)

MAX_BACKOFF_SECONDS = 300.0


def backoff(attempt: int, base: float, retry_after: float | None = None) -> float:
    """Seconds to wait before try ``attempt + 1``: exponential with full jitter, up to five minutes;
    a messenger's own ``retry_after`` is a floor."""
    ceiling = min(MAX_BACKOFF_SECONDS, base * (2 ** min(attempt, 16)))
    delay = random.uniform(base / 2, max(ceiling, base / 2))
    return max(delay, retry_after or 0.0)


async def retrying(call: Callable[[], Awaitable[T]], delays: Sequence[float], *, provider: str, path: str) -> T:
    """``call()``, then again after each of ``delays`` while it fails with a retryable PaymentError."""
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return await call()
        except PaymentError as e:
            if not e.retryable or delay is None:
                raise
            log.warning(f"{provider}.retry", path=path, attempt=attempt, status=getattr(e, "status", None))
        await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")
