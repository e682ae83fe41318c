"""Razorpay's webhook signature: hex HMAC-SHA256 of the raw body with the webhook secret.

There is no timestamp in it and it covers no header, so a replay is caught by deduplicating on the
ids inside the signed body (see ``webhook.event_id_of``), never on ``x-razorpay-event-id``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from chatshop.digests import same_digest


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is the body's HMAC under ``secret``; compared in constant time."""
    return bool(signature) and same_digest(sign(body, secret), (signature or "").strip().lower())


def verify_any(body: bytes, signature: str | None, secrets: Sequence[str]) -> bool:
    """Whether ``signature`` is the body's HMAC under any of ``secrets`` (current, then previous);
    every one is compared, so the time taken does not say which matched."""
    return any([verify(body, signature, secret) for secret in secrets])
