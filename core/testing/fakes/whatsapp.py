"""A fake WhatsApp Cloud API (Graph API) built from Meta's documents, not from our client.

It checks the bearer token, the path (version and phone number id), the required fields and every
documented limit of what it is sent (research/whatsapp.md §2), and answers with Meta's documented
response and error shapes. Tests inject faults: throughput storms (130429), the pair rate limit
(131056), server errors, a revoked token (190), and customers whose 24-hour window has closed
(accepted now, refused later by a ``failed`` status with 131047, as Meta does).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from chatshop.testing.fakes.whatsapp_catalog import FakeCatalogs

__all__ = ["RESET", "FakeGraph", "Invalid"]

#: A fault that is no answer at all: the connection is dropped before a response (a reset).
RESET = -1
#: Meta's titles for the codes a test can storm with (research §2.8, from pywa's curated errors).
TITLES = {
    4: "Application request limit reached",
    100: "Invalid parameter",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131057: "Account in maintenance mode",
}

GATEWAYS = {"razorpay", "payu", "billdesk", "zaakpay"}
BILL_STATUSES = {
    "processing",
    "partially_shipped",
    "partially-shipped",
    "shipped",
    "completed",
    "canceled",
}
_MOVING = {"processing", "partially_shipped", "partially-shipped", "shipped"}
_REFERENCE = re.compile(r"^[A-Za-z0-9_.\-]{1,35}$")


class Invalid(Exception):
    """The request breaks a documented rule; answered as Graph does (HTTP 400, 100 or 131009)."""

    def __init__(self, message: str, code: int = 131009) -> None:
        super().__init__(message)
        self.code = code


def graph_error(status: int, code: int, message: str, *, transient: bool = False) -> web.Response:
    error: dict[str, Any] = {
        "message": f"(#{code}) {message}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": "AqX9kL2mN7pQr4sT1uVw3yZ",
    }
    if transient:
        error["is_transient"] = True
    return web.json_response({"error": error}, status=status)


@dataclass
class Sent:
    to: str
    type: str
    body: dict[str, Any]
    wamid: str

    @property
    def content(self) -> dict[str, Any]:
        value: dict[str, Any] = self.body[self.type]
        return value


@dataclass
class FakeGraph:
    token: str = "test-access-token"
    phone_number_id: str = "106540352242922"
    version: str = "v23.0"
    #: Enforce the number's throughput (130429) when set: at most this many messages in any second
    #: of ``clock``, counting the customers' incoming messages (``inbound``) as Meta does.
    mps: int | None = None
    #: Enforce the pair rate (131056) when set: bursts of up to this many messages to one customer
    #: (Meta: 45), then one per ``pair_seconds`` (Meta: 6), as research §2.9 documents it.
    pair_burst: int | None = None
    pair_seconds: float = 6.0
    sent: list[Sent] = field(default_factory=list)
    read_marks: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (code, reason) of 4xx answers
    faults: deque[int] = field(default_factory=deque)  # codes to answer the next sends with
    send_faults: deque[int] = field(default_factory=deque)  # the same, for messages only (not read marks)
    closed_windows: set[str] = field(default_factory=set)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # webhook statuses to deliver
    async_errors: list[dict[str, Any]] = field(default_factory=list)  # 2046/2047 error webhooks
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)  # reference_id -> payment
    bills: dict[str, str] = field(default_factory=dict)  # reference_id -> status
    #: reference_id -> the payment configuration its order_details named: lookups and refunds
    #: name the same one (Meta: "payment_configuration and reference_id must be the same as that
    #: provided in the initial order_details message").
    bill_configs: dict[str, str] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)  # accepted payments_refund bodies
    #: Refunds to make and then drop the connection of, unanswered (the answer lost on the way).
    lost_refund_answers: int = 0
    #: Approved templates and the labels of their quick-reply buttons, in order (set to check sends)
    templates: dict[str, list[str]] = field(default_factory=dict)
    #: The language codes each template is approved in (``{"order_update": {"en_US", "hi"}}``): a
    #: template named here sent in another language is refused with 132001, as Meta refuses a
    #: template that has no translation in the language asked for.
    template_languages: dict[str, set[str]] = field(default_factory=dict)
    requests: int = 0
    #: Commerce catalogs and their batch API (created with the same token and version)
    catalogs: FakeCatalogs = field(default_factory=lambda: FakeCatalogs("", ""))
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    #: The fake's own clock: what its throughput window and ``throughput_log`` read.
    clock: Callable[[], float] = time.monotonic
    #: When each message counted against the throughput happened (accepted sends and inbound).
    throughput_log: list[float] = field(default_factory=list)
    inbound_log: list[float] = field(default_factory=list)  # the customers' messages of it
    _recent: deque[float] = field(default_factory=deque)
    _pairs: dict[str, tuple[float, int, float]] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)  # messages sent, by recipient
    _waiters: dict[str, list[tuple[int, asyncio.Future[None]]]] = field(default_factory=dict)

    # --- test controls -------------------------------------------------------------------
    def storm(self, code: int, times: int) -> None:
        """Answer the next ``times`` sends with ``code`` (130429, 131056, 500, 503, 190, 100, any of
        ``TITLES``), or drop the connection unanswered (``RESET``)."""
        self.faults.extend([code] * times)

    def storm_sends(self, code: int, times: int) -> None:
        """As :meth:`storm`, for the next ``times`` messages only: read receipts, which the shop
        sends alongside, go through."""
        self.send_faults.extend([code] * times)

    async def sent_to(self, to: str, count: int) -> None:
        """Wait until ``to`` has been sent ``count`` messages (bound it with ``asyncio.wait_for``):
        a test with many customers waits on this rather than scanning ``sent`` over and over,
        which would slow the fake it shares a process with."""
        if self._counts.get(to, 0) >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(to, []).append((count, future))
        await future

    def _arrived(self, to: str) -> None:
        have = self._counts[to] = self._counts.get(to, 0) + 1
        waiting = self._waiters.get(to)
        if waiting:
            for count, future in [w for w in waiting if w[0] <= have]:
                waiting.remove((count, future))
                if not future.done():
                    future.set_result(None)

    def texts(self, to: str | None = None) -> list[Sent]:
        return [s for s in self.sent if to is None or s.to == to]

    def delivery(self, sent: Sent, *states: str) -> list[dict[str, Any]]:
        """Status webhooks for a message as Meta reports it (``sent``, ``delivered``, ``read``)."""
        pricing = {"billable": False, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}
        return [
            {
                "id": sent.wamid,
                "status": state,
                "timestamp": str(int(time.time())),
                "recipient_id": sent.to,
                **({"pricing": pricing} if state == "sent" else {}),
            }
            for state in states
        ]

    def template_tap(self, sent: Sent, index: int) -> dict[str, Any]:
        """The ``button`` of the message WhatsApp delivers when the customer taps quick-reply button
        ``index`` of a template we sent: the payload sent with it, else the button's label as the
        payload too (research §1.3, [OAS] ``button``: ``payload`` and ``text`` both required)."""
        label = self.templates[sent.content["name"]][index]
        payloads = [
            parameter["payload"]
            for component in sent.content.get("components", [])
            if component.get("type") == "button" and int(component["index"]) == index
            for parameter in component["parameters"]
            if parameter.get("type") == "payload"
        ]
        return {"payload": payloads[0] if payloads else label, "text": label}

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        app.router.add_get("/{version}/{phone}/payments/{config}/{reference}", self._payment)
        app.router.add_post("/{version}/{phone}/payments_refund", self._refund)
        self.catalogs.token, self.catalogs.version = self.token, self.version
        self.catalogs.routes(app)
        return app

    # --- handlers ------------------------------------------------------------------------
    def _check_request(self, request: web.Request) -> web.Response | None:
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            self.refused.append((190, "token"))
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        version, phone = request.match_info["version"], request.match_info["phone"]
        if version != self.version or phone != self.phone_number_id:
            self.refused.append((100, "path"))
            return graph_error(400, 100, "Unsupported post request. Object does not exist")
        return None

    async def _payment(self, request: web.Request) -> web.Response:
        refused = self._check_request(request)
        if refused is not None:
            return refused
        reference = request.match_info["reference"]
        if self.bill_configs.get(reference, request.match_info["config"]) != request.match_info["config"]:
            self.refused.append((100, "payment configuration"))
            return graph_error(400, 100, "payment_configuration does not match the order_details message")
        payment = self.payments.get(reference)
        return web.json_response({"payments": [payment] if payment else []})

    async def _refund(self, request: web.Request) -> web.Response:
        """``POST /<PHONE_NUMBER_ID>/payments_refund``: only a captured payment, never more than was paid."""
        refused = self._check_request(request)
        if refused is not None:
            return refused
        body = await request.json()
        try:
            payment = self.payments.get(str(body.get("reference_id"))) or {}
            _require(payment.get("status") == "captured", "no captured payment for reference_id", 100)
            _require(body.get("speed") in ("instant", "normal"), "speed must be instant or normal", 100)
            _require(isinstance(body.get("payment_config_id"), str), "payment_config_id is required", 100)
            config = self.bill_configs.get(str(body["reference_id"]), body["payment_config_id"])
            _require(body["payment_config_id"] == config, "payment_config_id of another configuration", 100)
            amount = _dict(body, "amount")
            _require(amount.get("currency") == payment.get("currency"), "amount.currency", 100)
            value = _amount(amount, "amount")
            given = sum(int(r["amount"]["value"]) for r in self.refunds if r["reference_id"] == body["reference_id"])
            _require(value > 0 and value + given <= _amount(payment["amount"], "paid"), "more than was paid", 100)
        except Invalid as error:
            self.refused.append((error.code, str(error)))
            return graph_error(400, error.code, str(error))
        self.refunds.append(body)
        # Meta takes no idempotency key here: every accepted request is a refund of its own. The
        # payment's record lists it (the ``refunds`` of a payment, as its status webhook carries them).
        refund = {"id": f"refund.{len(self.refunds)}", "status": "pending", "speed_processed": "normal"}
        now = int(time.time())
        payment.setdefault("refunds", []).append(
            {**refund, "amount": dict(amount), "created_timestamp": now, "updated_timestamp": now}
        )
        if self.lost_refund_answers:
            self.lost_refund_answers -= 1
            assert request.transport is not None
            request.transport.close()
        return web.json_response(refund)

    async def _messages(self, request: web.Request) -> web.Response:
        refused = self._check_request(request)
        if refused is not None:
            return refused
        if request.content_type != "application/json":
            return graph_error(400, 100, "Content-Type must be application/json")
        try:
            body = await request.json()
        except ValueError:
            return graph_error(400, 100, "Invalid JSON")
        queue = self.faults or (self.send_faults if body.get("status") != "read" else None)
        if queue:
            fault = queue.popleft()
            if fault == RESET:
                assert request.transport is not None
                request.transport.close()  # the client sees the connection go, no answer
            return self._fault(fault)
        try:
            if body.get("status") == "read":
                return self._mark_read(body)
            to = self.validate_message(body)
        except Invalid as e:
            self.refused.append((e.code, str(e)))
            return graph_error(400, e.code, str(e))
        limited = self._throughput(to)
        if limited is not None:
            return limited
        wamid = self._wamid(to)
        self.sent.append(Sent(to=to, type=body["type"], body=body, wamid=wamid))
        self._arrived(to)
        if to in self.closed_windows and body["type"] != "template":
            self.statuses.append(_failed_status(wamid, to))
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [
                    {"input": to, "user_id": to} if "recipient" in body else {"input": to, "wa_id": to.lstrip("+")}
                ],
                "messages": [{"id": wamid}],
            }
        )

    def _fault(self, code: int) -> web.Response:
        if 500 <= code < 600:
            return graph_error(code, 1, "An unknown error occurred", transient=True)
        if code == 190:
            return graph_error(401, 190, "Error validating access token: Session has expired")
        return graph_error(400, code, TITLES.get(code, "Error"))

    def inbound(self, count: int = 1) -> None:
        """Customers' messages to the number arrived: Meta counts them against its throughput."""
        now = self.clock()
        self._recent.extend([now] * count)
        self.throughput_log.extend([now] * count)
        self.inbound_log.extend([now] * count)

    def _throughput(self, to: str) -> web.Response | None:
        """130429 past the number's tier; 131056 past the pair rate; else the message counts."""
        now = self.clock()
        if self.mps is not None:
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.mps:
                self.refused.append((130429, "throughput"))
                return graph_error(400, 130429, "Rate limit hit")
        if self.pair_burst is not None:
            pair = self._pair_after(self._pairs.get(to), now)
            if pair is None:
                self.refused.append((131056, "pair"))
                return graph_error(400, 131056, TITLES[131056])
            self._pairs[to] = pair
        if self.mps is not None:
            self._recent.append(now)
            self.throughput_log.append(now)
        return None

    def _pair_after(self, pair: tuple[float, int, float] | None, now: float) -> tuple[float, int, float] | None:
        """A pair's (burst start, messages, paid back at) once one more message is sent at ``now``,
        or None when Meta refuses it: one message per ``pair_seconds``, and bursts of up to
        ``pair_burst`` within ``pair_seconds`` that borrow from the future: after a burst of n,
        nothing more until n intervals from its start (research §2.9, "a burst of 20 requires
        about a 2-minute wait")."""
        assert self.pair_burst is not None
        if pair is None or now >= pair[2]:
            return (now, 1, now + self.pair_seconds)
        start, count, due = pair
        if now < start + self.pair_seconds and count < self.pair_burst:
            return (start, count + 1, due + self.pair_seconds)
        return None

    def _wamid(self, to: str) -> str:
        raw = f"{to}:{next(self._ids)}:{time.time_ns()}".encode()
        return "wamid." + base64.b64encode(raw).decode()

    def _mark_read(self, body: Any) -> web.Response:
        _require(body.get("messaging_product") == "whatsapp", "messaging_product must be whatsapp", 100)
        message_id = body.get("message_id")
        _require(isinstance(message_id, str) and message_id.startswith("wamid."), "message_id")
        indicator = body.get("typing_indicator")
        if indicator is not None:
            _require(indicator == {"type": "text"}, "typing_indicator.type must be text")
        self.read_marks.append(dict(body))
        return web.json_response({"success": True})

    # --- validation of what is sent (research §2) ------------------------------------------
    def validate_message(self, body: Any) -> str:
        _require(body.get("messaging_product") == "whatsapp", "messaging_product must be whatsapp", 100)
        _require(body.get("recipient_type", "individual") == "individual", "recipient_type", 100)
        to = body.get("to") or body.get("recipient")  # phone number, or business-scoped user id
        _require(isinstance(to, str) and bool(to), "to or recipient is required", 100)
        if "recipient" in body and "to" not in body:
            _require(bool(re.match(r"^[A-Z]{2}\.", to)), "recipient must be a BSUID", 100)
        kind = body.get("type", "text")
        _require(isinstance(body.get(kind), dict), f"{kind} object is required", 100)
        content = body[kind]
        validators = {
            "text": _text,
            "image": _image,
            "document": _document,
            "interactive": self._interactive,
            "template": self._template,
        }
        _require(kind in validators, f"unsupported type {kind}", 100)
        validators[kind](content)
        return str(to)

    def _template(self, content: Any) -> None:
        _template(content)
        buttons = [c for c in content.get("components", []) if c.get("type") == "button"]
        approved = self.template_languages.get(content["name"])
        code = content["language"]["code"]
        refused = f"template name does not exist in the translation {code}"
        _require(approved is None or code in approved, refused, 132001)
        labels = self.templates.get(content["name"])
        if labels is None:
            _require(not self.templates, "template name does not exist in the translation", 132001)
            return
        for button in buttons:
            # [OAS] ButtonComponent: sub_type, index ("0"-"9", the button's position) and parameters.
            index = button.get("index")
            _require(isinstance(index, str) and index.isdigit(), "button index must be a digit string", 100)
            _require(int(index) < len(labels), "Number of parameters does not match the expected number", 132000)
            _require(button.get("sub_type") == "quick_reply", "button sub_type", 100)
            parameters = button.get("parameters")
            _require(isinstance(parameters, list) and len(parameters) == 1, "button parameters", 132000)
            _require(parameters[0].get("type") == "payload", "a quick reply takes a payload", 100)
            payload = parameters[0].get("payload")  # no length limit in the sources
            _require(isinstance(payload, str) and bool(payload), "button payload is required", 100)
        _require(len({b["index"] for b in buttons}) == len(buttons), "button index repeated", 100)

    def _interactive(self, content: Any) -> None:
        kind = content.get("type")
        validators = {
            "button": _buttons,
            "list": _list,
            "product": _product,
            "product_list": _product_list,
            "carousel": _carousel,
            "catalog_message": _catalog_message,
            "order_details": self._order_details,
            "order_status": self._order_status,
            "address_message": _address_message,
            "cta_url": _cta_url,
        }
        _require(kind in validators, f"interactive.type {kind!r} is not supported", 100)
        validators[kind](content)
        if kind in ("product", "product_list", "carousel"):
            missing = self.catalogs.check_products(content)
            _require(missing is None, str(missing), 131009)

    def _order_details(self, content: Any) -> None:
        _body(content, required=True)
        _footer(content)
        action = _dict(content, "action")
        _require(action.get("name") == "review_and_pay", "action.name must be review_and_pay")
        p = _dict(action, "parameters")
        reference = p.get("reference_id")
        _require(isinstance(reference, str) and bool(_REFERENCE.match(reference)), "reference_id")
        _require(p.get("type") in ("digital-goods", "physical-goods"), "parameters.type")
        _require(p.get("currency") == "INR", "currency must be INR")
        settings = p.get("payment_settings")
        _require(isinstance(settings, list) and len(settings) >= 1, "payment_settings")
        configuration = ""
        for s in settings:
            if s.get("type") == "payment_gateway":
                gateway = _dict(s, "payment_gateway")
                _require(gateway.get("type") in GATEWAYS, "payment_gateway.type")
                name = gateway.get("configuration_name")
                _require(isinstance(name, str) and 1 <= len(name) <= 60, "configuration_name")
                configuration = str(name)
            else:
                _require(s.get("type") in ("upi_intent_link", "payment_link"), "payment_settings.type")
        order = _dict(p, "order")
        _require(order.get("status") == "pending", "order.status must be pending")
        items = order.get("items")
        _require(isinstance(items, list) and len(items) >= 1, "order.items")
        subtotal = 0
        for item in items:
            _require(isinstance(item.get("retailer_id"), str), "items[].retailer_id")
            name = item.get("name")
            _require(isinstance(name, str) and 1 <= len(name) <= 60, "items[].name ≤ 60")
            quantity = item.get("quantity")
            _require(isinstance(quantity, int) and quantity >= 1, "items[].quantity")
            price = _amount(item.get("sale_amount") or item.get("amount"), "items[].amount")
            subtotal += price * quantity
        _require(_amount(order.get("subtotal"), "subtotal") == subtotal, "subtotal != Σ amount×quantity")
        extra = {k: _amount(order[k], k) if k in order else 0 for k in ("tax", "shipping", "discount")}
        for key in ("tax", "shipping", "discount"):
            if key in order and "description" in order[key]:
                _require(len(order[key]["description"]) <= 60, f"{key}.description ≤ 60")
        expected = subtotal + extra["tax"] + extra["shipping"] - extra["discount"]
        _require(_amount(p.get("total_amount"), "total_amount") == expected, "total_amount mismatch")
        if "expiration" in order:
            expiration = order["expiration"]
            _require(int(expiration["timestamp"]) >= time.time() + 299, "expiration ≥ 300 s ahead")
            _require(len(expiration.get("description", "")) <= 120, "expiration.description ≤ 120")
        self.bills[reference] = "pending"
        if configuration:
            self.bill_configs[reference] = configuration

    def _order_status(self, content: Any) -> None:
        _body(content, required=True)
        _footer(content)
        action = _dict(content, "action")
        _require(action.get("name") == "review_order", "action.name must be review_order")
        p = _dict(action, "parameters")
        reference = p.get("reference_id")
        _require(reference in self.bills, "reference_id of no order_details", 131009)
        order = _dict(p, "order")
        status = order.get("status")
        _require(status in BILL_STATUSES, "order.status")
        _require(len(order.get("description", "")) <= 120, "order.description ≤ 120")
        old = self.bills[reference]
        legal = old == "pending" or (old in _MOVING and status != old)
        if not legal:  # Meta accepts the call and reports the refusal by an error webhook
            self.async_errors.append({"code": 2046, "reference_id": reference})
            return
        if status == "canceled" and self.payments.get(reference, {}).get("status") == "captured":
            self.async_errors.append({"code": 2047, "reference_id": reference})
            return
        self.bills[reference] = status


