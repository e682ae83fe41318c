"""The in-chat bill of a ``whatsapp_pay`` order: its reference and the status WhatsApp shows.

``order_details`` opens a bill as ``pending``; ``order_status`` moves it. WhatsApp refuses a move
back from ``completed`` or ``canceled`` (error 2046) and cancelling a paid bill (2047), and says so
only later, in an error webhook. So we remember each bill's status and send such moves as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chatshop.kv import KeyValueSpace

__all__ = ["BILL_STATUS", "BillMove", "Bills"]

#: Our order statuses as the bill names them.
BILL_STATUS = {
    "paid": "processing",
    "confirmed": "processing",
    "shipped": "shipped",
    "delivered": "completed",
    "cancelled": "canceled",
}
_FINAL = frozenset({"completed", "canceled"})
_KEEP = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class BillMove:
    reference: str
    status: str


class Bills:
    def __init__(self, space: Callable[[], KeyValueSpace]) -> None:
        self._space = space  # whatsapp_pay's: reference:NUMBER, paid:REF, bill:REF

    async def _get(self, key: str) -> str | None:
        return await self._space().get(key)

    async def _set(self, key: str, value: str) -> None:
        await self._space().set(key, value, ttl=_KEEP)

    async def opened(self, order_number: str, reference: str) -> None:
        await self._set(f"reference:{order_number}", reference)

    async def paid(self, reference: str) -> None:
        await self._set(f"paid:{reference}", "1")

    async def next_move(self, order_number: str, order_status: str) -> BillMove | None:
        """The bill's move for an order status, or None when the order has no bill or may not move."""
        reference = await self._get(f"reference:{order_number}")
        status = BILL_STATUS.get(order_status)
        if reference is None or status is None:
            return None
        last = await self._get(f"bill:{reference}") or "pending"
        if last in _FINAL or last == status:
            return None
        if status == "canceled" and await self._get(f"paid:{reference}"):
            return None
        return BillMove(reference, status)

    async def moved(self, move: BillMove) -> None:
        """Record a move once WhatsApp accepted it (a retried send must try the same move again)."""
        await self._set(f"bill:{move.reference}", move.status)
