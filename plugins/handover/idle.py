"""Back to the bot after ``[support] idle_minutes`` without a reply from staff: a durable job.

The job is keyed by the customer, so each staff reply moves it (``replace=True``) and the time
counts from the last reply. When it falls due it puts an ``idle`` message of the shop's into the
customer's inbox, so the hand-over ends in the customer's own order of turns, after whatever they
wrote before it; a hand-over that ended (or began anew) meanwhile is left alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from chatshop.jobs import Job
from chatshop.messages import Inbound, InboundKind
from chatshop.runtime import Shop

from .team import opening_hours

__all__ = ["KIND", "cancel", "first_due", "idle_due", "schedule", "staff_replied"]

KIND = "handover.idle"


def _minutes(shop: Shop) -> float:
    return float(shop.config.support.idle_minutes)


def first_due(shop: Shop, now: datetime) -> datetime:
    """A hand-over begun outside the team's hours waits from when they are back, not from now."""
    back = opening_hours(shop).next_open(now) or now
    return max(back, now) + timedelta(minutes=_minutes(shop))


async def schedule(shop: Shop, customer_key: str, since: str, due: datetime) -> None:
    """(Re)set the customer's idle timeout for the hand-over that began at ``since``."""
    if _minutes(shop) <= 0:
        return
    await shop.jobs.schedule(KIND, customer_key, due, {"since": since}, customer_key=customer_key, replace=True)


async def cancel(shop: Shop, customer_key: str) -> None:
    await shop.jobs.cancel(KIND, customer_key)


async def staff_replied(shop: Shop, customer_key: str, since: str) -> None:
    """A staff member wrote to the customer in the hand-over begun at ``since``: the idle time
    counts from now."""
    await schedule(shop, customer_key, since, shop.now() + timedelta(minutes=_minutes(shop)))


async def idle_due(shop: Shop, job: Job) -> None:
    """The job's handler: queue the ``idle`` message that hands the conversation back to the bot."""
    channel, _, customer_id = str(job.key).partition(":")
    since = str(job.payload.get("since", ""))
    await shop.receive(
        Inbound(
            channel=channel,
            customer_id=customer_id,
            message_id=f"handover-idle:{uuid.uuid5(uuid.NAMESPACE_URL, f'{since}|{job.due_at.isoformat()}')}",
            kind=InboundKind.SHOP,
            event="idle",
            event_key=since,
        )
    )