def _require(condition: bool, message: str, code: int = 131009) -> None:
    if not condition:
        raise Invalid(message, code)


def _dict(parent: Any, key: str) -> Any:
    value = parent.get(key)
    _require(isinstance(value, dict), f"{key} is required", 100)
    return value


def _string(value: Any, limit: int, what: str, minimum: int = 1) -> None:
    _require(isinstance(value, str), f"{what} must be a string", 100)
    _require(minimum <= len(value) <= limit, f"{what} must be {minimum} to {limit} characters")


def _amount(value: Any, what: str) -> int:
    _require(isinstance(value, dict), f"{what} is required", 100)
    _require(value.get("offset") == 100, f"{what}.offset must be 100")
    amount = value.get("value")
    _require(isinstance(amount, int) and amount >= 0, f"{what}.value must be a whole number")
    return int(amount)


def _text(content: Any) -> None:
    _string(content.get("body"), 4096, "text.body")


def _media_link(media: Any, what: str) -> None:
    """Meta fetches ``link`` itself: "Use only with HTTP/HTTPS URLs" (Cloud API, media object)."""
    _require(isinstance(media.get("link") or media.get("id"), str), f"{what}.link or {what}.id")
    link = media.get("link")
    if link is not None:
        _require(isinstance(link, str) and link.startswith(("http://", "https://")), f"{what}.link must be http(s)")


