"""A fake Razorpay API that checks what the real one checks, and can play the customer paying.

Built from research/commerce.md §2.2 (Razorpay's API reference): Basic auth with key id and key
secret; ``POST /v1/payment_links`` with integer paise, a unique ``reference_id`` of at most 40
characters and an ``expire_by`` at least 15 minutes ahead; ``notify`` booleans; ``callback_method``
``get`` when a ``callback_url`` is given; refunds only of captured payments, never more than is
left, with an ``X-Refund-Idempotency`` key of at least 10 characters (a different body under the
same key is refused). Webhooks are signed with hex HMAC-SHA256 of the raw body under the webhook
secret and carry ``x-razorpay-event-id``. Disputes follow razorpay.com/docs/api/disputes/entity and
the disputes webhooks (webhooks/disputes): ``status`` ``open``, ``under_review``, ``won``, ``lost``
or ``closed``, ``amount_deducted`` 0 unless lost; each ``payment.dispute.*`` event carries the
payment and the dispute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):014d}"


def error(status: int, description: str, code: str = "BAD_REQUEST_ERROR") -> web.Response:
    body = {"error": {"code": code, "description": description, "source": "business"}}
    return web.json_response(body, status=status)


@dataclass
class FakeRazorpay:
    key_id: str = "rzp_test_1DP5mmOlF5G5ag"
    key_secret: str = "test-key-secret"
    webhook_secret: str = "test-webhook-secret"
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)  # key -> body, refund
    disputes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``X-Refund-Idempotency`` of every refund request, replays included, in order.
    refund_requests: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    #: Answer the next N API calls with this status (an outage), before checking anything.
    outage: list[int] = field(default_factory=list)
    #: Whether creating a link succeeds at Razorpay but the answer is lost (a timeout on our side).
    lose_next_create_answer: bool = False

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/v1/payment_links", self._create_link)
        app.router.add_get("/v1/payment_links", self._list_links)
        app.router.add_get("/v1/payment_links/{id}", self._fetch_link)
        app.router.add_post("/v1/payment_links/{id}/cancel", self._cancel_link)
        app.router.add_post("/v1/payments/{id}/refund", self._refund)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if self.outage:
            return error(self.outage.pop(0), "Service unavailable", "SERVER_ERROR")
        expected = base64.b64encode(f"{self.key_id}:{self.key_secret}".encode()).decode()
        if request.headers.get("Authorization", "") != f"Basic {expected}":
            return error(401, "Authentication failed")
        json_body = request.content_type == "application/json"
        if request.method == "POST" and request.can_read_body and not json_body:
            return error(400, "The request body must be JSON")
        response: web.StreamResponse = await handler(request)
        return response

    # --- API ---------------------------------------------------------------------------------
    async def _create_link(self, request: web.Request) -> web.Response:
        body = await request.json()
        amount = body.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 100:
            return error(400, "The amount must be an integer of at least 100 (paise).")
        reference = body.get("reference_id")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 40):
            return error(400, "The reference id may not be greater than 40 characters.")
        if reference and any(link["reference_id"] == reference for link in self.links.values()):
            return error(400, f"Payment Link with reference id {reference} already exists")
        expire_by = body.get("expire_by")
        if expire_by is not None and (not isinstance(expire_by, int) or expire_by < time.time() + 15 * 60):
            return error(400, "expire_by should be at least 15 minutes after current time")
        notify = body.get("notify", {})
        if not all(isinstance(v, bool) for v in notify.values()) or set(notify) - {"sms", "email"}:
            return error(400, "notify takes the booleans sms and email")
        if len(body.get("notes") or {}) > 15:
            return error(400, "notes may have at most 15 keys")
        if body.get("callback_url") and body.get("callback_method") != "get":
            return error(400, "callback_method must be get")
        if len(str(body.get("description", ""))) > 2048:
            return error(400, "The description may not be greater than 2048 characters.")
        link_id = _id("plink")
        link = {
            "id": link_id,
            "amount": amount,
            "amount_paid": 0,
            "currency": body.get("currency", "INR"),
            "accept_partial": bool(body.get("accept_partial", False)),
            "reference_id": reference or "",
            "description": body.get("description", ""),
            "expire_by": expire_by or int(time.time()) + 180 * 86400,
            "notify": notify,
            "notes": body.get("notes") or [],
            "upi_link": bool(body.get("upi_link", False)),
            "payments": None,
            "short_url": f"https://rzp.io/i/{link_id[-8:]}",
            "status": "created",
            "created_at": int(time.time()),
        }
        self.links[link_id] = link
        if self.lose_next_create_answer:
            self.lose_next_create_answer = False
            return error(504, "Gateway timeout", "SERVER_ERROR")
        return web.json_response(link)

    async def _list_links(self, request: web.Request) -> web.Response:
        reference = request.query.get("reference_id")
        found = [link for link in self.links.values() if reference in (None, link["reference_id"])]
        return web.json_response({"payment_links": found})

    async def _fetch_link(self, request: web.Request) -> web.Response:
        link = self.links.get(request.match_info["id"])
        if link is None:
            return error(400, "The id provided does not exist")
        return web.json_response(link)

    async def _cancel_link(self, request: web.Request) -> web.Response:
        link = self.links.get(request.match_info["id"])
        if link is None:
            return error(400, "The id provided does not exist")
        if link["status"] not in ("created", "partially_paid"):
            return error(400, f"Payment Link cannot be cancelled in {link['status']} status")
        link["status"] = "cancelled"
        return web.json_response(link)

    async def _refund(self, request: web.Request) -> web.Response:
        key = request.headers.get("X-Refund-Idempotency")
        self.refund_requests.append(key or "")
        if key is not None and len(key) < 10:
            return error(400, "X-Refund-Idempotency must be at least 10 characters")
        raw = await request.text()
        body = json.loads(raw) if raw else {}
        if key in self.refunds:
            earlier_body, refund = self.refunds[key]
            if earlier_body != body:
                return error(400, "Different request body sent for the same idempotency header")
            return web.json_response(refund)
        payment = self.payments.get(request.match_info["id"])
        if payment is None:
            return error(400, "The id provided does not exist")
        if payment["status"] != "captured":
            return error(400, "The payment has not been captured yet")
        left = payment["amount"] - payment["amount_refunded"]
        amount = body.get("amount", left)
        if not isinstance(amount, int) or amount < 100 or amount > left:
            return error(400, "The refund amount provided is greater than amount captured")
        if body.get("speed", "normal") not in ("normal", "optimum"):
            return error(400, "speed must be normal or optimum")
        payment["amount_refunded"] += amount
        refund = {
            "id": _id("rfnd"),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment["id"],
            "notes": body.get("notes") or [],
            "status": "processed",
            "speed_requested": body.get("speed", "normal"),
        }
        if key:
            self.refunds[key] = (body, refund)
        return web.json_response(refund)

    # --- what the customer and Razorpay do -------------------------------------------------------
    def pay(self, link_id: str, amount: int | None = None) -> dict[str, Any]:
        """The customer pays; returns the ``payment_link.paid`` event Razorpay would send."""
        link = self.links[link_id]
        if link["status"] not in ("created", "partially_paid"):
            raise ValueError(f"Razorpay takes no payment on a {link['status']} link")
        paid = link["amount"] if amount is None else amount
        payment_id = _id("pay")
        payment = {
            "id": payment_id,
            "entity": "payment",
            "amount": paid,
            "amount_refunded": 0,
            "currency": link["currency"],
            "status": "captured",
            "method": "upi",
        }
        self.payments[payment_id] = payment
        link["amount_paid"] = paid
        link["status"] = "paid"
        link["payments"] = [{"payment_id": payment_id, "amount": paid, "status": "captured", "method": "upi"}]
        return self.event("payment_link.paid", link, payment)

    def expire(self, link_id: str) -> dict[str, Any]:
        link = self.links[link_id]
        link["status"] = "expired"
        return self.event("payment_link.expired", link)

    def dashboard_refund(self, payment_id: str, amount: int) -> dict[str, Any]:
        """The merchant refunds in the Razorpay Dashboard: the ``refund.processed`` event (a refund
        without our notes; the payment entity with its total refunded so far)."""
        payment = self.payments[payment_id]
        payment["amount_refunded"] += amount
        refund = {
            "id": _id("rfnd"),
            "entity": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_id": payment_id,
            "notes": [],
            "status": "processed",
        }
        return self.refund_event("refund.processed", refund)

    def dispute(self, payment_id: str, *, amount: int | None = None, reason_code: str = "chargeback") -> dict[str, Any]:
        """The customer's bank disputes the payment: ``payment.dispute.created``."""
        payment = self.payments[payment_id]
        dispute = {
            "id": _id("disp"),
            "entity": "dispute",
            "payment_id": payment_id,
            "amount": payment["amount"] if amount is None else amount,
            "currency": payment["currency"],
            "amount_deducted": 0,
            "reason_code": reason_code,
            "reason_description": "The customer's bank raised a chargeback.",
            "respond_by": int(time.time()) + 7 * 86400,
            "status": "open",
            "phase": "chargeback",
            "created_at": int(time.time()),
        }
        self.disputes[dispute["id"]] = dispute
        return self.dispute_event("payment.dispute.created", dispute["id"])

    def decide_dispute(self, dispute_id: str, status: str) -> dict[str, Any]:
        """The dispute moves on: ``under_review``, ``action_required`` (still open), ``won``,
        ``closed`` or ``lost`` (its amount deducted from the balance); the event that says so."""
        dispute = self.disputes[dispute_id]
        if status not in ("under_review", "action_required", "won", "lost", "closed"):
            raise ValueError(f"no payment.dispute.{status} event")
        dispute["status"] = "open" if status == "action_required" else status
        if status == "lost":
            dispute["amount_deducted"] = dispute["amount"]
        return self.dispute_event(f"payment.dispute.{status}", dispute_id)

    def dispute_event(self, name: str, dispute_id: str) -> dict[str, Any]:
        dispute = self.disputes[dispute_id]
        payment = self.payments[dispute["payment_id"]]
        return {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": name,
            "contains": ["payment", "dispute"],
            "payload": {"payment": {"entity": dict(payment)}, "dispute": {"entity": dict(dispute)}},
            "created_at": int(time.time()),
        }

    def refund_event(self, name: str, refund: dict[str, Any]) -> dict[str, Any]:
        """A ``refund.*`` event: the refund and its payment (as Razorpay's refund webhooks carry)."""
        payment = self.payments[refund["payment_id"]]
        return {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": name,
            "contains": ["refund", "payment"],
            "payload": {"refund": {"entity": dict(refund)}, "payment": {"entity": dict(payment)}},
            "created_at": int(time.time()),
        }

    def event(self, name: str, link: dict[str, Any], payment: dict[str, Any] | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"payment_link": {"entity": dict(link)}}
        contains = ["payment_link"]
        if payment is not None:
            payload["payment"] = {"entity": dict(payment)}
            contains.append("payment")
        return {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": name,
            "contains": contains,
            "payload": payload,
            "created_at": int(time.time()),
        }

    def signed(self, event: dict[str, Any], *, secret: str | None = None) -> tuple[bytes, str]:
        body = json.dumps(event).encode()
        key = (secret or self.webhook_secret).encode()
        return body, hmac.new(key, body, hashlib.sha256).hexdigest()

    async def send_webhook(
        self,
        http: aiohttp.ClientSession,
        url: str,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        secret: str | None = None,
        signature: str | None = None,
    ) -> int:
        """POST the event as Razorpay does; returns our app's status code."""
        body, good = self.signed(event, secret=secret)
        headers = {
            "Content-Type": "application/json",
            "X-Razorpay-Signature": good if signature is None else signature,
            "x-razorpay-event-id": event_id or _id("evt"),
        }
        async with http.post(url, data=body, headers=headers) as response:
            return response.status
