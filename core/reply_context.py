"""The send context a reply carries in its outbox row.

A channel's ``send`` is told the customer's language and the message the reply answers, by
reference (:class:`chatshop.channels.SendContext`, :meth:`chatshop.messages.Inbound.reference`).
Kept only in the memory of the worker that ran the turn, it would be lost when the reply is sent
after a restart or by another worker; so the store writes it into the reply's row, beside the
message, and reads it back with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict
from pydantic_core import to_json

from chatshop.channels import SendContext
from chatshop.messages import Inbound, Outbound, outbound_from_json_text, outbound_to_json_text

__all__ = ["Replies", "context_of", "payloads", "read", "read_message"]

#: How a row's text with a context begins; a bare message (``{"kind":...``) never does.
_HEAD = '{"context":'


class Replies(list[Outbound]):
    """Messages for one customer with the context they are sent in: what the store queues."""

    __slots__ = ("context",)

    def __init__(self, messages: Iterable[Outbound], context: SendContext | None) -> None:
        super().__init__(messages)
        self.context = context


class _StoredContext(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    locale: str
    answers: Inbound | None = None


class _StoredReply(BaseModel):
    context: _StoredContext
    message: Outbound


def context_of(outbound: Sequence[Outbound]) -> SendContext | None:
    """The context queued messages go with (None for a plain sequence)."""
    return outbound.context if isinstance(outbound, Replies) else None


def payloads(outbound: Sequence[Outbound]) -> list[str]:
    """The outbox rows' texts: each message, with the context when the messages have one."""
    context = context_of(outbound)
    if context is None:
        return [outbound_to_json_text(message) for message in outbound]
    head = f"{_HEAD}{_context_json(context)},\"message\":"
    return [f"{head}{outbound_to_json_text(message)}}}" for message in outbound]


def _context_json(context: SendContext) -> str:
    """The context's JSON, written by hand: it is made for every turn's replies, and the message
    it answers goes by reference only (:meth:`Inbound.reference`)."""
    stored: dict[str, object] = {"locale": context.locale}
    answers = context.answers
    if answers is not None:
        reference: dict[str, object] = {
            "channel": answers.channel,
            "customer_id": answers.customer_id,
            "message_id": answers.message_id,
            "kind": answers.kind.value,
        }
        if answers.locale is not None:
            reference["locale"] = answers.locale
        if answers.trace is not None:  # tracing on: the reply's send joins its webhook's trace
            reference["trace"] = answers.trace
        stored["answers"] = reference
    return to_json(stored).decode()


def read(text: str, customer_key: str) -> tuple[Outbound, SendContext | None]:
    """A row's message and the context it was queued with (None for a row written without one)."""
    if not text.startswith(_HEAD):
        return outbound_from_json_text(text), None
    stored = _StoredReply.model_validate_json(text)
    context = SendContext(customer_key=customer_key, locale=stored.context.locale, answers=stored.context.answers)
    return stored.message, context


def read_message(text: str) -> Outbound:
    """A row's message alone (a transcript, a delivery report)."""
    if not text.startswith(_HEAD):
        return outbound_from_json_text(text)
    return _StoredReply.model_validate_json(text).message
