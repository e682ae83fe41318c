"""The provider fakes of tests/payments, with a hand on their timing: a call held until released.

A real provider takes a second or two to refund; an owner's click or a customer's tap can land in
that second. Holding the fake's answer makes that window as wide as a test needs, without timing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from aiohttp import web

from chatshop.testing.fakes.razorpay import FakeRazorpay


@dataclass
class HeldRazorpay(FakeRazorpay):
    """Razorpay whose refunds (``refund_gate``) and new links (``create_gate``) wait, when set,
    until the test releases them: a provider slower than the shop's patience."""

    refund_gate: asyncio.Event | None = None
    refund_reached: asyncio.Event = field(default_factory=asyncio.Event)
    create_gate: asyncio.Event | None = None
    #: The status Razorpay gives the next refunds ("failed": the bank refused it at once).
    refund_status: str = "processed"

    async def _create_link(self, request: web.Request) -> web.Response:
        if self.create_gate is not None:
            await self.create_gate.wait()
        return await super()._create_link(request)

    async def _refund(self, request: web.Request) -> web.Response:
        self.refund_reached.set()
        if self.refund_gate is not None:
            await self.refund_gate.wait()
        response = await super()._refund(request)
        if self.refund_status == "processed" or response.status != 200:
            return response
        refund = {**json.loads(response.text or "{}"), "status": self.refund_status}
        if refund["status"] == "failed":  # nothing went back after all
            self.payments[refund["payment_id"]]["amount_refunded"] -= refund["amount"]
        return web.json_response(refund)
