"""The ``Stripe-Signature`` header: ``t=<unix time>,v1=<hex>[,v1=<hex>...]``.

Each ``v1`` is HMAC-SHA256 of ``"{t}.{raw body}"`` under an endpoint secret (``whsec_...``); there
are several while a secret is being rolled, and any one matching is enough. The timestamp bounds
replays: an older signature than the tolerance is refused even when it matches.
"""

from __future__ import annotations

import hashlib
import hmac

from chatshop.digests import same_digest


def compute(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(payload: bytes, secret: str, timestamp: int) -> str:
    """What Stripe would send (used by tests and the fake server)."""
    return f"t={timestamp},v1={compute(payload, secret, timestamp)}"


def verify(payload: bytes, given: str | None, secret: str, *, tolerance: int, now: float) -> bool:
    """Whether any ``v1`` in ``given`` signs ``payload`` and its timestamp is fresh enough."""
    if not given:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for item in given.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    expected = compute(payload, secret, timestamp)
    # Compare against every candidate so the time taken does not say which one matched.
    matched = [same_digest(expected, c) for c in candidates]
    return any(matched) and timestamp >= now - tolerance
