"""``X-Hub-Signature-256``: Meta signs the raw webhook body with the app secret.

Meta hashes the exact bytes it sends (ASCII JSON with ``\\u00e4``-style escapes), so we verify the
bytes we received, never a re-serialisation of the parsed JSON.
"""

from __future__ import annotations

import hashlib
import hmac

from chatshop.digests import same_digest

__all__ = ["HEADER", "sign", "verify"]

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for ``body``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{_PREFIX}{digest}"


def verify(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether ``header`` is the signature of ``body``, compared in constant time."""
    if not header or not header.startswith(_PREFIX):
        return False
    return same_digest(sign(body, app_secret), header.strip().lower())
