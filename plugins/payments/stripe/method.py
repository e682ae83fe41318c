"""Pay by Stripe Checkout Session: one session per order, its URL sent in chat.

The session's ``client_reference_id`` is our order number, so the webhook names the order without
a lookup. Sending the link again reuses the order's session while it is open; a new session's
expiry is part of its idempotency key, so a retried create gets the session the first one made.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import structlog
from aiohttp import web

from chatshop.config import read_secret, read_secrets
from chatshop.messages import Text
from chatshop.money import Money
from chatshop.payments import (
    PaymentContext,
    PaymentError,
    PaymentEvent,
    PaymentEventKind,
    PaymentMethod,
    PaymentStart,
    RefundFailed,
    RefundResult,
)
from chatshop.plugins.payments.stripe import signature
from chatshop.plugins.payments.stripe.amounts import below_minimum, from_stripe, to_stripe
from chatshop.plugins.payments.stripe.client import StripeClient, StripeError
from chatshop.plugins.payments.stripe.config import StripeConfig
from chatshop.plugins.payments.stripe.webhook import (
    event_from_session,
    parse_event,
    payment_intent_id,
)

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.orders import Order

log = structlog.get_logger(__name__)

#: Stripe refuses an ``expires_at`` under 30 minutes ahead; the margin covers the trip there.
_MIN_AHEAD = timedelta(minutes=30, seconds=60)
_REFUND_FAILED = {"failed", "canceled"}


class Stripe(PaymentMethod):
    name: ClassVar[str] = "stripe"
    Config: ClassVar[type[StripeConfig]] = StripeConfig
    docs = "chatshop's docs/payments.md (Stripe)"
    label_key: ClassVar[str | None] = "payment_stripe"

    config: StripeConfig

    def __init__(self, shop: Shop, config: StripeConfig) -> None:
        super().__init__(shop, config)
        self._secret_key = read_secret(config.secret_key_env)
        self._webhook_secrets = read_secrets(config.webhook_secret_env)
        self._client: StripeClient | None = None

    @property
    def client(self) -> StripeClient:
        """Built on first use: the shop's HTTP session exists only once the shop has started."""
        if self._client is None:
            self._client = StripeClient(
                self.shop.http,
                base_url=self.config.api_base_url,
                secret_key=self._secret_key,
                api_version=self.config.api_version,
                timeout=self.config.request_timeout_seconds,
                retry_delays=self.config.retry_delays_seconds,
            )
        return self._client

    def available(self, context: PaymentContext) -> bool:
        """Offered when Stripe can charge the total exactly (a KWD total must end in 0) and it is
        not below Stripe's minimum charge (USD 0.50, GBP 0.30, JPY 50, ...): such an order would
        only ever get "Try again"."""
        return to_stripe(context.total) is not None and not below_minimum(context.total)

    async def start(self, order: Order) -> PaymentStart:
        session = await self._current_session(order)
        if session is not None and session.get("status") == "complete":
            if session.get("payment_status") == "paid" or await self._settling(session):
                return await self._already_paying(order, session)
            session = None  # its bank debit failed: the customer pays again, in a new session
        if session is None or session.get("status") != "open" or session.get("amount_total") != to_stripe(order.total):
            session = await self._create_session(order)
        url = str(session["url"])
        expires = datetime.fromtimestamp(int(session["expires_at"]), UTC)
        return PaymentStart(
            messages=(await self.payment_request(order, url, expires),),
            provider_ref=str(session["id"]),
            url=url,
            expires_at=expires,
        )

    async def _current_session(self, order: Order) -> dict[str, Any] | None:
        """The session this order already has, as Stripe knows it now ("send again")."""
        if not (order.payment_ref or "").startswith("cs_"):
            return None
        return await self.client.retrieve_checkout_session(order.payment_ref or "")

    async def _already_paying(self, order: Order, session: dict[str, Any]) -> PaymentStart:
        """The customer went through Checkout and the webhook is still on its way: never a second
        session to pay. Paid: applied now. A delayed method (a bank debit) still settling: said so."""
        if session.get("payment_status") == "paid":
            event_id = f"poll:{session.get('id')}:{PaymentEventKind.PAID}"
            await self.shop.apply_payment_event(
                event_from_session(session, event_id, PaymentEventKind.PAID, self.name, order.number)
            )
            return PaymentStart()
        locale = await self.shop.customer_locale(order.customer_key)
        log.info("stripe.payment_processing", order=order.number, session=session.get("id"))
        return PaymentStart(messages=(Text(body=self.shop.text(locale, "payment_processing", number=order.number)),))

    async def _create_session(self, order: Order) -> dict[str, Any]:
        now = datetime.now(UTC)
        placed = order.created_at or now
        wanted = placed + timedelta(minutes=self.config.link_expiry_minutes)
        expires_at = max(wanted, now + _MIN_AHEAD).replace(second=0, microsecond=0)
        if expires_at < now + timedelta(minutes=30):
            expires_at += timedelta(minutes=1)
        return_url = self.shop.public_url(f"/webhooks/payments/{self.name}/return")
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": order.number,
            "line_items": _line_items(order),
            "success_url": self.config.success_url or f"{return_url}?order={order.number}",
            "cancel_url": self.config.cancel_url or f"{return_url}?order={order.number}&cancelled=1",
            "expires_at": int(expires_at.timestamp()),
            "metadata": {"order_number": order.number},
            "payment_intent_data": {"metadata": {"order_number": order.number}},
        }
        if self.config.payment_method_types:
            params["payment_method_types"] = self.config.payment_method_types
        # A replayed key returns the first answer, even a session that has expired since: the
        # session this one replaces is part of the key.
        replaces = order.payment_ref or "first"
        key = f"chatshop-{order.number}-session-{params['expires_at']}-{replaces}"
        session = await self.client.create_checkout_session(params, key)
        if session.get("amount_total") != to_stripe(order.total):
            raise PaymentError(f"Stripe session total differs from order {order.number}")
        session["expires_at"] = session.get("expires_at") or params["expires_at"]
        log.info("stripe.session_created", order=order.number, session=session.get("id"))
        return session

    def routes(self) -> Sequence[web.RouteDef]:
        return (web.post("", self.webhook), web.get("/return", self.return_page))

    async def webhook(self, request: web.Request) -> web.Response:
        """``POST /webhooks/payments/stripe``: verify first, then apply; 401 changes nothing."""
        body = await request.read()
        given = request.headers.get("Stripe-Signature")
        tolerance = self.config.webhook_tolerance_seconds
        now = time.time()
        if not any([signature.verify(body, given, s, tolerance=tolerance, now=now) for s in self._webhook_secrets]):
            log.warning("stripe.bad_signature")
            return web.Response(status=401, text="invalid signature")
        try:
            event = parse_event(body, self.name)
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("stripe.unreadable_event")
            return web.Response(status=400, text="unreadable event")
        if event is not None and not await self._replaced(event, body):
            await self.shop.apply_payment_event(event)
        return web.json_response({"received": True})

    async def _replaced(self, event: PaymentEvent, body: bytes) -> bool:
        """An expiry or failure of a session the order no longer uses ("Try again" made a new one).

        A payment of the old session still counts: the core checks its amount.
        """
        if event.kind not in (PaymentEventKind.FAILED, PaymentEventKind.EXPIRED, PaymentEventKind.CANCELLED):
            return False
        session_id = ((json.loads(body).get("data") or {}).get("object") or {}).get("id")
        order = await self.shop.store.get_order(event.order_number)
        current = order.payment_ref if order is not None else None
        if session_id and current and current.startswith("cs_") and current != session_id:
            log.info("stripe.replaced_session_event", order=event.order_number, kind=event.kind.value)
            return True
        return False

    async def return_page(self, request: web.Request) -> web.Response:
        """Where Checkout sends the customer back; the webhook, not this page, confirms payment."""
        cancelled = request.query.get("cancelled") == "1"
        message = (
            "Payment cancelled. You can go back to the chat and try again."
            if cancelled
            else "Thank you! You can go back to the chat; we confirm your payment there."
        )
        html = f"<!doctype html><meta charset=utf-8><title>Payment</title><p>{message}</p>"
        return web.Response(text=html, content_type="text/html")

    async def refund(self, order: Order, amount: Money) -> RefundResult:
        intent = await self._payment_intent(order)
        value = to_stripe(amount)
        if value is None:
            raise PaymentError(f"Stripe cannot refund exactly {amount} (its {amount.currency} amounts end in 0)")
        params = {
            "payment_intent": intent,
            "amount": value,
            "reason": "requested_by_customer",
            "metadata": {"order_number": order.number},
        }
        key = f"chatshop-{order.number}-refund-{order.refunded_amount}-{amount.minor}"
        if order.failed_refunds:  # the failed one is not to be replayed
            key += f"-{order.failed_refunds}"
        refund = await self.client.create_refund(params, key)
        status = str(refund.get("status"))
        if status in _REFUND_FAILED:
            raise RefundFailed(f"Stripe refund for order {order.number} {status}", refund_id=str(refund.get("id")))
        log.info("stripe.refunded", order=order.number, refund=refund.get("id"), status=status)
        refunded = refund.get("amount")
        given = from_stripe(refunded, amount.currency) if isinstance(refunded, int) else None
        return RefundResult(
            refund_id=str(refund["id"]),
            amount=given or amount,
            pending=status != "succeeded",
            details={"payment_intent": intent, "status": status},
        )

    async def poll(self, order: Order) -> PaymentEvent | None:
        if not order.payment_ref or not order.payment_ref.startswith("cs_"):
            return None
        session = await self.client.retrieve_checkout_session(order.payment_ref)
        if session.get("status") == "complete" and session.get("payment_status") == "paid":
            kind = PaymentEventKind.PAID
        elif session.get("status") == "expired":
            kind = PaymentEventKind.EXPIRED
        elif session.get("status") == "complete" and await self._settling(session):
            kind = PaymentEventKind.PROCESSING  # a bank debit takes days: the order waits for it
        else:
            return None
        event_id = f"poll:{order.payment_ref}:{kind}"
        return event_from_session(session, event_id, kind, self.name, order.number)

    async def expire(self, order: Order) -> None:
        if not order.payment_ref or not order.payment_ref.startswith("cs_"):
            return
        try:
            await self.client.expire_checkout_session(order.payment_ref)
        except StripeError as e:
            if e.retryable:
                raise
            # Only open sessions can be expired: it is already complete or expired.
            log.info("stripe.expire_refused", order=order.number, code=e.code)

    async def _settling(self, session: dict[str, Any]) -> bool:
        """Whether the completed, unpaid session's payment is a bank debit still running (its
        PaymentIntent ``processing``) rather than one that failed (``requires_payment_method``)."""
        intent = session.get("payment_intent")
        if not isinstance(intent, dict):
            intent_id = payment_intent_id(session)
            if intent_id is None:
                return False
            intent = await self.client.retrieve_payment_intent(intent_id)
        return intent.get("status") == "processing"

    async def _payment_intent(self, order: Order) -> str:
        ref = order.payment_ref or ""
        if ref.startswith("pi_"):
            return ref
        if not ref.startswith("cs_"):
            raise PaymentError(f"order {order.number} has no Stripe payment to refund")
        intent = payment_intent_id(await self.client.retrieve_checkout_session(ref))
        if intent is None:
            raise PaymentError(f"order {order.number}: the Stripe session has no payment")
        return intent


def _line_items(order: Order) -> list[dict[str, Any]]:
    """The order's lines and fees as Checkout shows them, in Stripe's units of the currency.

    Checkout has no negative line items, so a discounted order is shown as its total only; so is an
    order with a line Stripe cannot price exactly (a KWD unit price not ending in 0).
    """
    currency = order.currency.lower()

    def item(name: str, unit: int | None, quantity: int) -> dict[str, Any]:
        price = {"currency": currency, "unit_amount": unit, "product_data": {"name": name[:250]}}
        return {"price_data": price, "quantity": quantity}

    total = to_stripe(order.total)
    if total is None:
        raise PaymentError(f"Stripe cannot charge exactly {order.total} for order {order.number}")
    if below_minimum(order.total):
        raise PaymentError(f"order {order.number}: {order.total} is below Stripe's minimum charge")
    items = [item(line.title, to_stripe(line.unit_price), line.quantity) for line in order.lines]
    items += [item(label, to_stripe(amount), 1) for label, amount in order.adjustments if amount.minor > 0]
    exact = all(i["price_data"]["unit_amount"] is not None for i in items)
    if not exact or any(amount.minor < 0 for _, amount in order.adjustments):
        return [item(f"Order {order.number}", total, 1)]
    return items
