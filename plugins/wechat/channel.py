"""The WeChat Official Account channel: verified pushes in, customer-service messages out.

Every push is answered ``success`` as soon as the inbox holds it (well inside WeChat's 5 seconds,
after which WeChat retries and finally shows the customer "this account cannot serve you"). The
shop's replies then go out through the customer-service API, from the durable outbox. Retries of a
push carry the same ``MsgId`` (or sender + time for events), so the inbox drops them. An
``unsubscribe`` is not a message to answer: it erases the customer (their orders stay).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import structlog
from aiohttp import web
from pydantic import BaseModel

from chatshop.channels import (
    Capabilities,
    Channel,
    ReplyWindow,
    SendContext,
    SendError,
    SendResult,
    utf8_bytes,
)
from chatshop.config import ConfigError, ConfigProblem, read_secret
from chatshop.messages import (
    DeliveryReport,
    Inbound,
    InboundKind,
    OrderStatusUpdate,
    Outbound,
    outbound_to_json,
)

from .choices import CHOICE_ID_PATTERN, MAX_MENU_ID_LENGTH, resolve_legacy
from .client import WeChatClient
from .config import TemplateValues, WeChatConfig
from .crypto import CryptoError, WeChatCrypto
from .errors import ReplyWindowClosed
from .inbound import MESSAGE_PREFIX, InboundRejected, parse_push
from .render import MAX_MENU_ITEMS, MAX_TEXT_BYTES, MAX_TEXT_PARTS, render
from .signature import SignatureError, check_fresh, verify
from .token import AccessTokens
from .xml import MAX_BODY_BYTES, XmlRejected, parse_fields

if TYPE_CHECKING:
    from chatshop.api import Shop

__all__ = ["WeChatChannel"]

log = structlog.get_logger(__name__)

#: WeChat's customer-service window: 48 hours after the follower's last message.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=48)

#: The pauses between tries to store a message WeChat was already told we hold (about 15 minutes
#: in all: a database locked by an import, a PostgreSQL failover).
LATE_RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 300.0)

#: How often one worker renews a customer's 48-hour window in the store, at most: a chat's every
#: message would otherwise add a write to the webhook's path. The window may close this much early.
WINDOW_RENEWED_EVERY = timedelta(minutes=10)
#: Customers whose renewal a worker remembers (the oldest are forgotten first).
WINDOW_RENEWALS_KEPT = 10_000

#: How long the progress of a half-sent message is remembered (the 48-hour window and more).
PARTIAL_KEPT_FOR = timedelta(hours=72)


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _refused(e: _Refused) -> web.Response:
    log.warning("wechat.push_refused", status=e.status, reason=str(e))
    return web.Response(status=e.status, text="forbidden" if e.status == 403 else "bad request")


@dataclass(frozen=True, slots=True)
class _Push:
    """A push's signed address (``timestamp:nonce``) and what its body hashes to."""

    address: str
    digest: str


