"""Signed cookie values: ``value.signature`` with HMAC-SHA256, checked in constant time.

The web chat and the dashboard keep who someone is in a cookie the browser cannot forge. A secret
from the environment survives restarts and is shared by every worker; without one, each process
makes a random secret and every cookie it signed stops working when it restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from chatshop.digests import same_digest

__all__ = ["Signer", "random_secret"]


def random_secret() -> bytes:
    return secrets.token_bytes(32)


class Signer:
    """Signs short ASCII values; ``purpose`` keeps a chat cookie from passing as an admin one."""

    def __init__(self, secret: str | bytes, purpose: str) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        self._key = hashlib.sha256(purpose.encode() + b"\0" + key).digest()

    def _signature(self, value: str) -> str:
        digest = hmac.new(self._key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, value: str) -> str:
        if not value.isascii():
            raise ValueError("signed values must be ASCII")
        return f"{value}.{self._signature(value)}"

    def unsign(self, signed: str | None) -> str | None:
        """The value if the signature is right, else None."""
        if not signed or "." not in signed or not signed.isascii():  # we sign ASCII only
            return None
        value, _, signature = signed.rpartition(".")
        return value if same_digest(self._signature(value), signature) else None