def _image(content: Any) -> None:
    _media_link(content, "image")
    if "caption" in content:
        _string(content["caption"], 1024, "image.caption")


#: [M: Document messages]: "Supported document types", by the extension the client shows an icon for.
DOCUMENT_EXTENSIONS = (".txt", ".xls", ".xlsx", ".doc", ".docx", ".ppt", ".pptx", ".pdf")


def _document(content: Any) -> None:
    """``{"id" | "link", "caption"?, "filename"?}``: an uploaded media id or an http(s) link Meta
    fetches; caption at most 1024 characters; the file name, "with extension", picks the icon."""
    _media_link(content, "document")
    _require(not ("id" in content and "link" in content), "document takes id or link, not both", 100)
    if "caption" in content:
        _string(content["caption"], 1024, "document.caption")
    if "filename" in content:
        _string(content["filename"], 240, "document.filename")
        _require(content["filename"].lower().endswith(DOCUMENT_EXTENSIONS), "document.filename extension", 100)
    unknown = set(content) - {"id", "link", "caption", "filename"}
    _require(not unknown, f"unknown document fields {sorted(unknown)}", 100)


#: [M: Address Messages]: the fields of India's form.
ADDRESS_FIELDS = {
    "name",
    "phone_number",
    "in_pin_code",
    "house_number",
    "floor_number",
    "tower_number",
    "building_name",
    "address",
    "landmark_area",
    "city",
    "state",
}


