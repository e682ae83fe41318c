"""Sending what the shop says: from the durable outbox, in order per customer, retried with backoff.

A reply is committed to the outbox with the turn that produced it, then sent. A throttled or
unreachable messenger delays a customer's replies but never loses or reorders them: the first
message waiting for a retry holds back the ones after it.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import weakref
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import structlog

from chatshop.channels import Channel, PermanentSendError, SendContext, SendError, SendingHalted, SendResult
from chatshop.costs import Billing, SentCount, order_number_of
from chatshop.lease import Lease
from chatshop.retry import backoff
from chatshop.serial import SerialRunner
from chatshop.shoptime import Day
from chatshop.store.base import OutboxItem

if TYPE_CHECKING:
    from chatshop.runtime import Shop

log = structlog.get_logger(__name__)

HALTED_RETRY_SECONDS = 60.0


#: Whether a channel's ``send`` function declares ``context``, asked once per function.
_TAKES_CONTEXT: weakref.WeakKeyDictionary[Callable[..., Any], bool] = weakref.WeakKeyDictionary()


def takes_context(channel: Channel) -> bool:
    """Whether the channel's ``send`` declares ``context`` (channels written before it did not)."""
    send = channel.send
    function = getattr(send, "__func__", send)
    known = _TAKES_CONTEXT.get(function)
    if known is None:
        try:
            known = "context" in inspect.signature(send).parameters
        except (TypeError, ValueError):
            known = False
        _TAKES_CONTEXT[function] = known
    return known


class Progress(NamedTuple):
    """How a batch of sends went: whether to go on to the next batch, and the send not yet recorded."""

    go_on: bool
    unrecorded: tuple[int, str | None, SentCount] | None = None


