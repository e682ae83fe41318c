"""Placing orders and moving them: the rules every channel and payment method share.

The dialog, the command line, the dashboard and payment webhooks all come through here, so an
order is priced, placed, paid, cancelled and refunded the same way whoever asks, and the customer is
told in their own chat and language.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from chatshop import referrals
from chatshop.cart import Cart, CartLine
from chatshop.checkout import Checkout
from chatshop.messages import Buttons, Choice, OrderLine, OrderStatusUpdate, Outbound, Text
from chatshop.money import Money
from chatshop.order_effects import KIND as EFFECTS
from chatshop.order_effects import TOLD_KEPT, Effects, Owed, told_mark
from chatshop.orders import (
    OUTSIDE_REFUND_NOTE,
    IllegalTransition,
    Order,
    OrderRevision,
    OrderStatus,
    Shipment,
    check_transition,
    new_order_number,
    refund_reference,
)
from chatshop.payments import (
    PaymentContext,
    PaymentError,
    PaymentEvent,
    PaymentEventDeferred,
    PaymentEventKind,
    PaymentMethod,
    RefundFailed,
    RefundResult,
)
from chatshop.pricing import Adjustment, Quote
from chatshop.store.codec import utcnow

if TYPE_CHECKING:
    from chatshop.runtime import Shop

log = structlog.get_logger(__name__)

_STATUS_TEXT = {
    OrderStatus.CONFIRMED: "status_confirmed",
    OrderStatus.SHIPPED: "status_shipped",
    OrderStatus.DELIVERED: "status_delivered",
    OrderStatus.CANCELLED: "status_cancelled",
    OrderStatus.RETURNED: "status_returned",
}

#: Moves that end an order the customer never got: what they paid goes back through its method first.
_REFUNDED_FIRST = frozenset({OrderStatus.CANCELLED, OrderStatus.RETURNED})


#: How long a refund of ours may take, the provider's retries and timeouts included (see
#: :meth:`Ordering._refunding`); a worker that dies holding it blocks the order's refunds this long.
REFUND_HOLD_SECONDS = 300.0


def _payment_key(method: str, payment_id: str) -> str:
    return f"payment:{method}:{payment_id}"


class UnknownOrder(KeyError):
    """No order has that number."""


class RefundAlreadyRecorded(ValueError):
    """A refund made outside chatshop with that reference is on the order already (asked twice)."""


@dataclass(frozen=True, slots=True)
class Placement:
    order: Order
    created: bool


@dataclass(frozen=True, slots=True)
class CartChange:
    """A cart line that is no longer what the customer saw: at a new ``price``, or (None) off sale."""

    title: str
    price: Money | None


class Ordering:
    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    # --- pricing and methods ---------------------------------------------------------------
    async def quote(
        self,
        cart: Cart,
        channel: str,
        postal_code: str | None = None,
        payment_method: str | None = None,
        *,
        checkout: Checkout | None = None,
        customer_key: str | None = None,
    ) -> Quote:
        """Price ``cart``; with the ``checkout`` in progress, its address and its steps' answers
        (a coupon code) count too."""
        quote = Quote.for_cart(cart, channel, postal_code, payment_method)
        quote.customer_key = customer_key
        if checkout is not None:
            quote.address = checkout.address
            quote.answers = dict(checkout.extras)
        await self.shop.plugins.price_cart(self.shop, quote)
        return quote

    def methods_for(self, quote: Quote) -> list[PaymentMethod]:
        context = PaymentContext(total=quote.total, postal_code=quote.postal_code, channel=quote.channel)
        methods = self.shop.payment_methods.values()
        return [m for m in methods if m.name not in quote.withheld and m.available(context)]

    async def refresh(self, cart: Cart) -> list[CartChange]:
        """Bring ``cart`` to the catalog as it is now, saying what changed.

        A cart keeps the price seen when adding; before an order is priced for confirmation the
        shop's current offer wins: a price edited on the dashboard or in a restarted shop.toml, a
        product marked out of stock or gone from the catalog. The customer is shown the result and
        confirms that, never a total they have not seen. Read from the database itself (``fresh``),
        not from what this worker kept: a change it did not hear must not set the price paid.
        """
        products = [p for p in (self.shop.catalog.get(line.product_id) for line in cart.lines) if p is not None]
        views = {view.product.id: view for view in await self.shop.product_views(products, fresh=True)}
        changes = []
        for i, line in reversed(list(enumerate(cart.lines))):
            view = views.get(line.product_id)
            if view is None or not view.active:
                del cart.lines[i]
                changes.append(CartChange(line.title, None))
            elif view.price != line.unit_price:
                cart.lines[i] = replace(line, unit_price=view.price)
                changes.append(CartChange(line.title, view.price))
        return changes[::-1]

    # --- placing ---------------------------------------------------------------------------
    def _order_line(self, line: CartLine) -> OrderLine:
        """An order line; a variant's carries its product and option values (orders --json, the dashboard)."""
        item = self.shop.catalog.get(line.product_id)
        return OrderLine(
            product_id=line.product_id,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            product=item.parent if item else None,
            options=item.option_values() if item else (),
        )

    async def place(self, customer_key: str, checkout: Checkout, quote: Quote) -> Placement:
        """Reserve stock and save the order; the same checkout placed twice yields one order."""
        method = self.shop.payment_methods[checkout.payment_method or ""]
        expires = utcnow() + method.payment_window()
        draft = Order(
            number=new_order_number(),
            customer_key=customer_key,
            status=OrderStatus.PENDING_PAYMENT if method.online else OrderStatus.COD_PENDING,
            lines=tuple(self._order_line(ln) for ln in quote.lines),
            adjustments=tuple((a.code, a.amount) for a in quote.adjustments),
            currency=quote.currency,
            payment_method=method.name,
            placement_key=checkout.placement_key,
            address=checkout.address,
            postal_code=checkout.postal_code,
            contact_name=checkout.contact_name,
            latitude=checkout.latitude,
            longitude=checkout.longitude,
            payment_expires_at=expires if method.online else None,
            extras={**checkout.extras, **quote.extras},
            referral=await referrals.recall(self.shop.store, customer_key, utcnow()),
        )
        order, created = await self.shop.store.place_order(draft, quote.claims, owed=self._owed(notify=False))
        if created:
            log.info("order.placed", order=order.number, method=method.name, total=str(order.total))
            await self._carry_out_now(Effects(order.number, None, order.status, notify=False), order)
        return Placement(order, created)

    async def switch_to_online(
        self,
        number: str,
        method_name: str,
        *,
        drop: Sequence[str] = (),
        extra: Sequence[Adjustment] = (),
        note: str = "",
    ) -> Order:
        """Make a cash-on-delivery order an online one, paid by ``method_name``, from now on.

        The order keeps its lines and what it was charged for them (delivery, coupons) but for the
        lines in ``drop`` (the cash method's own fee), with ``extra`` lines on top (an incentive to
        pay ahead, a negative amount), and its tax computed anew for that: the customer pays what
        they saw, less, and never tax on a fee that is gone. It gets
        the method's payment window and waits in ``pending_payment`` like any online order: its
        payment is deduplicated and checked against the new total, it expires unpaid, and it is
        refunded through the new method. :class:`IllegalTransition` when it is no longer a cash
        order waiting (confirmed, shipped, cancelled meanwhile); :class:`PaymentError` when the
        method is not one this order may use.
        """
        order = await self._get(number)
        check_transition(number, order.status, OrderStatus.PENDING_PAYMENT)
        method = self.shop.payment_methods.get(method_name)
        if method is None or not method.online:
            raise PaymentError(f"{method_name} is not an online payment method of this shop")
        adjustments = tuple((code, amount) for code, amount in order.adjustments if code not in drop)
        adjustments += tuple((line.code, line.amount) for line in extra)
        adjustments, extras = await self._retaxed(order, adjustments)
        total = order.subtotal + Money.sum((amount for _, amount in adjustments), order.currency)
        context = PaymentContext(total=total, postal_code=order.postal_code, channel=order.channel)
        if total.minor <= 0 or not method.available(context):
            raise PaymentError(f"{method_name} cannot take order {number}")
        revision = OrderRevision(
            payment_method=method.name,
            adjustments=adjustments,
            payment_expires_at=self.shop.now() + method.payment_window(),
            extras=extras,
        )
        note = note or f"to be paid by {method.name}"
        order, old = await self.shop.store.transition_order(
            number, OrderStatus.PENDING_PAYMENT, note=note, revision=revision, owed=self._owed(notify=False)
        )
        log.info("order.switched_to_online", order=number, method=method.name, total=str(order.total))
        await self._carry_out_now(Effects(number, old, OrderStatus.PENDING_PAYMENT, notify=False), order)
        return order

    async def _retaxed(
        self, order: Order, adjustments: tuple[tuple[str, Money], ...]
    ) -> tuple[tuple[tuple[str, Money], ...], dict[str, Any]]:
        """``adjustments`` with their tax computed anew by the tax plugins (``retax_order``), and
        the order's extras with the breakdowns they wrote (one they set to None is dropped)."""
        quote = Quote.for_order(order, adjustments)
        await self.shop.plugins.retax_order(self.shop, order, quote)
        extras = dict(order.extras)
        for name, value in quote.extras.items():
            if value is None:
                extras.pop(name, None)
            else:
                extras[name] = value
        return tuple((a.code, a.amount) for a in quote.adjustments), extras

    async def start_payment(self, order: Order) -> list[Outbound]:
        """Ask the order's method for a link/request; raises PaymentError on provider trouble."""
        method = self._method(order)
        try:
            start = await method.start(order)
        except PaymentError as e:
            # The customer is offered "Try again"; the owner must learn of a refusal no retry cures
            # (a rotated API key, an account not approved for the currency).
            report = log.warning if e.retryable else log.error
            report("payment.start_failed", alert=not e.retryable, order=order.number, method=method.name, error=str(e))
            raise
        if start.provider_ref or start.url or start.expires_at:
            await self.shop.store.set_order_payment(
                order.number,
                ref=start.provider_ref,
                url=start.url,
                expires_at=start.expires_at or order.payment_expires_at,
            )
        return list(start.messages)

    # --- moving ----------------------------------------------------------------------------
    async def move(
        self, number: str, new: OrderStatus, note: str = "", *, notify: bool = True, shipment: Shipment | None = None
    ) -> Order:
        """Move an order and tell the customer; ``shipment`` (carrier and tracking) goes with a ship.

        Cancelling a paid order, or taking back a paid parcel that came back undelivered, refunds
        it first: when the provider cannot refund right now, :class:`PaymentError` is raised and the
        order stays exactly as it was, to be moved later. A cash order that comes back took no money.
        """
        if shipment is not None and new != OrderStatus.SHIPPED:
            raise ValueError("a shipment goes with shipping an order, not with moving it to " + new.value)
        refund: RefundResult | None = None
        refunded: int | None = None
        async with self._refunding(number) if new in _REFUNDED_FIRST else nullcontext():
            if new in _REFUNDED_FIRST:
                current = await self._get(number)
                check_transition(number, current.status, new)  # an illegal move refunds nothing
                left = Money(current.paid_amount - current.refunded_amount, current.currency)
                if left.minor > 0:
                    refund = await self._refund_with(current, left)
                    refunded = current.refunded_amount + refund.amount.minor
            try:
                revision = OrderRevision(shipment=shipment) if shipment is not None else None
                order, old = await self.shop.store.transition_order(
                    number, new, note=note, refunded_amount=refunded, revision=revision, owed=self._owed(notify)
                )
            except IllegalTransition as e:
                if refund is not None and refunded is not None:
                    await self._refunded_anyway(number, refund, refunded, e)
                raise
        log.info("order.moved", order=number, old=old.value, new=new.value)
        # As the hooks left it (cash on delivery records the payment).
        order = await self._carry_out_now(Effects(number, old, new, notify), order) or await self._get(number)
        if refund is not None and refunded is not None:
            if refunded >= order.paid_amount:
                order, _ = await self.shop.store.transition_order(
                    number, OrderStatus.REFUNDED, note=f"refund {refund.refund_id}"
                )
            log.info("order.refunded", order=number, refund=refund.refund_id, pending=refund.pending)
            await self.tell(order, "refunded", amount=refund.amount.format(await self._locale(order)))
            await self.shop.plugins.order_refunded(self.shop, order, refund.amount)
        elif new == OrderStatus.CANCELLED and order.paid_amount > order.refunded_amount:
            order = await self._refund_paid_meanwhile(order)
        return order

    async def track(self, number: str, shipment: Shipment, note: str = "") -> Order:
        """Give a shipped order its carrier and tracking (new or corrected) and tell the customer.

        The same tracking again changes nothing and tells nobody (a command run twice)."""
        current = await self._get(number)
        if current.status == OrderStatus.SHIPPED and current.shipment == shipment:
            return current
        order = await self.shop.store.revise_order(
            number, OrderRevision(shipment=shipment), expect=OrderStatus.SHIPPED, note=note or "tracking"
        )
        log.info("order.tracking", order=number)
        await self.tell_status(order)
        return order

    async def tell_status(self, order: Order) -> None:
        """Tell the customer where their order is now; a shipment's carrier and tracking go with it."""
        shipment = order.shipment
        if order.status != OrderStatus.SHIPPED or shipment is None:
            await self.tell(order, _STATUS_TEXT[order.status], notification=True)
            return
        locale = await self._locale(order)
        await self.tell(
            order,
            "status_shipped_tracking",
            notification=True,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            url=shipment.tracking_url,
            url_label=self.shop.texts.get(locale, "track_shipment"),
        )

    async def _refund_paid_meanwhile(self, order: Order) -> Order:
        """The payment landed between reading the order and cancelling it (a webhook on another
        worker): the order is cancelled with the money in it, which goes back as for any cancel."""
        log.warning("payment.paid_while_cancelling", alert=True, order=order.number)
        try:
            return await self.refund(order.number)
        except PaymentError:
            log.error("order.cancelled_unrefunded", alert=True, order=order.number)  # the dashboard's Refund
            return order

    async def _refunded_anyway(
        self, number: str, refund: RefundResult, refunded: int, raced: IllegalTransition
    ) -> None:
        """The refund of a cancel went through, but the order moved meanwhile (the owner shipped it
        during the provider's call): the money is back with the customer, so the order says so, the
        owner is alerted, and the customer is told; nothing is refunded a second time."""
        order = await self.shop.store.record_amounts(
            number, refunded_amount=refunded, note=f"refund {refund.refund_id} ({raced.old.value} meanwhile)"
        )
        log.error("order.refunded_not_cancelled", alert=True, order=number, status=raced.old.value)
        await self.tell(order, "refunded", amount=refund.amount.format(await self._locale(order)))
        await self.shop.plugins.order_refunded(self.shop, order, refund.amount)

    async def refund(self, number: str, amount: Money | None = None) -> Order:
        """Refund ``amount`` (default: all that is left) through the order's payment method."""
        async with self._refunding(number):
            order = await self._get(number)
            left = Money(order.paid_amount - order.refunded_amount, order.currency)
            amount = left if amount is None else amount  # Money(0) is falsy: never "all of it"
            if amount.minor <= 0 or amount > left:
                raise ValueError(f"cannot refund {amount} of order {number}: {left} refundable")
            result = await self._refund_with(order, amount)
            refunded = order.refunded_amount + result.amount.minor
            note = f"refund {result.refund_id}"
            if refunded >= order.paid_amount and order.can_become(OrderStatus.REFUNDED):
                order, _ = await self.shop.store.transition_order(
                    number, OrderStatus.REFUNDED, note=note, refunded_amount=refunded
                )
            else:
                order = await self.shop.store.record_amounts(number, refunded_amount=refunded, note=note)
        log.info("order.refunded", order=number, amount=str(result.amount), pending=result.pending)
        await self.tell(order, "refunded", amount=result.amount.format(await self._locale(order)))
        await self.shop.plugins.order_refunded(self.shop, order, result.amount)
        return order

    async def record_refund(self, number: str, amount: Money, reference: str) -> Order:
        """Record money the shop gave back itself (a UPI or bank transfer) for an order paid in
        cash: counted as refunded (the order ``refunded`` once all of it is), the customer told.

        Cash is not refunded in cash: there is no provider to ask, so nothing is sent here, only
        written down. ValueError when the order took no such money, when ``amount`` is more than
        is left to refund, or when a refund with this ``reference`` is recorded already (a command
        run twice): nothing is ever counted twice."""
        reference = refund_reference(reference)
        async with self._refunding(number):
            order = await self._get(number)
            method = self.shop.payment_methods.get(order.payment_method)
            if method is None or method.online:
                raise ValueError(
                    f"order {number} was paid by {order.payment_method}: refund it through the provider (Refund)"
                )
            if order.refund_recorded(reference):
                raise RefundAlreadyRecorded(f"order {number}: a refund with reference {reference} is recorded already")
            left = Money(order.paid_amount - order.refunded_amount, order.currency)
            if amount.currency != order.currency or amount.minor <= 0 or amount > left:
                raise ValueError(f"cannot record a refund of {amount} for order {number}: {left} refundable")
            refunded = order.refunded_amount + amount.minor
            note = OUTSIDE_REFUND_NOTE.format(amount=amount, reference=reference)
            if refunded >= order.paid_amount and order.can_become(OrderStatus.REFUNDED):
                order, _ = await self.shop.store.transition_order(
                    number, OrderStatus.REFUNDED, note=note, refunded_amount=refunded
                )
            else:
                order = await self.shop.store.record_amounts(number, refunded_amount=refunded, note=note)
        log.info("order.refund_recorded", order=number, amount=str(amount))
        locale = await self._locale(order)
        await self.tell(order, "refund_recorded", amount=amount.format(locale), reference=reference)
        await self.shop.plugins.order_refunded(self.shop, order, amount)
        return order

    async def apply_payment_event(self, event: PaymentEvent) -> Order | None:
        """Apply a verified provider event once, and only if the money matches the order."""
        outcome = "error"
        try:
            order, outcome = await self._apply(event)
            return order
        finally:
            self.shop.metrics.payment_event(event.method, outcome)

    async def _apply(self, event: PaymentEvent) -> tuple[Order | None, str]:
        """The event applied, and what came of it (the outcome ``/metrics`` counts)."""
        order = await self._order_of(event)
        if order is None:
            log.warning("payment.unknown_order", method=event.method, event_id=event.event_id)
            return None, "unknown_order"
        if event.method != order.payment_method:
            log.warning("payment.method_mismatch", order=order.number, method=event.method)
            return order, "method_mismatch"
        if await self.shop.store.event_seen(event.method, event.event_id):
            log.info("payment.duplicate_event", order=order.number, event_id=event.event_id)
            return order, "duplicate"
        if event.kind in _AFTER_PAYMENT and self._awaits_payment(order):
            # News of a payment whose own event has not reached us (providers do not promise the
            # order of their events): applied now it would find nothing paid and be lost; the
            # provider delivers it again, after the payment (or the order's end without one).
            log.info("payment.news_before_payment", order=order.number, kind=event.kind.value)
            raise PaymentEventDeferred(f"order {order.number}: {event.kind.value} before its payment")
        outcome = event.kind.value
        try:
            if self._replaced(order, event):
                log.info("payment.replaced_link_event", order=order.number, kind=event.kind.value)
            elif event.kind == PaymentEventKind.PAID:
                order = await self._paid(order, event)
            elif event.kind in (PaymentEventKind.EXPIRED, PaymentEventKind.CANCELLED):
                order = await self._expired(order)
            elif event.kind == PaymentEventKind.REFUND_FAILED:
                async with self._refunding(order.number, deferred=True):
                    order = await self._refund_failed(await self._get(order.number), event)
            elif event.kind == PaymentEventKind.REFUNDED:
                async with self._refunding(order.number, deferred=True):
                    order = await self._refunded_outside(await self._get(order.number), event)
            elif event.kind in _DISPUTE_NEWS:
                # Under the refunds' hold: a lost dispute writes what is refunded, and a refund of
                # ours reads whether a dispute is open.
                async with self._refunding(order.number, deferred=True):
                    order = await _DISPUTE_NEWS[event.kind](self, await self._get(order.number), event)
            elif event.kind == PaymentEventKind.FAILED and order.status == OrderStatus.PENDING_PAYMENT:
                await self.tell(order, "payment_failed", choices=self._retry_choices(order))
        except IllegalTransition as e:
            # Out of order or raced (expired after paid): the state table said no, and that is the answer.
            log.info("payment.event_refused", order=order.number, kind=event.kind.value, status=e.old.value)
            outcome = "refused"
        # Seen only once applied: if applying failed (a refund outage), the provider's retry is not dropped.
        if await self.shop.store.record_event(event.method, event.event_id):
            await self.shop.plugins.payment_updated(self.shop, order, event)
        return order, outcome

    async def _order_of(self, event: PaymentEvent) -> Order | None:
        """The event's order: by its number, else by the payment it names (see :meth:`_remember`)."""
        number = event.order_number
        if not number and event.provider_payment_id:
            number = await self.shop.store.kv_get(_payment_key(event.method, event.provider_payment_id), utcnow()) or ""
        return await self.shop.store.get_order(number) if number else None

    async def _remember(self, order: Order, event: PaymentEvent) -> None:
        """Which order a provider's payment paid: a refund or dispute made in the provider's own
        dashboard names only the payment."""
        if event.provider_payment_id:
            await self.shop.store.kv_set(_payment_key(event.method, event.provider_payment_id), order.number)

    def _awaits_payment(self, order: Order) -> bool:
        """Whether the order still waits for the payment an online method's event would tell."""
        method = self.shop.payment_methods.get(order.payment_method)
        online = method is None or method.online
        return online and order.status == OrderStatus.PENDING_PAYMENT and order.paid_amount == 0

    @staticmethod
    def _replaced(order: Order, event: PaymentEvent) -> bool:
        """An end of a link the order no longer waits on; a payment on it still counts (and is
        checked like any other)."""
        if event.kind == PaymentEventKind.PAID or not event.provider_ref or not order.payment_ref:
            return False
        return event.provider_ref != order.payment_ref

    async def _paid(self, order: Order, event: PaymentEvent) -> Order:
        if event.amount is None or event.amount != order.total:
            log.error(
                "payment.amount_mismatch",
                alert=True,
                order=order.number,
                expected=str(order.total),
                got=str(event.amount) if event.amount else None,
            )
            return order
        await self._remember(order, event)
        method = self.shop.payment_methods.get(order.payment_method)
        if method is not None and not method.online:
            return await self._collected(order, event, event.amount)
        if order.status != OrderStatus.PENDING_PAYMENT:
            return await self._late(order, event, event.amount)
        try:
            order, old = await self.shop.store.transition_order(
                order.number,
                OrderStatus.PAID,
                note=f"{event.method} {event.provider_payment_id or ''}".strip(),
                paid_amount=event.amount.minor,
                owed=self._owed(),
            )
        except IllegalTransition:
            # Cancelled (by the customer, the owner, the sweeper) since it was read: a late payment.
            return await self._late(await self._get(order.number), event, event.amount)
        await self._carry_out_now(Effects(order.number, old, OrderStatus.PAID), order)
        return order

    async def _collected(self, order: Order, event: PaymentEvent, amount: Money) -> Order:
        """Money an offline method (cash on delivery) collected: counted as paid on the delivered
        order, whose status (a fact of the delivery) stays. Before delivery nothing has changed
        hands, and an order paid already is not paid twice: either is refused, and logged."""
        if order.status != OrderStatus.DELIVERED or order.paid_amount:
            log.warning(
                "payment.collection_refused", order=order.number, method=event.method, status=order.status.value
            )
            return order
        note = event.raw_status or f"collected by {event.method}"
        log.info("payment.collected", order=order.number, method=event.method, total=str(amount))
        return await self.shop.store.record_amounts(order.number, paid_amount=amount.minor, note=note)

    async def _late(self, order: Order, event: PaymentEvent, amount: Money) -> Order:
        """A payment for an order no longer waiting for one: already applied, or given back."""
        paid_by = event.provider_payment_id
        if paid_by and any(paid_by in str(entry.get("note", "")) for entry in order.history):
            # The same payment told twice (a poll found it first, then its webhook came): done.
            log.info("payment.already_applied", order=order.number)
            return order
        # Paid after we gave up (the link expired, the customer cancelled): give it back.
        log.warning("payment.late", alert=True, order=order.number, status=order.status.value)
        if order.status == OrderStatus.CANCELLED:
            if order.paid_amount == 0:
                order = await self.shop.store.record_amounts(
                    order.number, paid_amount=amount.minor, note="paid after cancellation"
                )
            if order.paid_amount > order.refunded_amount:  # again on the provider's retry, if it failed
                order = await self.refund(order.number)
        return order

    async def _refund_failed(self, order: Order, event: PaymentEvent) -> Order:
        """A refund that failed after the provider accepted it: the order said "refunded" while the
        customer got nothing. The amount is owed again (the dashboard's Refund can pay it) and the
        owner is alerted; the order's status, a fact of the past, stays."""
        refund = event.provider_payment_id or "?"
        if event.provider_payment_id and order.refund_failed(refund):
            # Told before (another event about the same refund), or it failed when it was made
            # and never counted as refunded: owing it again would let it be refunded twice.
            log.info("payment.refund_failure_known", order=order.number, refund=refund)
            return order
        log.error("payment.refund_failed", alert=True, order=order.number, refund=refund)
        amount = event.amount
        if amount is None or amount.currency != order.currency or not 0 < amount.minor <= order.refunded_amount:
            return order
        return await self.shop.store.record_amounts(
            order.number,
            refunded_amount=order.refunded_amount - amount.minor,
            note=f"refund {refund} failed: {amount} owed again",
        )

    async def _refunded_outside(self, order: Order, event: PaymentEvent) -> Order:
        """Money the provider says went back, made outside chatshop (its dashboard): recorded on the
        order, the owner alerted and the customer told; the order's Refund then offers only what is
        left, so nothing is refunded twice. A total the order already counts (a refund of ours, or
        this news told before) changes nothing."""
        total = event.amount
        if total is None or total.currency != order.currency:
            log.error("payment.refund_unreadable", alert=True, order=order.number, method=event.method)
            return order
        refunded = min(total.minor, order.paid_amount)
        if refunded <= order.refunded_amount:
            log.info("payment.refund_known", order=order.number, method=event.method)
            return order
        amount = Money(refunded - order.refunded_amount, order.currency)
        note = f"refunded {amount} at {event.method} ({event.raw_status or 'outside chatshop'})"
        log.warning("payment.refunded_outside", alert=True, order=order.number, method=event.method, amount=str(amount))
        if refunded >= order.paid_amount and order.can_become(OrderStatus.REFUNDED):
            try:
                order, _ = await self.shop.store.transition_order(
                    order.number, OrderStatus.REFUNDED, note=note, refunded_amount=refunded
                )
            except IllegalTransition:  # moved meanwhile: the amount is recorded all the same
                order = await self.shop.store.record_amounts(order.number, refunded_amount=refunded, note=note)
        else:
            order = await self.shop.store.record_amounts(order.number, refunded_amount=refunded, note=note)
        await self.tell(order, "refunded", amount=amount.format(await self._locale(order)))
        return order

    async def _disputed(self, order: Order, event: PaymentEvent) -> Order:
        """A chargeback: written on the order (which then refuses refunds) and alerted, once per
        dispute; one the order knows already (told twice, or its end came first) changes nothing."""
        dispute = event.dispute_id or event.event_id
        if order.dispute_known(dispute):
            log.info("payment.dispute_known", order=order.number, dispute=dispute)
            return order
        amount = str(event.amount) if event.amount is not None else "?"
        log.error("payment.disputed", alert=True, order=order.number, method=event.method, amount=amount)
        why = f" ({event.raw_status})" if event.raw_status else ""
        return await self.shop.store.record_amounts(
            order.number,
            note=f"dispute of {amount} at {event.method}: {dispute}{why}; answer it in the provider's dashboard",
        )

    async def _dispute_won(self, order: Order, event: PaymentEvent) -> Order:
        """A dispute ended with the money staying with the shop: noted, and the order may be
        refunded again (unless another of its disputes is still open)."""
        dispute = event.dispute_id or event.event_id
        if order.dispute_ended(dispute):
            log.info("payment.dispute_end_known", order=order.number, dispute=dispute)
            return order
        log.info("payment.dispute_won", order=order.number, method=event.method, dispute=dispute)
        how = event.raw_status or "won"
        return await self.shop.store.record_amounts(
            order.number, note=f"dispute {dispute} over at {event.method} ({how}): the payment stands"
        )

    async def _dispute_lost(self, order: Order, event: PaymentEvent) -> Order:
        """A dispute ended with the bank giving the money back to the customer: the order counts it
        as refunded (all of it: refunded), so nothing is refunded on top, and the owner is alerted;
        once per dispute, however often it is told."""
        dispute = event.dispute_id or event.event_id
        if order.dispute_ended(dispute):
            log.info("payment.dispute_end_known", order=order.number, dispute=dispute)
            return order
        left = order.paid_amount - order.refunded_amount
        taken = event.amount
        if taken is None or taken.currency != order.currency:
            # Not an amount the order can count: all that is left counts, never refunded on top.
            log.error("payment.dispute_amount_unreadable", alert=True, order=order.number, method=event.method)
            taken = Money(left, order.currency)
        counted = Money(max(min(taken.minor, left), 0), order.currency)
        refunded = order.refunded_amount + counted.minor
        note = f"dispute {dispute} lost at {event.method}: {counted} back to the customer through their bank"
        log.error("payment.dispute_lost", alert=True, order=order.number, method=event.method, amount=str(counted))
        if order.paid_amount and refunded >= order.paid_amount and order.can_become(OrderStatus.REFUNDED):
            try:
                order, _ = await self.shop.store.transition_order(
                    order.number, OrderStatus.REFUNDED, note=note, refunded_amount=refunded
                )
                return order
            except IllegalTransition:  # moved meanwhile: the amount is recorded all the same
                pass
        return await self.shop.store.record_amounts(order.number, refunded_amount=refunded, note=note)

    async def _dispute_updated(self, order: Order, event: PaymentEvent) -> Order:
        """News of a dispute still open (evidence under review, more wanted): noted, nothing more."""
        dispute = event.dispute_id or event.event_id
        log.info("payment.dispute_updated", order=order.number, dispute=dispute, status=event.raw_status)
        return await self.shop.store.record_amounts(
            order.number, note=f"dispute {dispute} update at {event.method}: {event.raw_status or 'updated'}"
        )

    async def _expired(self, order: Order) -> Order:
        if order.status != OrderStatus.PENDING_PAYMENT:
            return order
        try:
            order = await self.move(order.number, OrderStatus.CANCELLED, "payment expired", notify=False)
        except IllegalTransition:
            return order
        await self.tell(order, "payment_expired", choices=self._retry_choices(order))
        return order

    async def expire_due(self, now: datetime | None = None) -> int:
        """Cancel online orders whose payment window passed, after asking the provider once more."""
        count = 0
        moment = now or utcnow()
        for order in await self.shop.store.expired_unpaid_orders(moment):
            method = self.shop.payment_methods.get(order.payment_method)
            wrong: PaymentEvent | None = None
            if method is not None:
                try:
                    event = await method.poll(order)
                except Exception:
                    log.exception("payment.poll_failed", order=order.number, method=order.payment_method)
                    continue
                if event is not None and event.kind == PaymentEventKind.PROCESSING:
                    await self._still_processing(order, method, moment)
                    continue
                if event is not None and event.kind == PaymentEventKind.PAID:
                    applied = await self.apply_payment_event(event)
                    if applied is None or applied.status is not OrderStatus.PENDING_PAYMENT:
                        continue
                    # Paid, but not the order's total (refused as payment): the window closes all
                    # the same, and the money goes back, rather than the order holding its stock
                    # for good while each sweep finds the same payment again.
                    wrong = event
                current = await self.shop.store.get_order(order.number)
                if current is None or current.payment_ref != order.payment_ref:
                    continue  # the customer got a new link meanwhile ("Try again"): it has its own window
                try:
                    await method.expire(order)
                except Exception:
                    log.exception("payment.expire_failed", order=order.number, method=order.payment_method)
            expired = await self._expired(order)
            if wrong is not None:
                await self._give_back(expired, wrong)
            count += 1
        return count

    async def _still_processing(self, order: Order, method: PaymentMethod, now: datetime) -> None:
        """The customer paid by a method that settles later (a bank debit): the order keeps its
        stock and waits another payment window, then the provider is asked again. Its settling
        event pays it; one that failed lets the next sweep cancel it."""
        current = await self.shop.store.get_order(order.number)
        if current is None or current.status != OrderStatus.PENDING_PAYMENT or current.payment_ref != order.payment_ref:
            return  # moved meanwhile (paid, or a new link): nothing to extend
        log.info("payment.still_processing", order=order.number, method=method.name)
        await self.shop.store.set_order_payment(
            order.number, ref=current.payment_ref, url=current.payment_url, expires_at=now + method.payment_window()
        )

    async def _give_back(self, order: Order, payment: PaymentEvent) -> None:
        """Refund a payment that did not match its order, once the order is cancelled."""
        if payment.amount is None or payment.amount.currency != order.currency:
            # Not an amount the order's refund can express: the owner refunds it by hand.
            log.error("payment.mismatch_not_refunded", alert=True, order=order.number, method=payment.method)
            return
        try:
            await self._late(order, payment, payment.amount)
        except Exception:
            log.exception("payment.mismatch_refund_failed", alert=True, order=order.number)

    # --- what a placement or a move sets off (see chatshop.order_effects) ---------------------
    def _owed(self, notify: bool = True) -> Owed:
        """The job a placement or a move writes with itself: due when a worker that died
        carrying out its effects would have lost its customers' turns too."""
        return Owed(self.shop.now() + timedelta(seconds=self.shop.config.server.lease_seconds), notify)

    async def _carry_out_now(self, effects: Effects, order: Order) -> Order | None:
        """Carry out what the change to ``order`` this worker just committed owes, and strike it
        off; the order as they left it. When they fail they stay owed (None), and a sweeper carries
        them out again: the change stands, and the caller (a payment webhook, the owner's command)
        is not told it failed."""
        try:
            order = await self.carry_out(effects, order)
        except Exception:
            log.exception("order.effects_deferred", order=effects.number, status=effects.new.value)
            return None
        await self.shop.store.cancel_job(EFFECTS, effects.key)
        return order

    async def carry_out(self, effects: Effects, order: Order | None = None, *, late: bool = False) -> Order:
        """The plugins hear of the change, and the customer is told of it (``notify``); the order
        as the hooks left it. ``order``: as the change left it, if the caller has it.

        ``late``: a sweeper carrying out what a worker did not; the customer is then told only
        while the order is still where the change put it."""
        order = order or await self._get(effects.number)
        if effects.old is None:
            await self.shop.plugins.order_placed(self.shop, order)
            return order
        told = effects.notify and (not late or order.status == effects.new)
        told_first = told and effects.new == OrderStatus.PAID  # before the hooks: their invoice comes after it
        store, mark = self.shop.store, told_mark(effects.key)
        if told_first and not (late and await store.kv_get(mark, self.shop.now()) is not None):
            await self._tell_paid(order)
        try:
            await self.shop.plugins.order_status_changed(self.shop, order, effects.old, effects.new)
        except Exception:
            if told_first:  # the retries of these effects tell the customer no more
                await store.kv_set(mark, "1", expires_at=self.shop.now() + TOLD_KEPT)
            raise
        order = await self._get(effects.number)  # as the hooks left it (cash on delivery records the payment)
        if told and effects.new in _STATUS_TEXT:
            await self.tell_status(order)
        return order

    async def _tell_paid(self, order: Order) -> None:
        locale = await self._locale(order)
        lines = "\n".join(
            f"{ln.quantity} × {ln.title}: {(ln.unit_price * ln.quantity).format(locale)}" for ln in order.lines
        )
        # A status notification: WhatsApp Pay's in-chat bill moves on from "pending" with it.
        await self.tell(order, "payment_received", notification=True, amount=order.total.format(locale), lines=lines)

    # --- telling the customer ----------------------------------------------------------------
    def _retry_choices(self, order: Order) -> tuple[Choice, ...]:
        return (Choice(id=f"reorder:{order.number}", title="try_again"),)

    async def _locale(self, order: Order) -> str:
        return await self.shop.customer_locale(order.customer_key)

    async def tell(
        self,
        order: Order,
        key: str,
        *,
        notification: bool = False,
        choices: tuple[Choice, ...] = (),
        url: str | None = None,
        url_label: str | None = None,
        **values: str,
    ) -> None:
        locale = await self._locale(order)
        text = self.shop.texts.get(locale, key, number=order.number, total=order.total.format(locale), **values)
        message: Outbound
        if notification:
            message = OrderStatusUpdate(
                order_number=order.number,
                status=order.status.value,
                body=text,
                payment_method=order.payment_method,
                url=url,
                url_label=url_label if url else None,
            )
        elif choices:
            message = Buttons(
                body=text,
                choices=tuple(Choice(id=c.id, title=self.shop.texts.get(locale, c.title)) for c in choices),
            )
        else:
            message = Text(body=text)
        await self.shop.notify(order.customer_key, message)

    @asynccontextmanager
    async def _refunding(self, number: str, *, deferred: bool = False) -> AsyncIterator[None]:
        """Hold the order's refunds, across workers, from reading what is refunded to writing it.

        A refund of ours is called and written down under it, and the provider's news of refunds
        (``charge.refunded``, ``refund.processed``, a refund that failed) is applied under it: news
        that arrives while our refund's answer is still on its way would otherwise be taken for a
        refund made outside chatshop (an alert, the customer told twice, a cancel refused), and
        two refunds at once would each write what they alone refunded. The news then waits for the
        provider's next delivery (``deferred``: :class:`PaymentEventDeferred`); a second refund of
        ours is refused, to be asked again. The hold lapses by itself if its worker dies."""
        name, owner = f"refund:{number}", secrets.token_hex(8)
        if not await self.shop.store.acquire_lease(name, owner, REFUND_HOLD_SECONDS):
            if deferred:
                raise PaymentEventDeferred(f"order {number}: a refund is under way")
            raise PaymentError(f"order {number}: a refund is under way; ask again in a minute", retryable=True)
        try:
            yield
        finally:
            await self.shop.store.release_lease(name, owner)

    async def _refund_with(self, order: Order, amount: Money) -> RefundResult:
        """The order's method refunds ``amount``; a refund it reports failed is noted on the order.

        Never while the customer disputes the payment: a dispute they win gives the money back
        already, and a refund on top would pay them twice."""
        if order.disputed:
            raise PaymentError(
                f"order {order.number}: the customer disputed the payment at {order.payment_method}; "
                "answer the dispute in the provider's dashboard instead of refunding"
            )
        try:
            return await self._method(order).refund(order, amount)
        except RefundFailed as e:
            await self.shop.store.record_amounts(order.number, note=f"refund {e.refund_id} failed")
            raise

    def _method(self, order: Order) -> PaymentMethod:
        """The method that took the order's money; one since disabled cannot give it back."""
        method = self.shop.payment_methods.get(order.payment_method)
        if method is None:
            raise PaymentError(
                f"order {order.number} was paid by {order.payment_method}, which is not enabled "
                f"([payments.{order.payment_method}] in shop.toml): it cannot refund"
            )
        return method

    async def _get(self, number: str) -> Order:
        order = await self.shop.store.get_order(number)
        if order is None:
            raise UnknownOrder(number)
        return order


#: News that only follows a payment: a refund or a dispute of it (see :meth:`Ordering._apply`).
_AFTER_PAYMENT = frozenset(
    {
        PaymentEventKind.REFUNDED,
        PaymentEventKind.DISPUTED,
        PaymentEventKind.DISPUTE_WON,
        PaymentEventKind.DISPUTE_LOST,
        PaymentEventKind.DISPUTE_UPDATED,
    }
)

#: What each kind of dispute news does to the order (applied under the order's refunds' hold).
_DISPUTE_NEWS = {
    PaymentEventKind.DISPUTED: Ordering._disputed,
    PaymentEventKind.DISPUTE_WON: Ordering._dispute_won,
    PaymentEventKind.DISPUTE_LOST: Ordering._dispute_lost,
    PaymentEventKind.DISPUTE_UPDATED: Ordering._dispute_updated,
}