def _address_fields(values: Any, what: str, *, messages: bool = False) -> None:
    """Known fields with text values; a PIN code of at most 6 characters (``messages``: the values
    are error texts about the fields, not the fields' contents)."""
    _require(isinstance(values, dict), f"{what} must be an object", 100)
    unknown = set(values) - ADDRESS_FIELDS
    _require(not unknown, f"{what}: unknown fields {sorted(unknown)}", 100)
    for key, value in values.items():
        _require(isinstance(value, str), f"{what}.{key} must be a string", 100)
    pin = values.get("in_pin_code")
    _require(messages or pin is None or len(pin) <= 6, f"{what}.in_pin_code: max length 6", 100)


def _address_message(content: Any) -> None:
    """India's address form: ``action.name`` address_message, a mandatory ``country``, and the
    optional ``values``, ``saved_addresses`` (``id`` and ``value``) and ``validation_errors``."""
    _body(content, required=True)
    action = _dict(content, "action")
    _require(action.get("name") == "address_message", "action.name must be address_message", 100)
    parameters = _dict(action, "parameters")
    _require(parameters.get("country") == "IN", "parameters.country is required (IN)", 100)
    if "values" in parameters:
        _address_fields(parameters["values"], "values")
    for saved in parameters.get("saved_addresses", []):
        _require(isinstance(saved.get("id"), str) and bool(saved["id"]), "saved_addresses[].id", 100)
        _address_fields(saved.get("value"), "saved_addresses[].value")
    if "validation_errors" in parameters:
        _address_fields(parameters["validation_errors"], "validation_errors", messages=True)


