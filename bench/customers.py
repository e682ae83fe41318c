"""Simulated WhatsApp customers: shopping journeys sent as signed webhooks, redelivered like Meta.

Meta redelivers a webhook that was not answered 200 (with backoff, for up to seven days); a
customer here retries the same message (same id) on the next worker, which is what a load balancer
in front of several workers gives. A message counts as acknowledged once a worker answered 200.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from . import webhooks
from .workers import APP_SECRET

__all__ = ["ADDRESS", "Customer", "Step", "journey"]

ADDRESS = "Flat 4, Sea View, Bandra West, Mumbai 400050"

Step = tuple[str, str]  # ("text", body) or ("choice", choice id)

_ids = itertools.count()


def journey(product: str = "atta-5kg", search: str = "ghee") -> list[Step]:
    """Browse, look at a product, add it, search, add what was found, check out, pay cash."""
    found = {"ghee": "ghee-1l", "tea": "tea-500g", "rice": "rice-5kg"}.get(search, "ghee-1l")
    return [
        ("text", "hi"),
        ("choice", "browse"),
        ("choice", "cat:0:0"),
        ("choice", f"p:{product}"),
        ("choice", f"add:{product}:1"),
        ("text", search),
        ("choice", f"add:{found}:1"),
        ("choice", "cart"),
        ("choice", "checkout"),
        ("text", ADDRESS),
        ("choice", "confirm"),
        ("choice", "orders"),
    ]


@dataclass
class Customer:
    wa_id: str
    http: aiohttp.ClientSession
    acknowledged: list[str] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)  # message id -> first send
    answer_latency: list[float] = field(default_factory=list)  # webhook round trips, seconds
    errors: int = 0  # answers other than 200 (and refused connections), each redelivered

    @property
    def key(self) -> str:
        return f"whatsapp:{self.wa_id}"

    def payload(self, step: Step, message_id: str) -> dict[str, Any]:
        kind, value = step
        if kind == "text":
            return webhooks.text(self.wa_id, message_id, value)
        return webhooks.choice(self.wa_id, message_id, value)

    async def send(self, step: Step, urls: Sequence[str], *, patience: float = 30.0) -> str:
        """Deliver one message; on failure redeliver it (same id) to the next URL until one says 200."""
        message_id = f"wamid.sim{next(_ids)}.{self.wa_id}"
        body, headers = webhooks.signed(self.payload(step, message_id), APP_SECRET)
        deadline = time.monotonic() + patience
        for url in itertools.cycle(urls):
            started = time.monotonic()
            self.sent_at.setdefault(message_id, started)
            try:
                async with self.http.post(f"{url}/webhooks/whatsapp", data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status == 200:
                        self.answer_latency.append(time.monotonic() - started)
                        self.acknowledged.append(message_id)
                        return message_id
            except (TimeoutError, aiohttp.ClientError):
                pass
            self.errors += 1
            if time.monotonic() > deadline:
                raise TimeoutError(f"no worker took message {message_id}")
            await asyncio.sleep(0.05)
        raise AssertionError("unreachable")
