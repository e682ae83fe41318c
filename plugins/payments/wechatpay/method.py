"""Pay with WeChat Pay API v3: JSAPI inside WeChat, a Native-pay code everywhere else.

A WeChat customer's id is their OpenID under the Official Account, so they pay with JSAPI on a
small page of ours (see :mod:`.page`); customers on other channels get a ``weixin://`` code URL to
scan. Our order number is the ``out_trade_no``; the expiry comes from the order's placement time,
so repeating a create sends identical parameters and WeChat Pay returns the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import structlog
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.config import ConfigError, ConfigProblem, read_secret
from chatshop.money import Money
from chatshop.payments import (
    PaymentContext,
    PaymentEvent,
    PaymentEventKind,
    PaymentMethod,
    PaymentStart,
    RefundFailed,
    RefundResult,
)
from chatshop.plugins.payments.wechatpay import crypto
from chatshop.plugins.payments.wechatpay.client import WeChatPayClient, WeChatPayError
from chatshop.plugins.payments.wechatpay.config import WeChatPayConfig
from chatshop.plugins.payments.wechatpay.webhook import (
    FAIL_BODY,
    open_notification,
    transaction_event,
    verify_notification,
)

if TYPE_CHECKING:
    from chatshop.api import Shop
    from chatshop.kv import KeyValueSpace
    from chatshop.orders import Order

log = structlog.get_logger(__name__)

K = TypeVar("K")
_CHINA = timezone(timedelta(hours=8))
_SECTION = "payments.wechatpay"
#: Refund notifications saying the money did not reach the customer (the card account was closed…).
REFUND_FAILED = frozenset({"REFUND.ABNORMAL", "REFUND.CLOSED"})


class WeChatPay(PaymentMethod):
    name: ClassVar[str] = "wechatpay"
    Config: ClassVar[type[WeChatPayConfig]] = WeChatPayConfig
    docs = "chatshop's docs/payments.md (WeChat Pay)"
    label_key: ClassVar[str | None] = "payment_wechatpay"

    config: WeChatPayConfig

    def __init__(self, shop: Shop, config: WeChatPayConfig) -> None:
        super().__init__(shop, config)
        problems: list[ConfigProblem] = []
        self._apiv3_key = read_secret(config.apiv3_key_env).encode()
        if len(self._apiv3_key) != 32:
            message = "the APIv3 key must be 32 bytes"
            problems.append(ConfigProblem(path=f"{_SECTION}.apiv3_key_env", message=message))
        private_key = _load(shop, "private_key_file", config.private_key_file, crypto.load_private_key, problems)
        platform_keys: dict[str, rsa.RSAPublicKey] = {}
        for key_id, file in config.signing_keys().items():
            where = "platform_public_key_file" if key_id == config.platform_public_key_id else f"platform_keys.{key_id}"
            loaded = _load(shop, where, file, crypto.load_public_key, problems)
            if loaded is not None:
                platform_keys[key_id] = loaded
        problems += _unknown_jsapi_channels(shop, config) + _other_account(shop, config)
        if problems or private_key is None:
            raise ConfigError(problems)
        self._private_key: rsa.RSAPrivateKey = private_key
        #: WeChat Pay's keys by the id its ``Wechatpay-Serial`` names.
        self._platform_keys = platform_keys
        self._client: WeChatPayClient | None = None
        #: The clock notifications are checked against (tests replay old, recorded ones).
        self.now = time.time

    @property
    def client(self) -> WeChatPayClient:
        """Built on first use: the shop's HTTP session exists only once the shop has started."""
        if self._client is None:
            self._client = WeChatPayClient(
                self.shop.http,
                base_url=self.config.api_base_url,
                mchid=self.config.mchid,
                serial_no=self.config.serial_no,
                private_key=self._private_key,
                platform_keys=self._platform_keys,
                timeout=self.config.request_timeout_seconds,
                retry_delays=self.config.retry_delays_seconds,
            )
        return self._client

    def available(self, context: PaymentContext) -> bool:
        return context.total.currency == "CNY" and context.total.minor > 0

    # --- paying ------------------------------------------------------------------------------
    async def start(self, order: Order) -> PaymentStart:
        expires_at = self._expiry(order)
        body = self._transaction(order, expires_at)
        try:
            if self._uses_jsapi(order):
                prepay_id = await self.client.create_jsapi(body)
                kept = max(expires_at - self.shop.now(), _MOMENT)
                await self._prepays().set(f"prepay:{order.number}", prepay_id, ttl=kept)
                url = self.page_url(order.number)
                data = {"mode": "jsapi"}
            else:
                url = await self.client.create_native(body)
                data = {"mode": "native", "qr_code": url}
        except WeChatPayError as e:
            if e.code != "ORDERPAID":
                raise
            # Paid, and the notification is still on its way: apply it now, never ask again.
            event = await self.poll(order)
            if event is None or event.kind is not PaymentEventKind.PAID:
                raise
            await self.shop.apply_payment_event(event)
            return PaymentStart()
        log.info("wechatpay.transaction_created", order=order.number, mode=data["mode"])
        message = await self.payment_request(order, url, expires_at, data)
        return PaymentStart(messages=(message,), provider_ref=order.number, url=url, expires_at=expires_at)

    def page_url(self, number: str) -> str:
        path = f"{self.config.payment_page_path}/{number}?sig={self.page_token(number)}"
        return str(self.shop.public_url(path))

    def page_token(self, number: str) -> str:
        """Keeps strangers from opening someone's payment page by guessing order numbers."""
        digest = hmac.new(self._apiv3_key, f"pay-page:{number}".encode(), hashlib.sha256)
        return digest.hexdigest()[:24]

    async def jsapi_parameters(self, order: Order) -> dict[str, str]:
        """What the page hands to ``getBrandWCPayRequest``, signed with the merchant key."""
        prepay_id = await self._prepays().get(f"prepay:{order.number}")
        if prepay_id is None:  # the cache was lost: the same parameters give the same prepay id
            prepay_id = await self.client.create_jsapi(self._transaction(order, self._expiry(order)))
        params = {
            "appId": self.config.appid,
            "timeStamp": str(int(time.time())),
            "nonceStr": crypto.nonce(),
            "package": f"prepay_id={prepay_id}",
            "signType": "RSA",
        }
        params["paySign"] = crypto.pay_sign(
            self._private_key,
            appid=params["appId"],
            timestamp=params["timeStamp"],
            nonce_str=params["nonceStr"],
            package=params["package"],
        )
        return params

    # --- hearing back ------------------------------------------------------------------------
    def routes(self) -> Sequence[web.RouteDef]:
        return (web.post("", self.webhook),)

    async def webhook(self, request: web.Request) -> web.Response:
        """``POST /webhooks/payments/wechatpay``: verify, decrypt, apply; 204 or the FAIL body."""
        body = await request.read()
        if not verify_notification(
            request.headers,
            body,
            keys=self._platform_keys,
            tolerance=self.config.notification_tolerance_seconds,
            now=self.now(),
        ):
            log.warning("wechatpay.bad_signature")
            return web.json_response(FAIL_BODY, status=401)
        try:
            envelope, resource = open_notification(body, self._apiv3_key)
            event = None
            if envelope.get("event_type") == "TRANSACTION.SUCCESS":
                event = transaction_event(
                    resource,
                    str(envelope.get("id")),
                    method=self.name,
                    mchid=self.config.mchid,
                    appid=self.config.appid,
                )
            elif envelope.get("event_type") in REFUND_FAILED:
                event = self._refund_failed(str(envelope.get("id")), resource)
            else:
                log.info("wechatpay.notification", event_type=envelope.get("event_type"))
        except crypto.DecryptionError:
            # Signed by WeChat Pay but not readable with our key: fail, so it is sent again (WeChat Pay
            # resends on any answer but 200/204; a 4xx says the fault is not a crash of ours).
            log.error("wechatpay.undecryptable", alert=True)
            return web.json_response(FAIL_BODY, status=400)
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("wechatpay.unreadable_notification", alert=True)
            return web.json_response(FAIL_BODY, status=400)
        if event is not None:
            await self.shop.apply_payment_event(event)
        return web.Response(status=204)

    def _prepays(self) -> KeyValueSpace:
        """JSAPI prepay ids by order number, for the payment page (``wechatpay:prepay:NUMBER``)."""
        return self.shop.kv(self.name)

    def _refund_failed(self, event_id: str, refund: dict[str, Any]) -> PaymentEvent | None:
        """A refund WeChat Pay took (PROCESSING) but could not pay out: the order said "refunded",
        so the core owes the amount again, notes it on the order and alerts the owner."""
        number = str(refund.get("out_trade_no") or "")
        if refund.get("mchid") != self.config.mchid or not number:
            log.warning("wechatpay.foreign_refund", alert=True)
            return None
        status = str(refund.get("refund_status") or refund.get("status") or "")
        amount = refund.get("amount")
        refunded = amount.get("refund") if isinstance(amount, dict) else None
        log.info("wechatpay.refund_failed", order=number, status=status)
        return PaymentEvent(
            method=self.name,
            event_id=event_id,
            kind=PaymentEventKind.REFUND_FAILED,
            order_number=number,
            amount=Money.reported(refunded, "CNY"),
            provider_payment_id=str(refund.get("refund_id") or refund.get("out_refund_no") or ""),
            raw_status=f"{refund.get('out_refund_no')} {status}",
        )

    async def poll(self, order: Order) -> PaymentEvent | None:
        transaction = await self.client.query(order.payment_ref or order.number)
        if transaction is None:
            return None
        paid_id = transaction.get("transaction_id") or order.number
        event_id = f"query:{paid_id}:{transaction.get('trade_state')}"
        return transaction_event(
            transaction,
            event_id,
            method=self.name,
            mchid=self.config.mchid,
            appid=self.config.appid,
        )

    async def expire(self, order: Order) -> None:
        """Close the transaction; one WeChat Pay says is paid is applied instead.

        ORDERPAID means the customer paid and the notification has not come (WeChat Pay does not
        promise it ever will): the payment is applied now, so an order cancelled meanwhile is
        refunded instead of the money being kept without an order.
        """
        try:
            await self.client.close(order.payment_ref or order.number)
        except WeChatPayError as e:
            if e.retryable:
                raise
            log.info("wechatpay.close_refused", order=order.number, code=e.code)
            if e.code == "ORDERPAID":
                event = await self.poll(order)
                if event is not None and event.kind is PaymentEventKind.PAID:
                    await self.shop.apply_payment_event(event)

    async def refund(self, order: Order, amount: Money) -> RefundResult:
        paid = order.paid_amount or order.total.minor
        # Same order, same refunded-so-far, same amount: the same refund, however often sent.
        refund_no = f"{order.number}-R{order.refunded_amount}-{amount.minor}"
        if order.failed_refunds:  # a refund reported failed is a new refund, not that one replayed
            refund_no += f"-F{order.failed_refunds}"
        body = {
            "out_trade_no": order.payment_ref or order.number,
            "out_refund_no": refund_no,
            "reason": "订单取消 order cancelled",
            "amount": {"refund": amount.minor, "total": paid, "currency": amount.currency},
        }
        refund = await self.client.refund(body)
        status = str(refund.get("status"))
        if status in ("CLOSED", "ABNORMAL"):
            # Taken but not paid out, and its out_refund_no would only ever give this refund back:
            # noted as failed by the core, so asking again makes a new one.
            raise RefundFailed(
                f"WeChat Pay refund for order {order.number}: {status}",
                refund_id=str(refund.get("refund_id") or refund_no),
            )
        log.info("wechatpay.refunded", order=order.number, refund=refund.get("refund_id"))
        return RefundResult(
            refund_id=str(refund.get("refund_id") or refund_no),
            amount=amount,
            pending=status != "SUCCESS",
            details={"out_refund_no": refund_no, "status": status},
        )

    # --- helpers -----------------------------------------------------------------------------
    def _uses_jsapi(self, order: Order) -> bool:
        return order.channel in self.config.jsapi_channels

    def _expiry(self, order: Order) -> datetime:
        now = datetime.now(UTC)
        expires = (order.created_at or now) + timedelta(minutes=self.config.link_expiry_minutes)
        if expires < now + timedelta(minutes=1):
            expires = now + timedelta(minutes=self.config.link_expiry_minutes)
        return expires.replace(microsecond=0)

    def _transaction(self, order: Order, expires_at: datetime) -> dict[str, Any]:
        total = order.total
        body: dict[str, Any] = {
            "appid": self.config.appid,
            "mchid": self.config.mchid,
            "description": f"{self.shop.config.shop.name} {order.number}"[:127],
            "out_trade_no": order.number,
            "time_expire": expires_at.astimezone(_CHINA).isoformat(timespec="seconds"),
            "notify_url": self.shop.public_url(f"/webhooks/payments/{self.name}"),
            "amount": {"total": total.minor, "currency": total.currency},
        }
        if self._uses_jsapi(order):
            body["payer"] = {"openid": order.customer_id}
        return body