def _body(content: Any, required: bool) -> None:
    if "body" in content or required:
        _string(_dict(content, "body").get("text"), 1024, "body.text")


def _footer(content: Any) -> None:
    if "footer" in content:
        _string(_dict(content, "footer").get("text"), 60, "footer.text")


def _header(content: Any, kinds: set[str], required: bool = False) -> None:
    if "header" not in content:
        _require(not required, "header is required", 100)
        return
    header = _dict(content, "header")
    kind = header.get("type")
    _require(kind in kinds, f"header.type {kind!r} not allowed here")
    if kind == "text":
        _string(header.get("text"), 60, "header.text")
    else:
        _media_link(_dict(header, str(kind)), f"header.{kind}")


def _buttons(content: Any) -> None:
    _body(content, required=True)
    _footer(content)
    _header(content, {"text", "image", "video", "document"})
    buttons = _dict(content, "action").get("buttons")
    _require(isinstance(buttons, list) and 1 <= len(buttons) <= 3, "1 to 3 buttons")
    titles = []
    for button in buttons:
        _require(button.get("type") == "reply", "button.type must be reply")
        reply = _dict(button, "reply")
        ident = reply.get("id")
        _string(ident, 256, "button id")
        _require(ident == ident.strip(), "button id has leading or trailing spaces")
        _string(reply.get("title"), 20, "button title")
        titles.append(reply["title"])
    _require(len(set(titles)) == len(titles), "button titles must be unique")


