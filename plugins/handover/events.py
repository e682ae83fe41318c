"""What staff (and the owner's messenger app) do in a conversation, as the shop's own messages.

Staff act from the dashboard, outside the customer's turns; what changes the conversation (take
it, give it back, put a product in the cart, ask for a payment) is queued in the customer's inbox
as an ``InboundKind.SHOP`` message and applied by a turn like any other message: in order with
what the customer writes, saved with the conversation, never two workers at once. The transcript
shows each as what it was and who did it.
"""

from __future__ import annotations

import uuid

import structlog

from chatshop.dialog.engine import ask_again, choose
from chatshop.dialog.turn import Turn
from chatshop.messages import Inbound, InboundKind
from chatshop.runtime import Shop

from . import idle
from .handover import end, start, state_of

__all__ = ["ECHO", "IDLE", "RELEASE", "STAFF_CHOICES", "TAKE", "apply", "queue"]

log = structlog.get_logger(__name__)

ECHO, TAKE, RELEASE, IDLE, CHOOSE = "echo", "take", "release", "idle", "choose"
#: The dialog's choices staff may make for a customer (a quick action): put a product in the cart,
#: ask for an order's payment. Anything else in a ``choose`` is ignored.
STAFF_CHOICES = frozenset({"add", "paylink"})


async def queue(shop: Shop, customer_key: str, event: str, author: str, key: str | None = None) -> None:
    """Put a staff action in the customer's inbox; its turn applies it."""
    channel, _, customer_id = customer_key.partition(":")
    await shop.receive(
        Inbound(
            channel=channel,
            customer_id=customer_id,
            message_id=f"staff:{uuid.uuid4().hex}",
            kind=InboundKind.SHOP,
            event=event,
            event_key=key,
            author=author,
            received_at=shop.now(),
        )
    )


async def apply(turn: Turn, inbound: Inbound) -> None:
    event = inbound.event
    if event in (ECHO, TAKE):
        # The owner answered from the messenger's own app, or a staff member took the conversation:
        # a person is already talking, so the customer is not told one will.
        await start(turn, "echo" if event == ECHO else "staff")
        state_of(turn).told = True
        if event == ECHO and turn.state.handover_since is not None:  # a reply from the app is a staff reply
            await idle.staff_replied(turn.shop, turn.customer_key, turn.state.handover_since)
    elif event == RELEASE:
        if await end(turn, "staff"):
            turn.say(turn.t("handover_back"))
            await ask_again(turn)
    elif event == IDLE:
        if turn.state.handover_since is not None and turn.state.handover_since == inbound.event_key:
            await end(turn, "idle")
            turn.say(turn.t("handover_idle"))
            await ask_again(turn)
    elif event == CHOOSE:
        choice = inbound.event_key or ""
        if choice.partition(":")[0] in STAFF_CHOICES:
            await choose(turn, choice)
        else:
            log.warning("handover.choice_refused", customer=turn.customer_key)
    else:
        log.warning("handover.unknown_event", event=event, customer=turn.customer_key)
