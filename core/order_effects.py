"""What an order's change sets off, owed until it is done: the plugins' hooks and the customer's message.

A placement or a move commits first; the plugins hear of it after (``order_placed``,
``order_status_changed``: an invoice issued, a cash order's reminder and time-out scheduled, a
provider's link closed) and the customer is told. A worker that died between the two would lose
them for good: the provider's retry finds the order paid already, a retried turn finds its order
placed. So the transaction that places or moves an order also writes a job owing its effects
(kind :data:`KIND`, key ``NUMBER:STATUS``, a status being entered once, or ``NUMBER:placed``), due a
lease's length later (``[server] lease_seconds``, as a customer's turns are taken over). The worker
that made the change carries them out at once and strikes the job off; if it dies first, or they
fail (the database or a plugin away a moment), any worker's sweeper carries them out when the job
falls due, with the jobs' retries and backoff.

They may so run twice in a rare case (a worker that dies after them and before striking them off):
every built-in effect is safe to repeat (an invoice is issued once, a job scheduled once, a payment
applied once), and a customer may be told twice rather than never. A run that comes late, when the
order has moved on, still runs the hooks (each decides by the move it is told of) but tells the
customer nothing: news of a step the order has left behind would mislead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chatshop.orders import OrderStatus

if TYPE_CHECKING:
    from chatshop.jobs import Job
    from chatshop.runtime import Shop

__all__ = ["KIND", "TOLD_KEPT", "Effects", "Owed", "carry_out_owed", "told_mark"]

#: The job kind the stores write; the core registers its handler (no plugin may take the name).
KIND = "chatshop.order_effects"
_PLACED = "placed"


@dataclass(frozen=True, slots=True)
class Effects:
    """The effects of one change: placed (``old`` is None) or moved from ``old`` to ``new``."""

    number: str
    old: OrderStatus | None
    new: OrderStatus
    notify: bool = True

    @property
    def key(self) -> str:
        return owed_key(self.number, None if self.old is None else self.new)

    @classmethod
    def from_job(cls, job: Job) -> Effects:
        number = job.key.rsplit(":", 1)[0]
        old, new = job.payload.get("old"), job.payload["new"]
        return cls(number, None if old is None else OrderStatus(old), OrderStatus(new), bool(job.payload["notify"]))


#: How long the mark that a customer was told of a change outlives its failing hooks: past the
#: owed job's last retry (about a day of backoff).
TOLD_KEPT = timedelta(days=3)


def told_mark(effects_key: str) -> str:
    """The key-value mark that the customer was told of a change (``payment received``, told
    before the hooks) whose hooks then failed: the retries of its owed effects tell them no more."""
    return f"{KIND}.told:{effects_key}"


def owed_key(number: str, moved_to: OrderStatus | None) -> str:
    """The job's key: ``NUMBER:STATUS`` for a move, ``NUMBER:placed`` for a placement."""
    return f"{number}:{_PLACED if moved_to is None else moved_to.value}"


@dataclass(frozen=True, slots=True)
class Owed:
    """What a store writes with a placement or a move: the job owing its effects, due at ``due_at``."""

    due_at: datetime
    notify: bool = True

    def payload(self, old: OrderStatus | None, new: OrderStatus) -> str:
        body: dict[str, Any] = {"old": None if old is None else old.value, "new": new.value, "notify": self.notify}
        return json.dumps(body, separators=(",", ":"))

    @staticmethod
    def placed_suffix() -> str:
        """What follows the order's number in a placement's key (for a store that knows the
        number only inside its statement)."""
        return f":{_PLACED}"


async def carry_out_owed(shop: Shop, job: Job) -> None:
    """The sweeper's side: effects their worker did not strike off (it died, or they failed)."""
    await shop.ordering.carry_out(Effects.from_job(job), late=True)
