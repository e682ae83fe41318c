"""What a messenger channel is: an object with capabilities, routes, and a ``send``.

A channel plugin registers a :class:`Channel` subclass through the ``register_channels`` hook. The
core builds one instance per enabled ``[channels.NAME]`` section, mounts its routes under
``/webhooks/NAME``, hands it outbound messages already lowered to what its :class:`Capabilities`
allow, and calls ``send``. The channel renders; it never decides the conversation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from chatshop.messages import Inbound, Outbound

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.costs import Rates

__all__ = [
    "Capabilities",
    "Channel",
    "ChannelConfig",
    "PermanentSendError",
    "RetryableSendError",
    "SendContext",
    "SendError",
    "SendResult",
    "SendingHalted",
    "characters",
    "utf8_bytes",
    "utf16_units",
]


def characters(text: str) -> int:
    """Length in Unicode code points (WhatsApp, the web chat)."""
    return len(text)


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram and JavaScript count: an emoji outside the BMP is 2."""
    return len(text.encode("utf-16-le")) // 2


def utf8_bytes(text: str) -> int:
    """Length in UTF-8 bytes (WeChat's 2048-byte text, Telegram's 64-byte ``callback_data``)."""
    return len(text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a messenger can show; the core picks the richest form that fits and fits every text to it.

    A zero means "not at all": ``max_buttons = 0`` turns buttons into a list or a numbered menu.
    Every body (a text, the body of buttons, a list, a product card, a payment request, a status
    update, a caption) is cut to ``max_text_length`` as ``measure`` counts (characters, UTF-16 units
    or bytes: the messenger's own unit). Titles and descriptions are counted in characters.
    """

    max_text_length: int = 4096
    #: The longest body a message with buttons or a list may have (WhatsApp: 1024); 0: as text.
    max_body_length: int = 0
    #: How the messenger counts ``max_text_length`` and ``max_caption_length``.
    measure: Callable[[str], int] = characters
    #: The limit of a picture's caption (a product card with a picture is one), if shorter.
    max_caption_length: int | None = None
    #: The most UTF-8 bytes a choice id may take on the wire (Telegram: 64). Longer ids (the core
    #: allows 200 characters), or ids outside ``choice_id_pattern``, reach ``send`` as short
    #: stand-ins that the core maps back when the customer taps them, on any worker.
    max_choice_id_bytes: int | None = None
    #: A regular expression a choice id must match in full to go on the wire as it is.
    choice_id_pattern: str | None = None

    def __post_init__(self) -> None:
        if self.max_choice_id_bytes is not None and self.max_choice_id_bytes < 16:
            raise ValueError("max_choice_id_bytes must be 16 or more: a short stand-in needs room for its hash")
    max_buttons: int = 0
    button_title_length: int = 20
    max_list_rows: int = 0
    max_list_sections: int = 10
    list_row_title_length: int = 24
    list_row_description_length: int = 72
    list_button_length: int = 20
    images: bool = False
    product_cards: bool = False
    native_catalog: bool = False
    in_chat_payment: bool = False
    shares_location: bool = False
    #: Files (an invoice PDF) as a document message; without, the link in a text.
    documents: bool = False
    #: The messenger's own address form (WhatsApp's ``address_message`` in India).
    address_form: bool = False
    #: A button that opens a web page (WhatsApp's call-to-action URL button); without it a link is text.
    url_buttons: bool = False
    #: The messenger lets a shop send marketing (an approved template) outside the reply window to
    #: customers who opted in (WhatsApp): the shop then asks the customer, once, whether they want it.
    marketing_templates: bool = False


@dataclass(frozen=True, slots=True)
class SendContext:
    """What the core knows about a message it hands to ``send`` (declare ``context`` to receive it).

    ``answers`` is the customer's message this reply answers, by reference: its channel, customer,
    id, kind and language hint, not what the customer wrote (None for a message sent outside a
    turn). It is kept with the reply in the outbox: a reply sent after a restart or by another
    worker has the same context.
    """

    customer_key: str
    locale: str
    answers: Inbound | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """The messenger's id for what was sent, used to match later delivery reports, and how the
    messenger bills it (:class:`chatshop.costs.Billing`; None: this channel costs nothing per message)."""

    provider_message_id: str | None = None
    billing: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    """Whether a message the shop writes now (a staff member's reply) would reach the customer.

    Closed, only the messenger's approved ``templates`` get through (WhatsApp after 24 hours
    without a message from the customer); ``reason`` says why, for the person writing.
    """

    open: bool = True
    reason: str = ""
    templates: tuple[str, ...] = ()


class SendError(Exception):
    """Sending failed. ``retryable`` errors are tried again later; the message is never dropped."""

    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class RetryableSendError(SendError):
    """Throttled, overloaded or unreachable: try again with backoff."""

    retryable = True


class PermanentSendError(SendError):
    """The messenger refused this message for good (bad parameter, blocked customer)."""


class SendingHalted(RetryableSendError):
    """The channel cannot send at all until an operator acts (revoked token): keep everything queued."""


class ChannelConfig(BaseModel):
    """Base for a channel's ``[channels.NAME]`` model: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Channel(ABC):
    """A messenger the shop sells on. Subclass it and register the class in ``register_channels``."""

    name: ClassVar[str]
    Config: ClassVar[type[BaseModel]] = ChannelConfig
    #: Where the channel's ``[channels.NAME]`` keys are documented (a URL or a page): ``chatshop
    #: check`` points a shop owner there from a key it does not know.
    docs: ClassVar[str | None] = None
    #: What the messenger can show; set per instance where it depends on the configuration.
    capabilities: Capabilities = Capabilities()
    #: ``acknowledge`` every message (Telegram must answer each button tap), or only the newest of
    #: a burst (WhatsApp's read receipt covers the messages before it).
    acknowledge_every_message: ClassVar[bool] = False

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        self.shop = shop
        self.config = config

    def routes(self) -> Sequence[web.RouteDef]:
        """Webhook routes; each path is relative to ``/webhooks/NAME`` (``""`` is the prefix itself)."""
        return ()

    def warnings(self) -> list[str]:
        """Advice for the shop owner about how this channel is set up (a weaker mode than the
        messenger offers): ``chatshop check`` prints it and the shop logs it at start-up."""
        return []

    async def start(self) -> None:
        """Called once the shop is ready (storage open, HTTP session up)."""

    async def disconnect(self) -> None:
        """The server begins shutting down: close long-lived customer connections (WebSockets) now,
        so that the graceful shutdown does not wait for them."""

    async def stop(self) -> None:
        """Called on shutdown after inbound traffic stopped."""

    @abstractmethod
    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        """Deliver one message to a customer, or raise a :class:`SendError`.

        Declare a third parameter ``context: SendContext | None = None`` to be told the customer's
        language and the message the reply answers; the core passes it to a ``send`` that has it.
        """

    async def window_open(self, customer_id: str) -> bool:
        """Whether a free-form message reaches the customer now (WhatsApp: within 24 hours of their
        last message); a shop-initiated reminder outside it needs a template. Read from
        :meth:`reply_window`, the one place a channel states its rule."""
        return (await self.reply_window(customer_id)).open

    def message_rates(self) -> Rates | None:
        """What a message of each billing class costs on this channel (the shop's rate table), or
        None: the dashboard then shows counts without a cost."""
        return None

    def sends_marketing(self, topic: str) -> bool:
        """Whether this channel can send a :class:`chatshop.messages.Marketing` message on ``topic``
        (the shop approved a template for it); only such channels are sent one."""
        return False

    async def reply_window(self, customer_id: str) -> ReplyWindow:
        """Whether free-form messages reach the customer now (the team inbox asks before a reply);
        a messenger without such a rule is always open."""
        return ReplyWindow()

    async def acknowledge(self, inbound: Inbound) -> None:
        """Tell the messenger a message was read or handled (WhatsApp's read receipt, Telegram's
        answer to a button tap); optional, run beside the turn, failures only logged.

        By default only the newest message of a burst is acknowledged (a receipt covers the ones
        before it); set ``acknowledge_every_message = True`` to have each one acknowledged.
        """