def _list(content: Any) -> None:
    _body(content, required=True)
    _footer(content)
    _header(content, {"text"})
    action = _dict(content, "action")
    _string(action.get("button"), 20, "action.button")
    sections = action.get("sections")
    _require(isinstance(sections, list) and 1 <= len(sections) <= 10, "1 to 10 sections")
    rows = 0
    ids = set()
    for section in sections:
        if len(sections) > 1 or "title" in section:
            _string(section.get("title"), 24, "section title")
        section_rows = section.get("rows")
        _require(isinstance(section_rows, list) and len(section_rows) >= 1, "section rows")
        for row in section_rows:
            _string(row.get("id"), 200, "row id")
            _require(row["id"] not in ids, "row ids must be unique")
            ids.add(row["id"])
            _string(row.get("title"), 24, "row title")
            if "description" in row:
                _string(row["description"], 72, "row description")
            rows += 1
    _require(rows <= 10, "at most 10 rows in all sections")


def _product(content: Any) -> None:
    _require("header" not in content, "a single-product message cannot have a header")
    _body(content, required=False)
    _footer(content)
    action = _dict(content, "action")
    _string(action.get("catalog_id"), 100, "catalog_id")
    _string(action.get("product_retailer_id"), 100, "product_retailer_id")


def _product_list(content: Any) -> None:
    _header(content, {"text"}, required=True)
    _body(content, required=True)
    _footer(content)
    action = _dict(content, "action")
    _string(action.get("catalog_id"), 100, "catalog_id")
    sections = action.get("sections")
    _require(isinstance(sections, list) and 1 <= len(sections) <= 10, "1 to 10 sections")
    total = 0
    for section in sections:
        _string(section.get("title"), 24, "section title")
        items = section.get("product_items")
        _require(isinstance(items, list) and len(items) >= 1, "product_items")
        for item in items:
            _string(item.get("product_retailer_id"), 100, "product_retailer_id")
        total += len(items)
    _require(total <= 30, "at most 30 products")


