"""Razorpay's webhook signature: hex HMAC-SHA256 of the raw body with the webhook secret.

There is no timestamp in it, so a replay is only caught by deduplicating ``x-razorpay-event-id``.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is the body's HMAC under ``secret``; compared in constant time."""
    if not signature:
        return False
    # Bytes, not str: compare_digest refuses non-ASCII str, and a forged header may carry any.
    return hmac.compare_digest(sign(body, secret).encode(), signature.strip().lower().encode())
