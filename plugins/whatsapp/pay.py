"""``whatsapp_pay``: India in-chat payment with an ``order_details`` bill and a gateway.

Meta's payment webhook is only a hint ("must not solely rely on these webhooks"): a ``captured``
status is confirmed with Meta's payment lookup, and the core marks the order paid only when the
amount equals the order's.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import structlog

from chatshop.messages import PaymentRequest
from chatshop.money import Money, currency_exponent
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

from . import limits as L
from .config import WhatsAppPayConfig
from .errors import GraphError
from .webhook import PaymentStatus, amount_of

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chatshop.api import Shop
    from chatshop.kv import KeyValueSpace
    from chatshop.orders import Order

    from .channel import WhatsAppChannel

__all__ = ["WhatsAppPay", "reference_for"]

log = structlog.get_logger(__name__)

#: UPI's cap per payment (₹5,00,000); above it WhatsApp needs web-only payment options.
UPI_LIMIT = Money(5_00_000_00, "INR")


def reference_for(order_number: str) -> str:
    """A fresh ``reference_id`` per bill: the order number plus a short random tail."""
    reference = f"{order_number}.{secrets.token_hex(4)}"
    return reference[: L.REFERENCE_ID]


def order_of(reference: str) -> str:
    return reference.split(".", 1)[0]


class WhatsAppPay(PaymentMethod):
    name: ClassVar[str] = "whatsapp_pay"
    Config: ClassVar[type[WhatsAppPayConfig]] = WhatsAppPayConfig
    docs = "chatshop's docs/whatsapp.md (WhatsApp Pay)"
    online: ClassVar[bool] = True
    label_key: ClassVar[str | None] = None  # the core's "pay online" label

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        super().__init__(shop, config)
        assert isinstance(config, WhatsAppPayConfig)
        self.settings = config

    def _channel(self) -> WhatsAppChannel:
        from .channel import WhatsAppChannel

        channel = self.shop.channels.get(WhatsAppChannel.name)
        if not isinstance(channel, WhatsAppChannel):
            raise RuntimeError("whatsapp_pay needs the [channels.whatsapp] section")
        return channel

    def available(self, context: PaymentContext) -> bool:
        return (
            context.channel == "whatsapp"
            and context.total.currency == "INR"
            and 0 < context.total.minor <= UPI_LIMIT.minor
        )

    def payment_window(self) -> timedelta:
        return timedelta(minutes=self.settings.expires_after_minutes)

    async def start(self, order: Order) -> PaymentStart:
        """The bill; asked again (the customer's "Try again"), the same bill, never a second one to pay.

        A fresh ``reference_id`` would make a second payable bill beside the first: both could be
        paid. So an order that has one keeps it, and one Meta already saw paid gets nothing new.
        """
        if order.payment_ref:
            try:
                paid = await self._captured(order)
            except GraphError as error:  # Meta cannot say: the same bill again is safe either way
                log.warning("whatsapp_pay.lookup_failed", code=error.code)
                paid = None
            if paid is not None:
                await self.shop.apply_payment_event(paid)  # its webhook is still on the way
                return PaymentStart()
        reference = order.payment_ref or reference_for(order.number)
        expires = order.payment_expires_at or datetime.now(UTC) + self.payment_window()
        await self._channel().bills.opened(order.number, reference)
        data: dict[str, Any] = {
            "reference_id": reference,
            "gateway": self.settings.gateway,
            "configuration_name": self.settings.configuration_name,
            "goods_type": self.settings.goods_type,
            "expires_at": int(expires.timestamp()),
        }
        catalog_id = self._channel().settings.catalog_id
        if catalog_id:
            data["catalog_id"] = catalog_id
        if order.address and self.settings.goods_type == "physical-goods":
            data["beneficiary"] = {
                "name": order.contact_name or "",
                "address_line1": order.address[:200],
                "country": "India",
                "postal_code": order.postal_code or "",
            }
        locale = await self.shop.customer_locale(order.customer_key)
        body = self.shop.text(locale, "whatsapp_pay_request", number=order.number, total=order.total.format(locale))
        request = PaymentRequest(method=self.name, body=body, order=order.summary(), data=data)
        return PaymentStart(messages=(request,), provider_ref=reference, expires_at=expires)

    async def on_status(self, status: PaymentStatus) -> None:
        """A payment status webhook, verified by signature already; confirmed here, then applied."""
        order_number = order_of(status.reference_id)
        if status.status == "captured":
            amount = await self._confirmed_amount(status)
            if amount is None:
                return
            await self._channel().bills.paid(status.reference_id)
            kind, event_id = PaymentEventKind.PAID, f"{status.reference_id}:captured"
        elif status.transaction_status == "failed":
            kind = PaymentEventKind.FAILED
            event_id = f"{status.reference_id}:failed:{status.transaction_id or status.status_id}"
            amount = status.amount
        else:
            log.info("whatsapp_pay.pending", status=status.status)
            return
        event = PaymentEvent(
            method=self.name,
            event_id=event_id,
            kind=kind,
            order_number=order_number,
            amount=amount,
            provider_payment_id=status.transaction_id,
            raw_status=f"{status.status}/{status.transaction_status or ''}",
        )
        await self.shop.apply_payment_event(event)

    async def refund(self, order: Order, amount: Money) -> RefundResult:
        """Meta's refund API; the gateway pays back (``normal`` speed: days, no extra fee).

        Meta's ``payments_refund`` takes no idempotency key: each call it accepts is one more refund.
        So the refund's key (``order.refund_key``) is kept in this method's own space before the
        call, with the refunds Meta listed for the bill then, and its refund id after it. Asked
        again, a refund with an id is answered from there; one whose answer was lost is found in
        Meta's record of the payment (a refund of that amount it did not list before), not made twice.
        """
        if not order.payment_ref:
            raise PaymentError(f"order {order.number} has no WhatsApp bill to refund")
        key = order.refund_key(amount)
        known = await self._refund_record(key)
        if known.get("id"):
            return self._refund_result(order, amount, known)
        listed = await self._listed_refunds(order.payment_ref)
        if "before" in known:  # asked before, its answer lost: did Meta make it?
            made = [r for r in listed.values() if r["id"] not in known["before"] and _value(r) == amount.minor]
            if made:
                return await self._refunded(order, amount, key, made[0])
        await self._space().set(_refund_key(key), json.dumps({"before": sorted(listed)}), ttl=_KEEP_REFUNDS)
        offset = 10 ** currency_exponent(amount.currency)
        money = {"currency": amount.currency, "value": amount.minor, "offset": offset}
        try:
            body = await self._channel().client.refund(self.settings.configuration_name, order.payment_ref, money)
        except GraphError as error:
            raise PaymentError(f"WhatsApp refused the refund: {error}", retryable=error.retryable) from None
        if not body.get("id"):
            raise PaymentError("WhatsApp could not refund the payment")
        return await self._refunded(order, amount, key, body)

    def _space(self) -> KeyValueSpace:
        return self.shop.kv(self.name)

    async def _refund_record(self, key: str) -> dict[str, Any]:
        stored = await self._space().get(_refund_key(key))
        return dict(json.loads(stored)) if stored else {}

    async def _listed_refunds(self, reference: str) -> dict[str, Mapping[str, Any]]:
        """The refunds Meta's record of the bill lists, by id."""
        try:
            record = await self._channel().client.payment(self.settings.configuration_name, reference)
        except GraphError as error:
            message = f"WhatsApp could not say what was refunded: {error}"
            raise PaymentError(message, retryable=error.retryable) from None
        refunds = (record or {}).get("refunds") or []
        return {str(r["id"]): r for r in refunds if isinstance(r, Mapping) and r.get("id")}

    async def _refunded(self, order: Order, amount: Money, key: str, refund: Mapping[str, Any]) -> RefundResult:
        known = {"id": str(refund["id"]), "status": str(refund.get("status", ""))}
        await self._space().set(_refund_key(key), json.dumps(known), ttl=_KEEP_REFUNDS)
        return self._refund_result(order, amount, known)

    def _refund_result(self, order: Order, amount: Money, known: Mapping[str, Any]) -> RefundResult:
        if known.get("status") == "failed":
            log.error("whatsapp_pay.refund_failed", alert=True, order=order.number, refund=known["id"])
            raise RefundFailed(f"WhatsApp refund {known['id']} for order {order.number} failed", refund_id=known["id"])
        return RefundResult(refund_id=known["id"], amount=amount, pending=known.get("status") != "completed")

    async def poll(self, order: Order) -> PaymentEvent | None:
        """Meta's record of the bill, asked before the core gives up waiting (a lost webhook)."""
        return await self._captured(order)

    async def _captured(self, order: Order) -> PaymentEvent | None:
        """The bill's payment as Meta records it, when it is captured."""
        if not order.payment_ref:
            return None
        record = await self._channel().client.payment(self.settings.configuration_name, order.payment_ref)
        if record is None or record.get("status") != "captured":
            return None
        return PaymentEvent(
            method=self.name,
            event_id=f"{order.payment_ref}:captured",
            kind=PaymentEventKind.PAID,
            order_number=order.number,
            amount=amount_of(record.get("amount"), record.get("currency")),
            raw_status="captured",
        )

    async def _confirmed_amount(self, status: PaymentStatus) -> Money | None:
        if not self.settings.confirm_with_lookup:
            return status.amount
        record = await self._channel().client.payment(self.settings.configuration_name, status.reference_id)
        if record is None or record.get("status") != "captured":
            log.warning("whatsapp_pay.capture_not_confirmed", found=bool(record))
            return None
        return amount_of(record.get("amount"), record.get("currency"))


#: How long a refund's record is kept: far longer than anyone retries a refund.
_KEEP_REFUNDS = timedelta(days=30)


def _refund_key(key: str) -> str:
    return f"refund:{key}"


def _value(refund: Mapping[str, Any]) -> int | None:
    amount = refund.get("amount")
    value = amount.get("value") if isinstance(amount, Mapping) else None
    return value if isinstance(value, int) else None