class WeChatChannel(Channel):
    name = "wechat"
    Config = WeChatConfig
    docs = "chatshop's docs/wechat.md"
    capabilities = Capabilities(
        # A text goes in up to four customer-service messages of 2048 UTF-8 bytes each (the renderer
        # splits it at line breaks), so that is one body's room, counted as WeChat counts.
        max_text_length=MAX_TEXT_BYTES * MAX_TEXT_PARTS,
        measure=utf8_bytes,
        max_buttons=0,  # no reply buttons: choices become a msgmenu
        max_choice_id_bytes=MAX_MENU_ID_LENGTH,  # longer ids go out as the core's short stand-ins
        choice_id_pattern=CHOICE_ID_PATTERN,
        max_list_rows=MAX_MENU_ITEMS,
        max_list_sections=1,
        list_row_title_length=30,  # a msgmenu item is one line: "title (description)"
        list_row_description_length=20,
        images=True,
        product_cards=True,
        shares_location=True,
    )

    def __init__(self, shop: Shop, config: BaseModel) -> None:
        super().__init__(shop, config)
        self.settings = cast(WeChatConfig, config)
        #: The clock for the replay window and token expiry; tests move it.
        self.clock: Callable[[], float] = time.time
        self._token = read_secret(self.settings.token_env)
        self._cryptos = self._open_keys()
        self.tokens = AccessTokens(
            app_id=self.settings.app_id,
            secret=read_secret(self.settings.app_secret_env),
            base_url=self.settings.api_base_url,
            session=lambda: self.shop.http,
            kv=self.shop.kv(self.name),
            clock=lambda: self.clock(),
        )
        self.client = WeChatClient(
            base_url=self.settings.api_base_url, session=lambda: self.shop.http, tokens=self.tokens
        )
        self._late: set[asyncio.Task[bool | None]] = set()
        self._stopping = asyncio.Event()
        self._renewed: dict[str, datetime] = {}  # OpenID -> when this worker last renewed its window

    def _open_keys(self) -> list[WeChatCrypto]:
        """The current and previous EncodingAESKey; a malformed one is a config problem at its key."""
        cryptos, problems = [], []
        for key in ("encoding_aes_key_env", "previous_encoding_aes_key_env"):
            var = getattr(self.settings, key)
            if not var:
                continue
            try:
                cryptos.append(WeChatCrypto(read_secret(var), self.settings.app_id))
            except CryptoError as e:
                problems.append(ConfigProblem(path=f"channels.{self.name}.{key}", message=f"{var}: {e}"))
        if problems:
            raise ConfigError(problems)
        return cryptos

    def routes(self) -> Sequence[web.RouteDef]:
        return [web.get("", self.verify_url), web.post("", self.receive_push)]

    def warnings(self) -> list[str]:
        if self.settings.safe_mode:
            return []
        return [
            "plain mode: WeChat signs a push's address but not its body, so whoever sees one address "
            "could send another body with it; chatshop accepts each nonce once, but set "
            "encoding_aes_key_env (safe mode, 安全模式) to close this for good"
        ]

    async def stop(self) -> None:
        self._stopping.set()
        if self._late:  # pushes answered before the inbox held them: let them land
            await asyncio.gather(*self._late, return_exceptions=True)

    # --- inbound ----------------------------------------------------------------------------
    async def verify_url(self, request: web.Request) -> web.Response:
        """The console's URL check: echo ``echostr`` when the signature is right."""
        query = request.query
        try:
            verify(
                query.get("signature"),
                self._token,
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except SignatureError as e:
            log.warning("wechat.verification_refused", reason=str(e))
            return web.Response(status=403, text="forbidden")
        return web.Response(text=query.get("echostr", ""))

    async def receive_push(self, request: web.Request) -> web.Response:
        """A message or event: verify, decrypt, parse, record in the inbox, answer ``success``."""
        started = asyncio.get_running_loop().time()
        try:
            item, push = await self._read_push(request)
        except _Refused as e:
            return _refused(e)
        if isinstance(item, DeliveryReport):
            if await self._first_time(push):
                await self.shop.report_delivery(item)
            return web.Response(text="success")
        if item.kind is InboundKind.EVENT and item.event == "unsubscribe":
            if not await self._first_time(push):  # erasing is not done on a replayed address
                return _refused(_Refused(403, "nonce already used with another body"))
            await self._forget(item)
            return web.Response(text="success")
        budget = self.settings.answer_within_seconds - (asyncio.get_running_loop().time() - started)
        if await self._record(item, budget, push) is None:
            return _refused(_Refused(403, "nonce already used with another body"))
        return web.Response(text="success")

    async def _read_push(self, request: web.Request) -> tuple[Inbound | DeliveryReport, _Push]:
        query = request.query
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        try:
            verify(query.get("signature"), self._token, timestamp, nonce)
            check_fresh(timestamp, self.clock(), self.settings.max_clock_skew_seconds)
        except SignatureError as e:
            raise _Refused(403, str(e)) from None
        body = await _read_body(request)
        push = _Push(f"{timestamp}:{nonce}", hashlib.sha256(body).hexdigest()[:32])
        try:
            fields = parse_fields(body)
            if self._cryptos:
                fields = self._open(fields, query.get("msg_signature"), timestamp, nonce)
            elif "Encrypt" in fields and "MsgType" not in fields:
                raise _Refused(400, "an encrypted push: set encoding_aes_key_env (safe mode)")
            expected = self.settings.original_id
            if expected and fields.get("ToUserName") != expected:
                raise _Refused(403, "push for another account")
            item = parse_push(fields)
        except (XmlRejected, InboundRejected) as e:
            raise _Refused(400, str(e)) from None
        if isinstance(item, Inbound) and item.kind is InboundKind.CHOICE and item.event != "click":
            assert item.choice_id is not None
            item = item.model_copy(update={"choice_id": await resolve_legacy(self.shop.kv(self.name), item.choice_id)})
        return item, push

    async def _first_time(self, push: _Push) -> bool:
        """Whether this signed address (timestamp and nonce) comes with this body only, across workers.

        In plain mode the signature does not cover the body: a captured address replayed within the
        replay window with another body (an ``unsubscribe`` for someone else, a message in their
        name) is refused. WeChat's own retry of a push it got no answer to sends the same body, and
        is let through (the inbox drops the duplicate). Safe mode's ``msg_signature`` covers the
        body already; the check costs nothing there and is kept for every push.
        """
        # Two atomic claims: this address with this body, then this address at all. A push whose
        # pair was seen is WeChat's retry; one that claims the address first is new.
        claims = self.shop.kv(self.name)
        retried = not await claims.claim(f"push:{push.address}:{push.digest}")
        first = await claims.claim(f"nonce:{push.address}")
        if not (first or retried):
            log.warning("wechat.replayed_address", alert=True)
        return first or retried

    def _open(self, envelope: dict[str, str], msg_signature: str | None, timestamp: str, nonce: str) -> dict[str, str]:
        """Safe mode: check ``msg_signature`` over the ciphertext, decrypt, parse the inner XML."""
        encrypted = envelope.get("Encrypt", "")
        if not encrypted:
            raise _Refused(400, "safe mode expects an Encrypt field")
        try:
            verify(msg_signature, self._token, timestamp, nonce, encrypted)
        except SignatureError as e:
            raise _Refused(403, f"msg_signature: {e}") from None
        for crypto in self._cryptos:  # the current key, then the one before the last rotation
            try:
                return parse_fields(crypto.decrypt(encrypted))
            except CryptoError:
                continue
        raise _Refused(400, "cannot decrypt with the configured EncodingAESKey")

    async def _forget(self, inbound: Inbound) -> None:
        """The customer unfollowed: WeChat requires deleting their data (为保护用户数据隐私，开发者收到用户
        取消关注事件时需要删除该用户的所有信息). Their orders stay whole, as the shop's record of a sale;
        a failure answers 500, so WeChat sends the event again."""
        erased = await self.shop.store.forget_customer(inbound.customer_key)
        self._renewed.pop(inbound.customer_id, None)  # their window went with them
        log.info("wechat.unsubscribed_forgotten", customer=inbound.customer_key, records=erased)

    async def _record(self, inbound: Inbound, budget: float, push: _Push) -> bool | None:
        """Hand the message to the inbox; past the budget, answer anyway and let it land later.

        None: refused, its address replayed with another body (found in time; found later, it is
        dropped all the same)."""
        task = asyncio.ensure_future(self._accept(inbound, push))
        done, _ = await asyncio.wait({task}, timeout=max(budget, 0.0))
        if task in done:
            fresh = task.result()  # a storage failure surfaces as a 500: WeChat will retry
            if fresh is False:
                log.info("wechat.duplicate_push", customer=inbound.customer_key)
            return fresh
        log.warning("wechat.slow_inbox", customer=inbound.customer_key)
        late = asyncio.ensure_future(self._land(task, inbound, push))
        self._late.add(late)
        late.add_done_callback(self._late_done)
        return True

    async def _land(self, first: asyncio.Task[bool | None], inbound: Inbound, push: _Push) -> bool | None:
        """A message WeChat was told we hold, which it will never send again: if storing it fails
        (the database gave up waiting for a lock another process holds), it is tried again, a
        little later each time, until the inbox holds it (the inbox and the claims drop a copy)."""
        attempt: Awaitable[bool | None] = first
        pauses = iter(LATE_RETRY_SECONDS)
        while True:
            try:
                return await attempt
            except Exception as error:  # any storage failure: the message exists only here now
                pause = next(pauses, None)
                if pause is None or self._stopping.is_set():  # shutting down: that was the last try
                    raise
                log.warning("wechat.late_inbox_retrying", customer=inbound.customer_key, error=type(error).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)  # a shutdown tries once more now
                attempt = self._accept(inbound, push)

    async def _accept(self, inbound: Inbound, push: _Push) -> bool | None:
        if not await self._first_time(push):
            return None
        fresh = await self.shop.receive(inbound)
        if inbound.message_id.startswith(MESSAGE_PREFIX):  # held (now, or by the first try of a retry)
            await self._wrote(inbound.customer_id)
        return fresh

    def _wrote_key(self, openid: str) -> str:
        # wechat:wrote:OPENID in the kv: ending in the OpenID, it goes when the customer is forgotten
        return f"wrote:{openid}"

    async def _wrote(self, openid: str) -> None:
        """The customer sent a message: the 48-hour window opens (again) from now.

        Kept apart from the conversation's last inbound time, which events move too: a follow, a
        QR scan or a menu tap allows 3 replies within a minute, a link opened from the menu or the
        periodic location report none, and none of them opens 48 hours (research/wechat.md §3.2).
        Renewed in the store at most every ``WINDOW_RENEWED_EVERY`` by this worker."""
        now = self.shop.now()  # the clock the window's expiry is kept in
        last = self._renewed.get(openid)
        if last is not None and timedelta(0) <= now - last < WINDOW_RENEWED_EVERY:
            return
        await self.shop.kv(self.name).set(self._wrote_key(openid), "1", ttl=CUSTOMER_SERVICE_WINDOW)
        self._renewed.pop(openid, None)
        self._renewed[openid] = now  # newest last: the oldest are forgotten first
        while len(self._renewed) > WINDOW_RENEWALS_KEPT:
            del self._renewed[next(iter(self._renewed))]

    def _late_done(self, task: asyncio.Task[bool | None]) -> None:
        self._late.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("wechat.late_inbox_failed", alert=True, error=repr(task.exception()))

    # --- outbound ---------------------------------------------------------------------------
    async def reply_window(self, customer_id: str) -> ReplyWindow:
        """Customer-service messages reach a follower for 48 hours after their last message (an
        event does not count, see :meth:`_wrote`)."""
        if await self.shop.kv(self.name).get(self._wrote_key(customer_id)) is not None:
            return ReplyWindow()
        template = self.settings.order_template
        return ReplyWindow(
            open=False,
            reason="The customer last wrote more than 48 hours ago: until they write again, WeChat delivers "
            "only template messages (a customer-service message would be refused).",
            templates=(template.template_id,) if template else (),
        )

    async def send(self, customer_id: str, message: Outbound, context: SendContext | None = None) -> SendResult:
        # Prices the renderer writes itself (a card's menu head) in the customer's language, as the
        # dialog wrote the rest: ¥88.00 for a Chinese customer of an English-first shop, not CN¥88.00.
        locale = context.locale if context is not None else self.shop.config.shop.locale
        rendered = render(customer_id, message, locale)
        try:
            await self._send_bodies(customer_id, message, rendered.bodies)
        except ReplyWindowClosed as e:
            template = self.settings.order_template
            if isinstance(message, OrderStatusUpdate) and message.notification and template:
                msgid = await self.client.send_template(self._template(customer_id, message))
                log.info("wechat.sent_as_template", customer=f"{self.name}:{customer_id}", errcode=e.code)
                return SendResult(provider_message_id=f"tpl:{msgid}")
            log.warning("wechat.window_closed_kept", customer=f"{self.name}:{customer_id}", errcode=e.code)
            raise
        return SendResult()

    async def _send_bodies(self, openid: str, message: Outbound, bodies: list[dict[str, Any]]) -> None:
        """Send each body once, even when the outbox retries a message that half went out.

        A product card is a news article and a msgmenu; if the msgmenu hits the quota, the retry
        must not show the article twice. Progress is kept in kv, keyed by the message itself.
        """
        if len(bodies) == 1:
            await self.client.send_custom(bodies[0])
            return
        space = self.shop.kv(self.name)
        identity = json.dumps([openid, outbound_to_json(message)], sort_keys=True, default=str)
        key = "partial:" + hashlib.sha256(identity.encode()).hexdigest()  # wechat:partial:... in the kv
        done = await space.get(key)
        start = int(done) if done and done.isdigit() else 0
        for index in range(start, len(bodies)):
            try:
                await self.client.send_custom(bodies[index])
            except SendError:
                if index > start:  # written only when a message half went out
                    await space.set(key, str(index), ttl=PARTIAL_KEPT_FOR)
                raise
        if start:
            await space.delete(key)  # done: the same message later starts afresh

    def _template(self, openid: str, update: OrderStatusUpdate) -> dict[str, Any]:
        template = self.settings.order_template
        assert template is not None
        values = TemplateValues(order_number=update.order_number, status=update.status, body=update.body)
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template.template_id,
            "client_msg_id": f"{update.order_number}:{update.status}"[:64],
            "data": {key: {"value": text.format_map(values)} for key, text in template.fields.items()},
        }
        if template.url:
            body["url"] = template.url
        return body


async def _read_body(request: web.Request) -> bytes:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise _Refused(400, "body too large")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(16384):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(400, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)
