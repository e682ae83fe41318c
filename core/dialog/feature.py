"""What a plugin contributes to the conversation: actions, command words, questions, checkout steps,
interceptors and its own per-customer state.

A plugin describes a :class:`DialogFeature` and hands it to the core through the
``register_dialog`` hook; the core validates the whole set at start-up (two features claiming one
choice prefix, command word or step name is an error naming both) and dispatches every turn to them.
The built-in shopping dialog (menu, browse, search, cart, checkout, orders, language) is made of
features registered exactly this way.

Every handler may be a plain function or ``async def``: the core awaits what it returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from pydantic import BaseModel

from chatshop.messages import InboundKind

if TYPE_CHECKING:
    from chatshop.dialog.turn import Turn
    from chatshop.messages import Inbound

__all__ = [
    "Action",
    "AfterAnswer",
    "AfterTurn",
    "CheckoutStep",
    "DialogFeature",
    "HelpChoice",
    "InboundHandler",
    "Interceptor",
    "Question",
]

#: ``handler(turn, arg)``: what a choice id ``prefix:arg`` does (``arg`` is "" for a bare ``prefix``).
ActionHandler: TypeAlias = Callable[["Turn", str], Awaitable[None] | None]
#: ``handler(turn, inbound)``: what a kind of inbound message (a shared location, a native cart) does.
InboundHandler: TypeAlias = Callable[["Turn", "Inbound"], Awaitable[None] | None]
#: ``answer(turn, text)``: read a typed answer; True when it was one (False: the dialog reads it as usual).
TextAnswer: TypeAlias = Callable[["Turn", str], Awaitable[bool] | bool]
#: ``ask(turn)``: ask the question (again).
Ask: TypeAlias = Callable[["Turn"], Awaitable[None] | None]
#: ``applies(turn)``: whether a checkout step is needed for this checkout (False: it is skipped).
Applies: TypeAlias = Callable[["Turn"], Awaitable[bool] | bool]
#: ``describe(turn)``: the step's answer as a line of the order summary ("Delivery: Tue, 09:00-12:00"), or None.
Describe: TypeAlias = Callable[["Turn"], Awaitable[str | None] | str | None]
#: ``intercept(turn, inbound)``: True when the turn is handled and the shopping dialog must not run.
Intercept: TypeAlias = Callable[["Turn", "Inbound"], Awaitable[bool] | bool]
#: ``after(turn, inbound)``: the shopping dialog answered a message; ``turn.out`` holds its replies
#: and ``turn.misunderstood`` says whether it could not make sense of the message.
AfterAnswer: TypeAlias = Callable[["Turn", "Inbound"], Awaitable[None] | None]
#: ``after_turn(turn)``: look at the turn's outcome (a cart that just began) before it is saved.
AfterTurn: TypeAlias = Callable[["Turn"], Awaitable[None] | None]


def _always(turn: Turn) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Action:
    """What a choice id does. Every button, list row and numbered answer arrives as a choice id
    ``prefix:arg``; the feature that registered ``prefix`` runs.

    ``in_checkout``: the choice continues a checkout in progress (paying, confirming) rather than
    leaving it; any other choice closes the open question, so free text reads as a search again.

    ``said_alone``: the choice changes what the customer has or agreed to (the cart, marketing
    consent), so a command word for it counts only typed on its own: found inside a sentence it may
    be denied there ("don't empty my cart", "我不想退订").
    """

    run: ActionHandler
    in_checkout: bool = False
    said_alone: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """A question that waits for a typed answer; the conversation's ``step`` is its ``name`` while
    it is open (``turn.state.step = "quantity"``).

    ``answer`` reads what the customer typed next, after the shop's command words (a typed "cart"
    is never an answer); ``ask`` asks it again after a message the shop cannot read (a photo, a
    sticker). ``numbers``: a typed number is an answer here, not a pick from the last menu.
    """

    name: str
    answer: TextAnswer
    ask: Ask
    numbers: bool = True


@dataclass(frozen=True, slots=True)
class CheckoutStep:
    """One step of checkout, asked in the declared ``order`` among every feature's steps.

    The built-in steps stand at ``address`` 100, ``postal_code`` 110, ``payment`` 400 and
    ``confirm`` (the summary with the binding button) 900; a feature puts its own between them
    (a delivery slot at 200, a coupon at 300, a gift message at 350). ``ask`` puts the question;
    the step's answer arrives as typed text (``answer``) or as a choice of one of the feature's
    actions, which calls :func:`chatshop.dialog.checkout_flow.proceed` when checkout may go on.
    ``applies`` skips the step for checkouts it does not concern (no slots configured).
    ``describe`` gives the summary above the binding button a line with the step's answer, so the
    customer confirms what they chose (the delivery slot).
    """

    name: str
    order: int
    ask: Ask
    answer: TextAnswer | None = None
    applies: Applies = _always
    numbers: bool = True
    describe: Describe | None = None

    def as_question(self) -> Question | None:
        if self.answer is None:
            return None
        return Question(self.name, self.answer, self.ask, self.numbers)


@dataclass(frozen=True, slots=True)
class Interceptor:
    """Runs before the shopping dialog on every inbound message; returns True when the turn is
    handled and nothing else may answer (a person is talking with the customer: the bot is silent).

    Interceptors run in ascending ``priority`` (ties by feature name); the first True stops the rest.
    """

    intercept: Intercept
    priority: int = 100


@dataclass(frozen=True, slots=True)
class HelpChoice:
    """A choice Help offers beside the menu ("Talk to a person"): ``choice`` runs, titled by the
    text ``title_key``; ``applies(turn)`` leaves it out where it would lead nowhere."""

    choice: str
    title_key: str
    applies: Applies = _always


@dataclass(frozen=True, slots=True)
class DialogFeature:
    """A plugin's part of the conversation. Only ``name`` is required.

    - ``actions``: choice-id prefixes and what they do (``{"gift": Action(...)}`` handles ``gift:...``).
    - ``commands``: typed command words, by the key of a text that lists them (``{"words_gift": "gift"}``):
      the customer typing any word of ``words_gift`` in their language acts as the choice ``gift``.
      Register the words with ``register_texts`` so shops can override them per locale.
    - ``labels``: button titles, by text key, that stand for a choice when a messenger sends a
      button back as its label alone (``{"view_cart": "cart"}``).
    - ``questions``, ``checkout_steps``, ``interceptors``: see their classes.
    - ``help``: choices Help offers beside the menu (see :class:`HelpChoice`).
    - ``after``: what runs once the shopping dialog answered a message (not when an interceptor
      took it), in the order features registered: it may read and change ``turn.out`` (a hand-over
      to a person after several messages in a row the dialog did not understand).
    - ``inbound``: what a kind of inbound message does (the built-in cart reads native carts).
    - ``after_turn``: runs at the end of every turn, whoever answered it, before the turn is saved:
      to notice what the turn made (the cart reminder schedules itself when a cart begins). Keep it
      cheap: it runs for every message.
    - ``state``: a pydantic model of what the feature remembers per customer; read it with
      ``turn.state_of(name)``, change it in place, and it is saved with the turn under the feature's
      name. ``state_version`` increases when the model changes incompatibly; a stored state of
      another version (or one that no longer validates) starts afresh from the model's defaults.
    """

    name: str
    actions: Mapping[str, Action | ActionHandler] = field(default_factory=dict)
    commands: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    questions: Sequence[Question] = ()
    checkout_steps: Sequence[CheckoutStep] = ()
    interceptors: Sequence[Interceptor] = ()
    after: Sequence[AfterAnswer] = ()
    help: Sequence[HelpChoice] = ()
    inbound: Mapping[InboundKind, InboundHandler] = field(default_factory=dict)
    after_turn: AfterTurn | None = None
    state: type[BaseModel] | None = None
    state_version: int = 1
