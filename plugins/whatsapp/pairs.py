"""The pair rate, shared by every worker: how fast the business number may message one customer.

Meta refuses a message with 131056 when the number writes to one customer too fast (one message per
6 seconds, bursts of up to 45 paid back afterwards; research/whatsapp.md §2.9). One worker sends to
a customer at a time (the outbox's send lease), but consecutive turns of a customer run on whichever
worker their webhooks reach, so the pair's state lives in the store (``Store.pace_pair``), charged
just before each message leaves. A short wait is waited out here; a longer one goes back to the
outbox as a retry at that time, so the send lease is never held across it and nothing is lost.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

from chatshop.channels import RetryableSendError

from .budget import SharedBudgets
from .errors import PAIR_RATE_LIMIT

__all__ = ["GUARD_SHARE", "PairPacer"]

#: A quarter of the interval is kept as a margin between our clock, which reads a send when it
#: leaves, and Meta's, which reads it when it arrives (``PairRule.guard``), at most a second.
GUARD_SHARE = 0.25
MAX_GUARD = 1.0
#: At most this share of the send lease is spent waiting in one send: its holder must renew it.
INLINE_SHARE = 0.25


class PairPacer:
    def __init__(
        self,
        store: Callable[[], SharedBudgets],
        phone_number_id: str,
        *,
        seconds: float,
        burst: int,
        lease_seconds: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._number = phone_number_id
        #: One message per ``interval`` to a customer, bursts of ``burst`` within ``window``, and
        #: the ``guard`` (chatshop.store.pair_rate): Meta's window is its interval.
        self.interval = self.window = seconds
        self.burst = burst
        self.guard = min(seconds * GUARD_SHARE, MAX_GUARD)
        self._lease_seconds = lease_seconds
        self._sleep = sleep

    def name(self, customer_id: str) -> str:
        """The pair's key in the store: the number and a digest of the customer's, not the number
        itself (no phone numbers in a table that erasure does not know of)."""
        digest = hashlib.sha256(customer_id.encode()).hexdigest()[:24]
        return f"whatsapp-pair:{self._number}:{digest}"

    async def pace(self, customer_id: str) -> None:
        """Charge one message to the customer's pair, waiting a little if it must; a longer wait
        raises :class:`RetryableSendError` with ``retry_after`` for the outbox to send it then."""
        if not self.interval:
            return  # pacing is off: Meta's refusals are retried instead
        name = self.name(customer_id)
        inline = self._lease_seconds() * INLINE_SHARE
        while True:
            wait = await self._store().pace_pair(name, self.interval, self.window, self.burst, self.guard)
            if wait <= 0:
                return
            if wait > inline:
                raise RetryableSendError(
                    "WhatsApp's pair rate: this customer was written to too fast",
                    code=f"{PAIR_RATE_LIMIT}-paced",
                    retry_after=wait,
                )
            await self._sleep(wait)

    async def give_back(self, customer_id: str) -> None:
        """The charged message was refused: the pair did not use its quota."""
        if not self.interval:
            return
        await self._store().give_back_pair(self.name(customer_id), self.interval)
