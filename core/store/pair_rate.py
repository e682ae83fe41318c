"""How fast one customer may be messaged: a messenger's pair rate, as a rule on a few numbers.

WhatsApp allows one message every 6 seconds from a business number to one customer, and bursts of up
to 45 within 6 seconds that borrow from the future: after a burst of ``n`` the pair must wait until
``n`` intervals from the burst's start have passed (research/whatsapp.md §2.9; 131056 otherwise).
A pair's state is the start of its current burst, how many messages it holds and when the borrowed
quota is paid back (``due``). The shared store keeps the same rule in the database
(``chatshop_pace_pair``); a store only one process uses keeps it here, in memory.

Our clock reads a send before Meta's does (the request is still on its way), so a burst is taken
to end ``guard`` early and the quota to be paid back ``guard`` late: a message that reaches Meta
up to ``guard`` later than the one before it is still within the rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LocalPairs", "PairRule", "PairState", "give_back", "pace"]

#: Pairs kept in memory before the paid-back ones are forgotten.
_KEEP = 10_000


@dataclass(frozen=True, slots=True)
class PairRule:
    """One message per ``interval`` seconds to one customer, bursts of ``burst`` within ``window``."""

    interval: float
    window: float
    burst: int
    guard: float


@dataclass(slots=True)
class PairState:
    start: float  # the current burst's first message
    count: int  # messages charged to it
    due: float  # when the borrowed quota is paid back


def pace(state: PairState | None, now: float, rule: PairRule) -> tuple[PairState | None, float]:
    """Charge one message at ``now``: ``(new state, 0.0)``; or ``(state, wait)`` when it must wait
    ``wait`` seconds (nothing charged)."""
    if state is None or now >= state.due:  # nothing borrowed: a new burst starts
        return PairState(now, 1, now + rule.interval + rule.guard), 0.0
    if now < state.start + rule.window - rule.guard and state.count < rule.burst:
        return PairState(state.start, state.count + 1, state.due + rule.interval), 0.0
    return state, state.due - now


def give_back(state: PairState | None, interval: float) -> PairState | None:
    """Undo the last charge (one ``interval``): the message it was for never reached the messenger."""
    if state is None or state.count < 1:
        return state
    return PairState(state.start, state.count - 1, state.due - interval)


class LocalPairs:
    """Pair states of a store only this process uses, on this process's monotonic clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._states: dict[str, PairState] = {}

    def pace(self, name: str, rule: PairRule) -> float:
        now = self._clock()
        state, wait = pace(self._states.get(name), now, rule)
        if state is not None:
            self._states[name] = state
        if len(self._states) > _KEEP:
            self._states = {k: s for k, s in self._states.items() if s.due > now}
        return wait

    def give_back(self, name: str, interval: float) -> None:
        state = give_back(self._states.get(name), interval)
        if state is not None:
            self._states[name] = state