class OutboxSender:
    def __init__(self, shop: Shop, *, retry_base: float, concurrency: int) -> None:
        self.shop = shop
        self.retry_base = retry_base
        self.runner = SerialRunner(self._send_pending, name="outbox", concurrency=concurrency)
        self._handed: dict[str, tuple[Lease, list[OutboxItem]]] = {}
        self._handovers = itertools.count()
        self._today: Day | None = None

    async def _context(self, item: OutboxItem) -> SendContext:
        """The context the reply was queued with (kept in its row); for a row queued without one
        (by a plugin's own ``store.enqueue``, or before contexts were kept), the customer's language."""
        if item.context is not None:
            return item.context
        locale = await self.shop.customer_locale(item.customer_key)
        return SendContext(customer_key=item.customer_key, locale=locale)

    async def _deliver(self, channel: Channel, item: OutboxItem) -> SendResult:
        """Hand one reply to the channel, in its span when tracing is on."""
        tracing = self.shop.tracing
        if not tracing.on:
            return await self._hand(channel, item)
        parent = await self._trace(item)
        with tracing.send(channel.name, item.message.kind, parent) as span:
            result = await self._hand(channel, item)
            if span is not None:
                span.set_attribute("chatshop.result", "sent")
            return result

    async def _trace(self, item: OutboxItem) -> str | None:
        """The trace a reply belongs to: the message it answers (kept with it in the outbox, so on
        any worker), else, for a reply queued without one, the customer's latest message's."""
        if item.context is not None and item.context.answers is not None:
            return item.context.answers.trace
        return await self.shop.store.latest_inbound_trace(item.customer_key)

    async def _hand(self, channel: Channel, item: OutboxItem) -> SendResult:
        """Hand one reply to the channel: choice ids fitted to it, and its context if it asks."""
        message = await self.shop.choice_ids.shorten(item.message, channel.capabilities, self.shop.now())
        if takes_context(channel):
            send = channel.send  # a subclass's send that declares ``context``
            return await send(item.customer_id, message, context=await self._context(item))  # type: ignore[call-arg]
        return await channel.send(item.customer_id, message)

    def kick(self, customer_key: str) -> None:
        self.runner.kick(customer_key)

    def lease(self, customer_key: str, *, handover: bool = False) -> Lease:
        """The lease on sending to a customer. One taken for a hand-over has an owner of its own,
        so it is never granted again to this worker's sender while the handed replies wait."""
        owner = self.shop.worker_id
        if handover:
            owner = f"{owner}#{next(self._handovers)}"
        return Lease(self.shop.store, f"send:{customer_key}", owner, self.shop.config.server.lease_seconds)

    def hand_over(self, customer_key: str, lease: Lease, items: list[OutboxItem]) -> None:
        """Send ``items``, already claimed under ``lease`` (by the turn that wrote them)."""
        lease.taken()
        self._handed[customer_key] = (lease, items)
        self.runner.kick(customer_key)

    async def _send_pending(self, customer_key: str) -> None:
        """Send a customer's due replies, holding their send lease: one worker sends at a time."""
        shop = self.shop
        handed = self._handed.pop(customer_key, None)
        if handed is not None:
            lease, items = handed
        else:
            lease = self.lease(customer_key)
            now = shop.now()
            held, items = await shop.store.claim_outbox(customer_key, lease.name, lease.owner, lease.seconds, now)
            if not held:
                return  # the holder is told on release that we asked, and looks again
            lease.taken()
        released = wanted = False
        try:
            while items:
                progress = await self._send_held(customer_key, items, lease)
                if not progress.go_on:
                    break  # one waits for a retry, and the ones after it wait behind it
                # the last send is recorded and what was queued meanwhile looked up in one step;
                # with nothing due, the lease goes back
                if progress.unrecorded is not None:
                    outbox_id, provider_message_id, count = progress.unrecorded
                    items, wanted = await shop.store.sent_then_pending_or_release(
                        outbox_id, provider_message_id, customer_key, lease.name, lease.owner, shop.now(), count
                    )
                else:
                    items, wanted = await shop.store.pending_outbox_or_release(
                        customer_key, lease.name, lease.owner, shop.now()
                    )
                released = not items
        finally:
            if not released:
                wanted = await asyncio.shield(lease.release())
            if wanted:
                self.kick(customer_key)

    async def _send_held(self, customer_key: str, items: list[OutboxItem], lease: Lease) -> Progress:
        """Send ``items`` in order, recording each but the last sent, which the caller records with
        its next look-up (one step to the store instead of two)."""
        channel_name = customer_key.split(":", 1)[0]
        channel = self.shop.channels.get(channel_name)
        if channel is None:
            log.warning("outbox.no_channel", channel=channel_name)
            return Progress(go_on=False)
        unrecorded: tuple[int, str | None, SentCount] | None = None
        metrics = self.shop.metrics
        for item in items:
            if unrecorded is not None:
                await self.shop.store.mark_sent(*unrecorded)
                unrecorded = None
            if not await lease.keep():
                return Progress(go_on=False)  # we stalled past the lease; its new holder sends the rest
            try:
                result = await self._deliver(channel, item)
            except PermanentSendError as e:
                log.error("outbox.failed", channel=channel_name, customer=customer_key, code=e.code, error=str(e))
                metrics.send(channel_name, "failed")
                await self.shop.store.mark_failed(item.id, f"{e.code}: {e}")
                continue
            except SendError as e:
                metrics.send(channel_name, "retry")
                if not isinstance(e, SendingHalted) and self._overdue(item):
                    await self._give_up(channel_name, customer_key, item, f"{e.code}: {e}")
                    continue
                delay = (
                    HALTED_RETRY_SECONDS
                    if isinstance(e, SendingHalted)
                    else backoff(item.attempts, self.retry_base, e.retry_after)
                )
                level = log.error if isinstance(e, SendingHalted) else log.warning
                level("outbox.retry", channel=channel_name, customer=customer_key, code=e.code, delay=round(delay, 3))
                await self.shop.store.mark_retry(item.id, self.shop.now() + timedelta(seconds=delay), f"{e.code}: {e}")
                self.shop.schedule_outbox(customer_key, delay)
                return Progress(go_on=False)
            except Exception as e:  # a bug or an unexpected network error: keep the message
                log.exception("outbox.error", channel=channel_name, customer=customer_key)
                metrics.send(channel_name, "error")
                if self._overdue(item):
                    await self._give_up(channel_name, customer_key, item, repr(e))
                    continue
                delay = backoff(item.attempts, self.retry_base)
                await self.shop.store.mark_retry(item.id, self.shop.now() + timedelta(seconds=delay), repr(e))
                self.shop.schedule_outbox(customer_key, delay)
                return Progress(go_on=False)
            metrics.send(channel_name, "sent")
            billing = result.billing or Billing.FREE
            unrecorded = (
                item.id,
                result.provider_message_id,
                SentCount(self._day(), channel_name, billing, order_number_of(item.message)),
            )
        return Progress(go_on=True, unrecorded=unrecorded)

    def _day(self) -> date:
        """The shop's day now, for counting what was sent; worked out again only when it ends."""
        now = self.shop.now()
        if self._today is None or not self._today.holds(now):
            self._today = self.shop.time.day(now)
        return self._today.date

    def _overdue(self, item: OutboxItem) -> bool:
        """Whether a reply has been failing for longer than ``[server] give_up_sending_seconds``."""
        if item.created_at is None:
            return False
        return self.shop.now() - item.created_at >= timedelta(seconds=self.shop.config.server.give_up_sending_seconds)

    async def _give_up(self, channel: str, customer_key: str, item: OutboxItem, error: str) -> None:
        """Stop retrying a reply that kept failing: recorded as failed, and an alert for the shop."""
        attempts = item.attempts + 1
        self.shop.metrics.send(channel, "gave_up")
        log.error("outbox.gave_up", alert=True, channel=channel, customer=customer_key, attempts=attempts, error=error)
        await self.shop.store.mark_failed(item.id, f"gave up after {attempts} attempts: {error}")
