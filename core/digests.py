"""Comparing a signature, token or digest someone sent with the one we expect: on bytes, in constant time.

What arrives in a header, a query or a cookie is text only because the server decoded it: aiohttp
keeps a byte that is not UTF-8 as a lone surrogate (``\\xe9`` becomes ``\\udce9``), which ``str.encode``
refuses and ``hmac.compare_digest`` refuses as non-ASCII. A forged header must be a bad signature
(401), never a server error, so every comparison goes through :func:`same_digest`, which works on
the bytes that were sent.
"""

from __future__ import annotations

import hmac

__all__ = ["same_digest", "wire_bytes"]


def wire_bytes(value: str) -> bytes | None:
    """``value`` as the bytes that were sent (undecodable ones restored); None if no bytes can be."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that was never a byte (half of an escaped emoji)
        return None


def same_digest(expected: str | bytes, given: str | bytes | None) -> bool:
    """Whether ``given`` is ``expected``, compared in constant time; anything unreadable is not."""
    if not given:
        return False
    sent = given if isinstance(given, bytes) else wire_bytes(given)
    wanted = expected if isinstance(expected, bytes) else wire_bytes(expected)
    if sent is None or wanted is None:
        return False
    return hmac.compare_digest(wanted, sent)
