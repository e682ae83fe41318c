"""A fake Stripe API that checks what the real one checks, and can play the customer paying.

Built from research/commerce.md §2.1 (Stripe's API reference): a secret key as Bearer (or Basic
user name); form-encoded POST bodies with bracketed nesting; ``Idempotency-Key`` replays the first
answer and refuses the same key with other parameters; Checkout Sessions need ``mode``,
``success_url`` and line items with ``quantity`` and a ``price`` or ``price_data`` (``currency``,
``unit_amount`` in minor units, ``product_data[name]``) in one currency, and an ``expires_at``
between 30 minutes and 24 hours ahead; only open sessions can be expired; refunds need a
``payment_intent`` and never exceed what is left; a PaymentIntent's ``status`` is ``processing``
while a bank debit settles. A PaymentIntent gets the session's ``payment_intent_data[metadata]``,
and its charge a copy of it when the customer pays ("How metadata works with related objects");
a dispute has metadata of its own (empty). Disputes follow docs.stripe.com/api/disputes: ``status``
``needs_response`` (``warning_needs_response`` for an inquiry) until ``charge.dispute.closed`` with
``won``, ``lost`` or ``warning_closed``; ``charge.dispute.funds_withdrawn`` when a chargeback
takes the money, ``charge.dispute.funds_reinstated`` when it comes back; a charge whose dispute
was lost refuses refunds (``charge_disputed``). Webhooks are signed ``t=...,v1=...`` with
HMAC-SHA256 of ``"{t}.{body}"`` under the ``whsec_`` secret.

Amounts follow Stripe's "Supported currencies" page (docs.stripe.com/currencies), not ISO 4217:
zero-decimal currencies (JPY, KRW, ...) are whole units; ISK is zero-decimal yet still sent with two
decimals, so its amounts are divisible by 100; the three-decimal currencies (BHD, JOD, KWD, OMR,
TND) need the last digit 0.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

_ids = itertools.count(1)

ZERO_DECIMAL = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def decimals(currency: str) -> int:
    """How many decimals Stripe's amounts carry in ``currency`` (ISK: two, always 00)."""
    currency = currency.lower()
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def major(amount: int, currency: str) -> Decimal:
    """What the customer pays for a Stripe ``amount``: ``major(50000, "isk") == 500``."""
    return Decimal(amount).scaleb(-decimals(currency))


def amount_problem(amount: int, currency: str) -> str | None:
    """Stripe's refusal of an amount its currency's rules do not allow, or None."""
    currency = currency.lower()
    if currency == "isk" and amount % 100:
        return "ISK amounts must be whole krónur: a multiple of 100"
    if currency in THREE_DECIMAL and amount % 10:
        return f"{currency.upper()} amounts must end in 0 (rounded to the nearest ten)"
    return None


#: Stripe's "Minimum and maximum charge amounts" (docs.stripe.com/currencies), in Stripe's units:
#: a session for less is refused with ``amount_too_small``.
MINIMUM_CHARGE = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500,
    "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000,
    "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip

PARAMS = web.RequestKey("params", dict)


def _id(prefix: str) -> str:
    return f"{prefix}_test_{next(_ids):014d}"


def error(status: int, message: str, type: str = "invalid_request_error", **extra: Any) -> web.Response:
    return web.json_response({"error": {"type": type, "message": message, **extra}}, status=status)