def _carousel(content: Any) -> None:
    """Interactive product carousel (Meta: catalogs/interactive-product-carousel-messages): a
    required body (1024), no header, footer or buttons, 2 to 10 cards each ``{card_index: 0-9
    (unique), type: "product", action: {product_retailer_id, catalog_id}}``, all in one catalog."""
    _require("header" not in content, "a carousel message cannot have a header", 131009)
    _require("footer" not in content, "a carousel message cannot have a footer", 131009)
    _body(content, required=True)
    action = _dict(content, "action")
    _require(set(action) == {"cards"}, "a carousel's action holds its cards and nothing else", 131009)
    cards = action.get("cards")
    _require(isinstance(cards, list) and 2 <= len(cards) <= 10, "a carousel has 2 to 10 cards", 131009)
    indexes, catalogs = set(), set()
    for card in cards:
        _require(isinstance(card, dict), "a card is an object", 131009)
        index = card.get("card_index")
        _require(isinstance(index, int) and 0 <= index <= 9 and index not in indexes, "card_index 0-9, unique", 131009)
        indexes.add(index)
        _require(card.get("type") == "product", "a product carousel's cards are of type product", 131009)
        _require(set(card) == {"card_index", "type", "action"}, "a product card has no header, body or buttons", 131009)
        card_action = _dict(card, "action")
        _string(card_action.get("product_retailer_id"), 100, "product_retailer_id")
        _string(card_action.get("catalog_id"), 100, "catalog_id")
        catalogs.add(card_action["catalog_id"])
    _require(len(catalogs) == 1, "every card must name the same catalog_id", 131009)


