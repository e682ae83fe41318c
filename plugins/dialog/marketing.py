"""Marketing consent in the chat: asked once, in the customer's language, where the messenger lets a
shop send marketing (WhatsApp); "STOP" (and each language's words for it) opts out at once, a typed
"subscribe" opts in again. What the customer said is kept with its time (:mod:`chatshop.consent`).

"STOP" belongs to this feature alone: the checkout's "cancel" words do not include it, and the
registry refuses a shop whose texts give one word to two features.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chatshop.consent import read_consent, record_asked, record_consent
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice

NAME = "marketing"
#: The choice ids: ``optin`` (yes), ``optin:no`` (no, thanks), ``optout`` (a typed STOP).
OPT_IN, OPT_OUT, NO = "optin", "optout", "no"


async def offer(turn: Turn, body: str, choices: Sequence[Choice]) -> tuple[str, list[Choice]]:
    """``body`` and ``choices`` with the opt-in question joined to them, when this customer was never
    asked and their messenger has marketing: one message instead of two. The question's Yes and No
    come first; of ``choices`` only the first stays (three buttons at most)."""
    if not turn.caps.marketing_templates:
        return body, list(choices)
    now = turn.shop.now()
    consent = await read_consent(turn.shop.store, turn.customer_key, now)
    if consent.asked_at is not None or consent.opted_in is not None:
        return body, list(choices)
    await record_asked(turn.shop.store, turn.customer_key, now, consent)
    asked = [
        Choice(id=OPT_IN, title=turn.t("marketing_yes")),
        Choice(id=f"{OPT_IN}:{NO}", title=turn.t("marketing_no")),
    ]
    return f"{body}\n\n{turn.t('marketing_ask')}", [*asked, *choices[:1]]


async def opt_in(turn: Turn, arg: str) -> None:
    """The customer's answer to the question (``optin`` yes, ``optin:no`` no) or a typed "subscribe"."""
    yes = arg != NO
    await record_consent(
        turn.shop.store, turn.customer_key, opted_in=yes, via="chat", at=turn.shop.now(), now=turn.shop.now()
    )
    turn.say(turn.t("marketing_opted_in" if yes else "marketing_declined"))


async def opt_out(turn: Turn, _: str) -> None:
    """A typed STOP: no marketing and no reminders from now on, said back to the customer at once.
    A checkout in progress stays where it was."""
    await record_consent(
        turn.shop.store, turn.customer_key, opted_in=False, via="chat", at=turn.shop.now(), now=turn.shop.now()
    )
    turn.say(turn.t("marketing_opted_out"))


FEATURE = DialogFeature(
    name=NAME,
    # in_checkout: a STOP typed at the address question leaves the checkout open, not closed.
    # said_alone: "I never said opt in" is no consent, "我不想退订" no opt-out.
    actions={
        OPT_IN: Action(opt_in, in_checkout=True, said_alone=True),
        OPT_OUT: Action(opt_out, in_checkout=True, said_alone=True),
    },
    commands={"words_stop": OPT_OUT, "words_optin": OPT_IN},
    labels={"marketing_yes": OPT_IN, "marketing_no": f"{OPT_IN}:{NO}"},
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
