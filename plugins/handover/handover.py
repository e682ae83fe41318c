"""Handing a conversation to a person and back: the state it keeps, and what the customer is told.

While a person has the conversation, ``turn.state.handover_since`` says since when (the store keeps
it in a column, by which the team inbox lists the conversations waiting for a person) and the bot
is silent. Everything else the hand-over remembers is its own feature state.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from babel.dates import format_datetime
from pydantic import BaseModel

from chatshop.dialog.turn import Turn
from chatshop.hours import OpeningHours

from . import idle
from .team import opening_hours

__all__ = ["NAME", "HandoverState", "end", "forget_state", "start", "state_of", "tell"]

log = structlog.get_logger(__name__)

NAME = "handover"


class HandoverState(BaseModel):
    """What the hand-over remembers of one customer beyond ``handover_since``."""

    #: Why a person has the conversation: asked, not_understood, echo (the owner wrote from the
    #: messenger's own app), staff (a staff member took it).
    reason: str | None = None
    #: The customer was told a person will answer (once per hand-over).
    told: bool = False
    #: Messages in a row the bot did not understand (while it has the conversation).
    misses: int = 0


def state_of(turn: Turn) -> HandoverState:
    return turn.state_of(NAME, HandoverState)


def forget_state(turn: Turn) -> None:
    """Nothing left to remember (the bot has the conversation, no misses): no state is stored at all."""
    turn.state.features.pop(NAME, None)
    turn.state.versions.pop(NAME, None)


async def start(turn: Turn, reason: str, *, told: str | None = None) -> None:
    """A person has the conversation from now; ``told``: the text that tells the customer so."""
    if turn.state.handover_since is None:
        now = turn.shop.now()
        turn.state.handover_since = now.isoformat()
        state = state_of(turn)
        state.reason, state.told, state.misses = reason, False, 0
        log.info("handover.started", customer=turn.customer_key, reason=reason)
        await idle.schedule(turn.shop, turn.customer_key, turn.state.handover_since, idle.first_due(turn.shop, now))
    if told is not None and not state_of(turn).told:
        tell(turn, told)


def tell(turn: Turn, key: str) -> None:
    """Say that a person will answer, and when the team is back if it is away now."""
    text = turn.t(key)
    now = turn.shop.now()
    hours = opening_hours(turn.shop)
    if not hours.is_open(now):
        back = hours.next_open(now)
        if back is not None:
            text += "\n" + turn.t("handover_closed", when=_when(back, hours, turn.locale))
    turn.say(text)
    state_of(turn).told = True


def _when(at: datetime, hours: OpeningHours, locale: str) -> str:
    """ "Mon 09:00 (Asia/Kolkata)", in the customer's language."""
    try:
        shown = format_datetime(at.astimezone(hours.tz), "EEE HH:mm", locale=locale)
    except (ValueError, LookupError):
        shown = at.astimezone(hours.tz).strftime("%a %H:%M")
    return f"{shown} ({hours.tz.key})"


async def end(turn: Turn, why: str) -> bool:
    """The bot has the conversation again; False if no person had it."""
    if turn.state.handover_since is None:
        return False
    turn.state.handover_since = None
    forget_state(turn)
    await idle.cancel(turn.shop, turn.customer_key)
    log.info("handover.ended", customer=turn.customer_key, why=why)
    return True