def _cta_url(content: Any) -> None:
    """Interactive call-to-action URL button message: a required body (1024), optional header and
    footer (60), and one button: ``display_text`` at most 20 characters, a ``url`` to open."""
    _body(content, required=True)
    _footer(content)
    _header(content, {"text", "image", "video", "document"})
    action = _dict(content, "action")
    _require(action.get("name") == "cta_url", "action.name must be cta_url")
    parameters = _dict(action, "parameters")
    _string(parameters.get("display_text"), 20, "display_text")
    url = parameters.get("url")
    _require(isinstance(url, str) and url.startswith(("http://", "https://")), "parameters.url must be http(s)")


def _catalog_message(content: Any) -> None:
    _body(content, required=True)
    _footer(content)
    action = _dict(content, "action")
    _require(action.get("name") == "catalog_message", "action.name must be catalog_message")


def _template(content: Any) -> None:
    _string(content.get("name"), 512, "template.name")
    _string(_dict(content, "language").get("code"), 15, "template.language.code", minimum=2)
    for component in content.get("components", []):
        for parameter in component.get("parameters", []):
            if parameter.get("type") == "text":
                text = parameter.get("text")
                _string(text, 1024, "template parameter")
                _require(
                    "\n" not in text and "\t" not in text and "     " not in text,
                    "template parameters cannot have new lines, tabs or more than 4 spaces",
                    132018,
                )


def _failed_status(wamid: str, to: str) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": "failed",
        "timestamp": str(int(time.time())),
        "recipient_id": to,
        "errors": [
            {
                "code": 131047,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {
                    "details": "Message failed to send because more than 24 hours have passed "
                    "since the customer last replied to this number."
                },
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ],
    }
