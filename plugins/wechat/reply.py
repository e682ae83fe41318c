"""The safe-mode envelope for a passive reply (the XML answered in the HTTP response itself).

The channel answers ``success`` and sends replies through the customer-service API, so it does not
use passive replies today; this is the one correct way to build one should a plugin want to
(``Encrypt``, ``MsgSignature``, ``TimeStamp``, ``Nonce``, as WeChat expects in safe mode).
"""

from __future__ import annotations

from .crypto import WeChatCrypto
from .signature import sha1_signature
from .xml import cdata

__all__ = ["seal_reply"]


def seal_reply(
    crypto: WeChatCrypto,
    token: str,
    reply_xml: str,
    timestamp: str,
    nonce: str,
    random_prefix: bytes | None = None,
) -> str:
    """``reply_xml`` encrypted and signed; ``random_prefix`` only in known-answer tests."""
    encrypted = crypto.encrypt(reply_xml.encode(), random_prefix)
    signature = sha1_signature(token, timestamp, nonce, encrypted)
    return (
        f"<xml>\n<Encrypt>{cdata(encrypted)}</Encrypt>\n"
        f"<MsgSignature>{cdata(signature)}</MsgSignature>\n"
        f"<TimeStamp>{int(timestamp)}</TimeStamp>\n"
        f"<Nonce>{cdata(nonce)}</Nonce>\n</xml>"
    )