def decode_form(text: str) -> dict[str, Any]:
    """``a[b][0][c]=v`` back into nested dicts (lists stay dicts keyed by index strings)."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def _listed(value: Any) -> list[Any]:
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return []


@dataclass
class FakeStripe:
    secret_key: str = "sk_test_51ChatShopFakeKey"
    webhook_secret: str = "whsec_test_chatshop"
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    disputes: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, key
    outage: list[int] = field(default_factory=list)
    lose_next_answer: bool = False
    #: ``payment_intent_data[metadata]`` of each session, for the PaymentIntent its payment makes.
    _intent_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/v1/checkout/sessions", self._create_session)
        app.router.add_get("/v1/checkout/sessions/{id}", self._get_session)
        app.router.add_post("/v1/checkout/sessions/{id}/expire", self._expire_session)
        app.router.add_post("/v1/refunds", self._refund)
        app.router.add_get("/v1/payment_intents/{id}", self._get_intent)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        key = request.headers.get("Idempotency-Key")
        self.requests.append((request.method, request.path, key))
        if self.outage:
            return error(self.outage.pop(0), "An error occurred with our connection to Stripe.", "api_error")
        if request.headers.get("Authorization") != f"Bearer {self.secret_key}":
            return error(401, "Invalid API Key provided.")
        params: dict[str, Any] = {}
        if request.method == "POST":
            if request.can_read_body and request.content_type != "application/x-www-form-urlencoded":
                return error(400, "Stripe takes form-encoded bodies.")
            params = decode_form(await request.text())
            if key is not None:
                if len(key) > 255:
                    return error(400, "Idempotency keys are at most 255 characters.", "idempotency_error")
                seen = self.idempotent.get(key)
                if seen is not None:
                    first, status, body = seen
                    if first != {"path": request.path, **params}:
                        return error(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                            "idempotency_error",
                        )
                    return web.json_response(body, status=status, headers={"Idempotent-Replayed": "true"})
        request[PARAMS] = params
        response = await handler(request)
        if request.method == "POST" and key and isinstance(response, web.Response) and response.status < 400:
            body = json.loads(response.text or "{}")
            self.idempotent[key] = ({"path": request.path, **params}, response.status, body)
        if self.lose_next_answer:
            self.lose_next_answer = False
            return error(500, "The answer got lost on the way back.", "api_error")
        assert isinstance(response, web.StreamResponse)
        return response

    # --- API ---------------------------------------------------------------------------------
    async def _create_session(self, request: web.Request) -> web.Response:
        p = request[PARAMS]
        if p.get("mode") != "payment":
            return error(400, "Missing required param: mode.", param="mode")
        if not p.get("success_url"):
            return error(400, "Missing required param: success_url.", param="success_url")
        items = _listed(p.get("line_items"))
        if not items:
            return error(400, "line_items is required in payment mode.", param="line_items")
        total, currencies = 0, set()
        for index, item in enumerate(items):
            where = f"line_items[{index}]"
            quantity = item.get("quantity", "")
            if not quantity.isdigit() or int(quantity) < 1:
                return error(400, f"Missing required param: {where}[quantity].")
            data = item.get("price_data")
            if not isinstance(data, dict):
                return error(400, f"{where} needs price or price_data.")
            unit = data.get("unit_amount", "")
            if not unit.isdigit():
                return error(400, f"Invalid integer: {where}[price_data][unit_amount].")
            if not (data.get("product_data") or {}).get("name") and not data.get("product"):
                return error(400, f"Missing required param: {where}[price_data][product_data][name].")
            currency = data.get("currency", "")
            if currency != currency.lower() or len(currency) != 3:
                return error(400, f"Invalid currency: {currency}.")
            problem = amount_problem(int(unit), currency)
            if problem:
                return error(400, problem, code="invalid_amount", param=f"{where}[price_data][unit_amount]")
            currencies.add(currency)
            total += int(unit) * int(quantity)
        if len(currencies) != 1:
            return error(400, "All line items must be in the same currency.")
        least = MINIMUM_CHARGE.get(next(iter(currencies)))
        if least is not None and total < least:
            shown = f"{major(least, next(iter(currencies)))} {next(iter(currencies))}"
            return error(400, f"Amount must be at least {shown}", code="amount_too_small")
        now = int(time.time())
        expires_at = int(p.get("expires_at", now + 86400))
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            return error(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
                param="expires_at",
            )
        metadata = p.get("metadata") or {}
        if len(metadata) > 50 or any(len(k) > 40 or len(v) > 500 for k, v in metadata.items()):
            return error(400, "Invalid metadata.", param="metadata")
        if len(p.get("client_reference_id", "")) > 200:
            return error(400, "client_reference_id is at most 200 characters.")
        session_id = _id("cs")
        self._intent_metadata[session_id] = dict((p.get("payment_intent_data") or {}).get("metadata") or {})
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": total,
            "amount_subtotal": total,
            "currency": currencies.pop(),
            "client_reference_id": p.get("client_reference_id"),
            "metadata": metadata,
            "expires_at": expires_at,
            "payment_intent": None,
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "livemode": False,
        }
        self.sessions[session_id] = session
        return web.json_response(session)

    async def _get_session(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return error(404, "No such checkout.session", code="resource_missing")
        return web.json_response(session)

    async def _get_intent(self, request: web.Request) -> web.Response:
        intent = self.intents.get(request.match_info["id"])
        if intent is None:
            return error(404, "No such payment_intent", code="resource_missing")
        return web.json_response({"object": "payment_intent", **intent})

    async def _expire_session(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return error(404, "No such checkout.session", code="resource_missing")
        if session["status"] != "open":
            return error(400, "Only Checkout Sessions with status `open` can be expired.")
        session["status"] = "expired"
        return web.json_response(session)

    async def _refund(self, request: web.Request) -> web.Response:
        p = request[PARAMS]
        intent = self.intents.get(p.get("payment_intent", ""))
        if intent is None:
            return error(400, "No such payment_intent.", code="resource_missing", param="payment_intent")
        if any(d["payment_intent"] == intent["id"] and d["status"] == "lost" for d in self.disputes.values()):
            return error(400, "The charge you're attempting to refund has been charged back.", code="charge_disputed")
        left = intent["amount_received"] - intent["amount_refunded"]
        amount = int(p.get("amount", left))
        problem = amount_problem(amount, intent["currency"])
        if problem:
            return error(400, problem, code="invalid_amount", param="amount")
        if amount < 1 or amount > left:
            return error(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
            )
        intent["amount_refunded"] += amount
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "metadata": p.get("metadata") or {},
            "reason": p.get("reason"),
            "status": "succeeded",
        }
        self.refunds.append(refund)
        return web.json_response(refund)

    # --- what the customer and Stripe do --------------------------------------------------------
    def pay(self, session_id: str, *, delayed: bool = False) -> dict[str, Any]:
        """The customer pays; the ``checkout.session.completed`` event (unpaid when delayed)."""
        session = self.sessions[session_id]
        intent_id = _id("pi")
        self.intents[intent_id] = {
            "id": intent_id,
            "amount": session["amount_total"],
            "amount_received": 0 if delayed else session["amount_total"],
            "amount_refunded": 0,
            "currency": session["currency"],
            # A bank debit runs for days ("processing"), then succeeds or wants another method.
            "status": "processing" if delayed else "succeeded",
            "metadata": self._intent_metadata.get(session_id, {}),
        }
        session.update(status="complete", payment_intent=intent_id)
        session["payment_status"] = "unpaid" if delayed else "paid"
        return self.event("checkout.session.completed", session)

    def settle(self, session_id: str, *, succeeded: bool = True) -> dict[str, Any]:
        """A delayed payment method finished."""
        session = self.sessions[session_id]
        intent = self.intents[session["payment_intent"]]
        if succeeded:
            intent["amount_received"] = session["amount_total"]
            intent["status"] = "succeeded"
            session["payment_status"] = "paid"
            return self.event("checkout.session.async_payment_succeeded", session)
        intent["status"] = "requires_payment_method"
        return self.event("checkout.session.async_payment_failed", session)

    def dashboard_refund(self, intent_id: str, amount: int) -> dict[str, Any]:
        """The merchant refunds in the Stripe Dashboard: the ``charge.refunded`` event, whose charge
        carries the total refunded so far (``amount_refunded``) and the PaymentIntent's metadata
        (the refund itself has none of ours)."""
        intent = self.intents[intent_id]
        intent["amount_refunded"] += amount
        self.refunds.append(
            {"id": _id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
             "payment_intent": intent_id, "metadata": {}, "status": "succeeded"}
        )  # fmt: skip
        return self.event("charge.refunded", self.charge(intent_id))

    def charge(self, intent_id: str) -> dict[str, Any]:
        intent = self.intents[intent_id]
        return {
            "id": "ch_" + intent_id.removeprefix("pi_"),
            "object": "charge",
            "amount": intent["amount_received"],
            "amount_captured": intent["amount_received"],
            "amount_refunded": intent["amount_refunded"],
            "refunded": intent["amount_refunded"] >= intent["amount_received"],
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "metadata": dict(intent.get("metadata") or {}),
            "disputed": any(d["payment_intent"] == intent_id for d in self.disputes.values()),
        }

    def dispute(self, intent_id: str, reason: str = "fraudulent", *, amount: int | None = None) -> dict[str, Any]:
        """The customer disputes the charge with their bank: ``charge.dispute.created``."""
        intent = self.intents[intent_id]
        dispute = {
            "id": _id("dp"),
            "object": "dispute",
            "amount": intent["amount_received"] if amount is None else amount,
            "currency": intent["currency"],
            "charge": "ch_" + intent_id.removeprefix("pi_"),
            "payment_intent": intent_id,
            "reason": reason,
            "status": "needs_response",
            "is_charge_refundable": True,
            "balance_transactions": [],
            "metadata": {},
        }
        self.disputes[dispute["id"]] = dispute
        return self.event("charge.dispute.created", dispute)

    def close_dispute(self, dispute_id: str, status: str) -> dict[str, Any]:
        """The bank decides (``won``, ``lost``) or an inquiry closes (``warning_closed``):
        ``charge.dispute.closed`` with the dispute in its final status."""
        if status not in ("won", "lost", "warning_closed"):
            raise ValueError(f"a dispute does not close as {status}")
        dispute = self.disputes[dispute_id]
        dispute.update(status=status, is_charge_refundable=False)
        return self.event("charge.dispute.closed", dispute)

    def dispute_funds(self, dispute_id: str, *, reinstated: bool = False) -> dict[str, Any]:
        """The disputed money leaves the balance (``charge.dispute.funds_withdrawn``) or comes back
        to it (``charge.dispute.funds_reinstated``)."""
        dispute = self.disputes[dispute_id]
        name = "charge.dispute.funds_reinstated" if reinstated else "charge.dispute.funds_withdrawn"
        return self.event(name, dispute)

    def expire(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session["status"] = "expired"
        return self.event("checkout.session.expired", session)

    def event(self, name: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": _id("evt"),
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": name,
            "livemode": False,
            "data": {"object": dict(obj)},
        }

    def signature(self, body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
        t = int(time.time()) if timestamp is None else timestamp
        key = (secret or self.webhook_secret).encode()
        digest = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={t},v1={digest}"

    async def send_webhook(
        self,
        http: aiohttp.ClientSession,
        url: str,
        event: dict[str, Any],
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        header: str | None = None,
    ) -> int:
        body = json.dumps(event).encode()
        signature = header if header is not None else self.signature(body, secret=secret, timestamp=timestamp)
        headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
        async with http.post(url, data=body, headers=headers) as response:
            return response.status
