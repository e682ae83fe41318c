"""Calling a payment provider again when its answer says the same call may simply be repeated.

Every provider call we make carries an idempotency key (or is a read), so repeating it after a
timeout, a 429 or a 5xx can never charge or refund twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog

from chatshop.payments import PaymentError

T = TypeVar("T")

log = structlog.get_logger(__name__)


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
