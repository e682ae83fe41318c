"""Pay by Razorpay Payment Link: we create the link, send its short URL in chat, and wait.

Our order number is the link's ``reference_id`` (unique at Razorpay), so a repeated start finds the
link it made before instead of making a second one. Razorpay's own SMS/e-mail notifications are
off: the customer gets the link in the chat they are already in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import structlog
from aiohttp import web

from chatshop.config import read_secret, read_secrets
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
from chatshop.plugins.payments.razorpay import signature
from chatshop.plugins.payments.razorpay.client import RazorpayClient, RazorpayError
from chatshop.plugins.payments.razorpay.config import RazorpayConfig
from chatshop.plugins.payments.razorpay.webhook import parse_event

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.orders import Order

log = structlog.get_logger(__name__)

#: Link states in which nobody can pay the link any more, nor ever will.
_CLOSED = {"expired", "cancelled"}


class Razorpay(PaymentMethod):
    name: ClassVar[str] = "razorpay"
    Config: ClassVar[type[RazorpayConfig]] = RazorpayConfig
    docs = "chatshop's docs/payments.md (Razorpay)"
    label_key: ClassVar[str | None] = "payment_razorpay"

    config: RazorpayConfig

    def __init__(self, shop: Shop, config: RazorpayConfig) -> None:
        super().__init__(shop, config)
        self._key_secret = read_secret(config.key_secret_env)
        self._webhook_secrets = read_secrets(config.webhook_secret_env)
        self._client: RazorpayClient | None = None

    @property
    def client(self) -> RazorpayClient:
        """Built on first use: the shop's HTTP session exists only once the shop has started."""
        if self._client is None:
            self._client = RazorpayClient(
                self.shop.http,
                base_url=self.config.api_base_url,
                key_id=self.config.key_id,
                key_secret=self._key_secret,
                timeout=self.config.request_timeout_seconds,
                retry_delays=self.config.retry_delays_seconds,
            )
        return self._client

    def available(self, context: PaymentContext) -> bool:
        return context.total.currency in self.config.currencies and context.total.minor >= 100

    async def start(self, order: Order) -> PaymentStart:
        link = await self._current_link(order)
        if link is None:
            link = await self._new_link(order, order.number)
        elif link.get("status") == "paid":
            # Paid, and the webhook is still on its way: apply it now rather than ask again.
            event = await self.poll(order)
            if event is not None:  # the core dedups it against the webhook when that comes
                await self.shop.apply_payment_event(event)
            return PaymentStart()
        elif link.get("status") in _CLOSED:
            link = await self._new_link(order, _renewal(order.number, link))
        url = str(link["short_url"])
        expire_by = datetime.fromtimestamp(int(link["expire_by"]), UTC)
        return PaymentStart(
            messages=(await self.payment_request(order, url, expire_by),),
            provider_ref=str(link["id"]),
            url=url,
            expires_at=expire_by,
        )

    async def _current_link(self, order: Order) -> dict[str, Any] | None:
        """The order's link as Razorpay knows it now ("send again"), if it has one."""
        if not (order.payment_ref or "").startswith("plink_"):
            return None
        link = await self.client.fetch_payment_link(order.payment_ref or "")
        if link.get("amount") != order.total.minor:
            raise PaymentError(f"Razorpay link of order {order.number} is for another amount")
        return link

    async def _new_link(self, order: Order, reference: str) -> dict[str, Any]:
        """A link under ``reference``; Razorpay keeps a reference taken for good, even once the
        link expired or was cancelled, so such a link is replaced by one under a new reference."""
        for _ in range(3):
            body = self._link_body(order, reference)
            try:
                link = await self.client.create_payment_link(body)
            except RazorpayError as e:
                if e.retryable or e.status != 400:
                    raise
                taken = await self.client.find_payment_link(reference)
                if taken is None or taken.get("status") not in _CLOSED or taken.get("amount") != order.total.minor:
                    raise
                reference = _renewal(order.number, taken)
                continue
            log.info(
                "razorpay.link_created", order=order.number, link=link.get("id"), renewal=reference != order.number
            )
            link.setdefault("expire_by", body["expire_by"])
            return link
        raise PaymentError(f"Razorpay: no new link for order {order.number}")

    def _link_body(self, order: Order, reference: str) -> dict[str, Any]:
        total = order.total
        expire_by = datetime.now(UTC) + timedelta(minutes=self.config.link_expiry_minutes)
        body: dict[str, Any] = {
            "amount": total.minor,
            "currency": total.currency,
            "reference_id": reference,
            "description": f"Order {order.number}",
            "expire_by": int(expire_by.timestamp()),
            "notify": {"sms": False, "email": False},
            "reminder_enable": False,
            "notes": {"order_number": order.number},
        }
        if self.config.upi_link:
            body["upi_link"] = True
        return body

    def routes(self) -> Sequence[web.RouteDef]:
        return (web.post("", self.webhook),)

    async def webhook(self, request: web.Request) -> web.Response:
        """``POST /webhooks/payments/razorpay``: verify first, then apply; 401 changes nothing."""
        body = await request.read()
        given = request.headers.get("X-Razorpay-Signature")
        if not signature.verify_any(body, given, self._webhook_secrets):
            log.warning("razorpay.bad_signature")
            return web.Response(status=401, text="invalid signature")
        try:
            event = parse_event(body, self.name)
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("razorpay.unreadable_event")
            return web.Response(status=400, text="unreadable event")
        if event is not None:
            await self.shop.apply_payment_event(event)
        return web.Response(status=200, text="ok")

    async def refund(self, order: Order, amount: Money) -> RefundResult:
        payment_id = await self._captured_payment_id(order)
        body: dict[str, Any] = {
            "amount": amount.minor,
            "speed": self.config.refund_speed,
            "notes": {"order_number": order.number},
        }
        # Same order, same refunded-so-far, same amount: the same refund, whatever retried it; a
        # refund that failed is not replayed.
        key = order.refund_key(amount)
        refund = await self.client.refund(payment_id, body, key)
        if refund.get("status") == "failed":  # pending -> processed | failed: nothing went back
            log.error("razorpay.refund_failed", alert=True, order=order.number, refund=refund.get("id"))
            raise RefundFailed(
                f"Razorpay refund {refund.get('id')} for order {order.number} failed", refund_id=str(refund.get("id"))
            )
        log.info("razorpay.refunded", order=order.number, refund=refund.get("id"))
        return RefundResult(
            refund_id=str(refund["id"]),
            amount=Money.reported(refund.get("amount", amount.minor), amount.currency) or amount,
            pending=refund.get("status") != "processed",
            details={"payment_id": payment_id, "speed": self.config.refund_speed},
        )

    async def poll(self, order: Order) -> PaymentEvent | None:
        if not order.payment_ref:
            return None
        link = await self.client.fetch_payment_link(order.payment_ref)
        status = str(link.get("status"))
        kind = {
            "paid": PaymentEventKind.PAID,
            "expired": PaymentEventKind.EXPIRED,
            "cancelled": PaymentEventKind.CANCELLED,
        }.get(status)
        if kind is None:
            return None
        amount = None
        if kind is PaymentEventKind.PAID:
            amount = Money.reported(link.get("amount_paid"), link.get("currency"))
        return PaymentEvent(
            method=self.name,
            event_id=f"poll:{order.payment_ref}:{status}",
            kind=kind,
            order_number=order.number,
            amount=amount,
            provider_payment_id=_captured(link),
            provider_ref=order.payment_ref,
            raw_status=status,
        )

    async def expire(self, order: Order) -> None:
        if not order.payment_ref:
            return
        try:
            await self.client.cancel_payment_link(order.payment_ref)
        except RazorpayError as e:
            if e.retryable:
                raise
            # Already expired, cancelled or paid: nothing left to close.
            log.info("razorpay.cancel_refused", order=order.number, code=e.code)

    async def _captured_payment_id(self, order: Order) -> str:
        ref = order.payment_ref or ""
        if ref.startswith("pay_"):
            return ref
        if not ref:
            raise PaymentError(f"order {order.number} has no Razorpay payment to refund")
        payment_id = _captured(await self.client.fetch_payment_link(ref))
        if payment_id is None:
            raise PaymentError(f"order {order.number}: no captured Razorpay payment to refund")
        return payment_id


def _renewal(number: str, replaced: dict[str, Any]) -> str:
    """The reference of the link that replaces ``replaced``: the same on every retry of one renewal."""
    return f"{number}.{str(replaced.get('id', '')).removeprefix('plink_')}"[:40]


def _captured(link: dict[str, Any]) -> str | None:
    for payment in link.get("payments") or []:
        if payment.get("status") == "captured" and payment.get("payment_id"):
            return str(payment["payment_id"])
    return None
