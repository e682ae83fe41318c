"""A test channel with tight limits, that remembers what it was handed: ``[plugins] modules``."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from chatshop.channels import (
    Capabilities,
    Channel,
    ChannelConfig,
    RetryableSendError,
    SendContext,
    SendResult,
    utf16_units,
)
from chatshop.dialog.feature import DialogFeature, Interceptor
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.messages import Inbound, Outbound

SENT: list[tuple[str, Outbound, SendContext | None]] = []
ACKNOWLEDGED: list[str] = []
#: The choice ids turns saw, once the core mapped them back.
CHOICES: list[str | None] = []
#: How many of the next sends the messenger throttles (each a retry for later).
THROTTLED: list[int] = [0]


class NarrowConfig(ChannelConfig):
    pass


class Narrow(Channel):
    """Telegram-like: 64-byte choice ids, UTF-16 units, a short text; acknowledges every message."""

    name = "narrow"
    Config = NarrowConfig
    capabilities = Capabilities(
        max_text_length=120,
        measure=utf16_units,
        max_caption_length=60,
        max_buttons=3,
        max_list_rows=10,
        images=True,
        product_cards=True,
        max_choice_id_bytes=64,
    )
    acknowledge_every_message: ClassVar[bool] = True

    async def send(self, customer_id: str, message: Outbound, context: SendContext | None = None) -> SendResult:
        if THROTTLED[0]:
            THROTTLED[0] -= 1
            raise RetryableSendError("throttled", code="429", retry_after=60)
        SENT.append((customer_id, message, context))
        return SendResult(provider_message_id=f"n{len(SENT)}")

    async def acknowledge(self, inbound: Inbound) -> None:
        ACKNOWLEDGED.append(inbound.message_id)


class Plain(Channel):
    """A channel written before ``send`` had a context, acknowledging only the newest message."""

    name = "plain"
    capabilities = Capabilities(max_text_length=4096, max_buttons=3)

    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        SENT.append((customer_id, message, None))
        return SendResult()

    async def acknowledge(self, inbound: Inbound) -> None:
        ACKNOWLEDGED.append(inbound.message_id)


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(Narrow)
    register(Plain)


def _spy(turn: Turn, inbound: Inbound) -> bool:
    if inbound.choice_id is not None:
        CHOICES.append(inbound.choice_id)
    return False


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(DialogFeature(name="narrow_spy", interceptors=[Interceptor(_spy, priority=-1000)]))
