"""The hand-over as a dialog feature: asked for, automatic after messages the bot did not
understand, and while a person has the conversation, a bot that says nothing.

Every channel gets it without code of its own: the customer's messages still land in the inbox
(and so in the transcript the team inbox shows); only the shopping dialog does not answer them.
What staff do arrives through the same inbox as ``SHOP`` messages (see :mod:`.events`), so it
takes its place in the customer's order of turns.
"""

from __future__ import annotations

from collections.abc import Awaitable

from chatshop.dialog.engine import ask_again, phrase_in, sentence, spoken
from chatshop.dialog.feature import Action, DialogFeature, HelpChoice, Interceptor
from chatshop.dialog.turn import Turn
from chatshop.messages import Inbound, InboundKind

from . import events
from .handover import NAME, HandoverState, end, forget_state, start, state_of, tell
from .team import available

__all__ = ["FEATURE"]

#: The choice that asks for a person (the command words and Help's choice).
HUMAN = "human"


async def ask_for_person(turn: Turn, _: str) -> None:
    """The customer asked for a person (a command word or Help's choice)."""
    if not available(turn.shop):
        turn.say(turn.t("handover_unavailable"))
        await ask_again(turn)
        return
    await start(turn, "asked", told="handover_started")


def intercept(turn: Turn, inbound: Inbound) -> Awaitable[bool] | bool:
    """The shop's own messages, and every message while a person has the conversation.

    Plain for the usual case (the bot has the conversation): every message of every customer passes
    here, and a coroutine for each would cost the message path for nothing."""
    if inbound.kind is not InboundKind.SHOP and turn.state.handover_since is None:
        return False
    return _with_person(turn, inbound)


async def _with_person(turn: Turn, inbound: Inbound) -> bool:
    if inbound.kind is InboundKind.SHOP:
        await events.apply(turn, inbound)
        return True
    if inbound.kind is InboundKind.TEXT and spoken(inbound.text or "") in turn.shop.texts.words(
        turn.locale, "handover_back_words"
    ):
        await end(turn, "customer")
        turn.say(turn.t("handover_back"))
        await ask_again(turn)
        return True
    if not state_of(turn).told:  # taken by staff or by the owner's app: the customer learns it once
        tell(turn, "handover_started")
    return True


def after(turn: Turn, inbound: Inbound) -> Awaitable[None] | None:
    """Count messages in a row the bot did not understand; at ``[support] after_not_understood``,
    a person takes over instead of another "sorry". Plain unless there is something to count."""
    if not turn.misunderstood:
        # Understood: the count starts again (cheap for everyone else: no state read at all).
        if NAME in turn.state.features and turn.state.handover_since is None:
            forget_state(turn)
        return None
    if not inbound.from_customer:
        return None
    # What the customer wrote: a text, or a photo's caption (read as text by the engine).
    if inbound.kind in (InboundKind.TEXT, InboundKind.MEDIA) and _asks_for_a_person(turn, inbound.text or ""):
        return _asked_in_a_sentence(turn)
    if turn.shop.config.support.after_not_understood <= 0:
        return None
    return _not_understood(turn)


def _asks_for_a_person(turn: Turn, text: str) -> bool:
    """Whether words nothing else understood ask for a person in a sentence ("I want to talk to
    a human", "我要人工客服"): one of the shop's words for it, whole (Chinese: anywhere), in any of
    its languages, which the customer is then answered in."""
    said = sentence(text)
    for code in dict.fromkeys((turn.state.locale, *turn.shop.locales)):
        for phrase in turn.shop.texts.words(code, "words_human"):
            if phrase_in(phrase, said):
                turn.state.locale = code
                return True
    return False


async def _asked_in_a_sentence(turn: Turn) -> None:
    turn.out.clear()  # not "nothing found for 'I want to talk to a human'"
    turn.misunderstood = False
    await ask_for_person(turn, "")


async def _not_understood(turn: Turn) -> None:
    limit = turn.shop.config.support.after_not_understood
    state = state_of(turn)
    state.misses += 1
    if state.misses >= limit and available(turn.shop):
        turn.out.clear()  # not a third "sorry": a person
        await start(turn, "not_understood", told="handover_not_understood")


def _offer(turn: Turn) -> bool:
    return available(turn.shop)


FEATURE = DialogFeature(
    name=NAME,
    # in_checkout: asking for a person mid-checkout keeps the checkout where it was, for afterwards
    actions={HUMAN: Action(ask_for_person, in_checkout=True)},
    commands={"words_human": HUMAN},
    labels={"handover_button": HUMAN},
    interceptors=(Interceptor(intercept, priority=10),),
    after=(after,),
    help=(HelpChoice(HUMAN, "handover_button", _offer),),
    state=HandoverState,
)
