"""Checkout as a sequence of steps that features contribute, asked in their declared order.

The core owns only the order: which step comes next, skipping those that do not apply. What a step
asks and how it reads the answer belongs to the feature that registered it (the built-in address,
payment and summary steps are in ``chatshop.plugins.dialog.checkout``). A step's feature calls
:func:`proceed` once its answer is in, and checkout goes on with the next step that applies.
"""

from __future__ import annotations

import uuid

from chatshop.checkout import Checkout
from chatshop.dialog.turn import Turn

__all__ = ["ensure_checkout", "go_to", "proceed", "start"]


def ensure_checkout(turn: Turn) -> Checkout | None:
    """The checkout in progress, begun now if the cart has something in it; None for an empty cart."""
    if turn.state.checkout is None and turn.state.cart:
        turn.state.checkout = Checkout(placement_key=uuid.uuid4().hex)
    return turn.state.checkout


async def start(turn: Turn) -> None:
    """Begin checkout (or begin it again, "Change"): every step is asked anew, from the first."""
    await _ask_from(turn, 0)


async def proceed(turn: Turn, after: str) -> None:
    """The step ``after`` has its answer: ask the next step that applies."""
    index = turn.dialog.step_index(after)
    if index is None:
        raise LookupError(f"no checkout step {after!r}")
    await _ask_from(turn, index + 1)


async def go_to(turn: Turn, name: str) -> None:
    """Ask the step ``name`` (again): the summary after a price moved, the payment methods after
    the chosen one stopped being available."""
    index = turn.dialog.step_index(name)
    if index is None:
        raise LookupError(f"no checkout step {name!r}")
    await _ask_from(turn, index)


async def _ask_from(turn: Turn, index: int) -> None:
    steps = turn.dialog.steps
    for owned in steps[index:]:
        step = owned.value
        if not await turn.run_as(owned.feature, step.applies, turn):
            continue
        turn.state.step = step.name
        await turn.run_as(owned.feature, step.ask, turn)
        return
    raise LookupError("checkout has no step left to ask (the last step places the order)")
