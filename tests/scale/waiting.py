"""Waiting for the workers to finish, with a bound: the tests never time anything, they only stop."""

from __future__ import annotations

import asyncio
import time

from .ledger import Ledger, read_ledger


async def settled(storage_url: str, *, expected_messages: int, within: float = 40.0) -> Ledger:
    """The ledger once every expected message is handled and every reply sent (or the time is up)."""
    deadline = time.monotonic() + within
    while True:
        ledger = await read_ledger(storage_url)
        done = len(ledger.inbox) >= expected_messages and ledger.pending_inbox == 0 and ledger.pending_outbox == 0
        if done or time.monotonic() > deadline:
            return ledger
        await asyncio.sleep(0.1)
