"""What a messenger channel is: an object with capabilities, routes, and a ``send``.

A channel plugin registers a :class:`Channel` subclass through the ``register_channels`` hook. The
core builds one instance per enabled ``[channels.NAME]`` section, mounts its routes under
``/webhooks/NAME``, hands it outbound messages already lowered to what its :class:`Capabilities`
allow, and calls ``send``. The channel renders; it never decides the conversation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from chatshop.messages import Inbound, Outbound

if TYPE_CHECKING:
    from chatshop.costs import Rates
    from chatshop.runtime import Shop


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a messenger can show; the core picks the richest form that fits.

    A zero means "not at all": ``max_buttons = 0`` turns buttons into a list or a numbered menu.
    """

    max_text_length: int = 4096
    #: The longest body a message with buttons or a list may have (WhatsApp: 1024); 0: as text.
    max_body_length: int = 0
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
class SendResult:
    """The messenger's id for what was sent, used to match later delivery reports, and how the
    messenger bills it (:class:`chatshop.costs.Billing`; None: this channel costs nothing per message)."""

    provider_message_id: str | None = None
    billing: str | None = None


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
    #: What the messenger can show; set per instance where it depends on the configuration.
    capabilities: Capabilities = Capabilities()

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
        """Deliver one message to a customer, or raise a :class:`SendError`."""

    async def window_open(self, customer_id: str) -> bool:
        """Whether a free-form message reaches the customer now (WhatsApp: within 24 hours of their
        last message); a shop-initiated reminder outside it needs a template. A channel without
        such a rule says yes."""
        return True

    def message_rates(self) -> Rates | None:
        """What a message of each billing class costs on this channel (the shop's rate table), or
        None: the dashboard then shows counts without a cost."""
        return None

    def sends_marketing(self, topic: str) -> bool:
        """Whether this channel can send a :class:`chatshop.messages.Marketing` message on ``topic``
        (the shop approved a template for it); only such channels are sent one."""
        return False

    async def acknowledge(self, inbound: Inbound) -> None:
        """Tell the messenger a message was read (WhatsApp's read receipt); optional.

        Receipts are taken to cover earlier messages too, as WhatsApp's do: of a burst a customer
        sent, only the newest is acknowledged.
        """