#: The shortest a prepay id is kept (one asked for as its order's window closes).
_MOMENT = timedelta(seconds=1)


def _unknown_jsapi_channels(shop: Shop, config: WeChatPayConfig) -> list[ConfigProblem]:
    """A misspelt channel name would silently turn JSAPI payments into Native codes."""
    plugins = getattr(shop, "plugins", None)
    if "jsapi_channels" not in config.model_fields_set or plugins is None:
        return []  # the default names the wechat channel whether or not this shop has one
    installed = plugins.channel_classes()
    return [
        ConfigProblem(
            path=f"{_SECTION}.jsapi_channels[{i}]",
            message=f"no channel {name!r} (installed: {', '.join(sorted(installed))})",
        )
        for i, name in enumerate(config.jsapi_channels)
        if name not in installed
    ]


def _other_account(shop: Shop, config: WeChatPayConfig) -> list[ConfigProblem]:
    """JSAPI payers are OpenIDs of the wechat channel's account; another appid refuses every one."""
    channel_app_id = (shop.config.channels.get("wechat") or {}).get("app_id")
    if "wechat" not in config.jsapi_channels or not channel_app_id or channel_app_id == config.appid:
        return []
    message = f"{config.appid!r} differs from channels.wechat.app_id {channel_app_id!r}, whose customers pay here"
    return [ConfigProblem(path=f"{_SECTION}.appid", message=message)]


def _load(shop: Shop, key: str, relative: str, loader: Callable[[Path], K], problems: list[ConfigProblem]) -> K | None:
    """A key file relative to shop.toml; a problem naming the config key if it cannot be read."""
    path = shop.config.resolve(relative)
    try:
        return loader(path)
    except (OSError, ValueError, TypeError) as e:
        problems.append(ConfigProblem(path=f"{_SECTION}.{key}", message=f"cannot read {path}: {e}"))
        return None
