"""WeChat's push signatures: SHA-1 over the sorted parameters, compared in constant time.

``signature`` covers (token, timestamp, nonce); safe mode adds ``msg_signature`` over
(token, timestamp, nonce, Encrypt). A timestamp far from now is refused so that a captured push
cannot be replayed later.
"""

from __future__ import annotations

import hashlib

from chatshop.digests import same_digest

__all__ = ["SignatureError", "check_fresh", "sha1_signature", "verify"]


class SignatureError(Exception):
    """The push is not from WeChat, or not from now."""


def sha1_signature(*parts: str) -> str:
    """``sha1(''.join(sorted(parts)))`` in lowercase hex, as WeChat computes it."""
    # surrogatepass: a forged part holding half an emoji hashes to a signature nobody has, not a 500
    joined = "".join(sorted(parts)).encode("utf-8", "surrogatepass")
    return hashlib.sha1(joined).hexdigest()  # noqa: S324 - the protocol's hash


def verify(signature: str | None, *parts: str) -> None:
    """Raise :class:`SignatureError` unless ``signature`` matches ``parts``."""
    if not signature:
        raise SignatureError("missing signature")
    if not same_digest(sha1_signature(*parts), signature.strip().lower()):
        raise SignatureError("signature mismatch")


def check_fresh(timestamp: str | None, now: float, max_skew: int) -> None:
    """Raise :class:`SignatureError` unless ``timestamp`` is within ``max_skew`` s of ``now``."""
    if not timestamp or not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:  # not "²"
        raise SignatureError("missing or malformed timestamp")
    if abs(now - int(timestamp)) > max_skew:
        raise SignatureError("timestamp outside the replay window")
