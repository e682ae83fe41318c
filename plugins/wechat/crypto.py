"""Safe mode: WeChat's AES-256-CBC envelope around every push and passive reply.

key = base64(EncodingAESKey + "="), IV = key[:16]; plaintext = 16 random bytes, the message length
(4 bytes, big-endian), the message, the appid; PKCS#7 padding to a multiple of 32 bytes. Unlike
common SDKs we check the padding and the appid, and draw the random prefix from ``secrets``.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["BLOCK", "CryptoError", "WeChatCrypto"]

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(Exception):
    """The envelope cannot be opened with this key, or is not for this account."""


class WeChatCrypto:
    """Encrypts and decrypts the ``Encrypt`` field for one account (appid) and one key."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise CryptoError("EncodingAESKey must be 43 characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise CryptoError("EncodingAESKey is not base64") from None
        if len(key) != 32:
            raise CryptoError("EncodingAESKey must decode to 32 bytes")
        self._key = key
        self._iv = key[:16]
        self.app_id = app_id

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._iv))

    def encrypt(self, message: bytes, random_prefix: bytes | None = None) -> str:
        """The base64 ``Encrypt`` value; pass ``random_prefix`` only in known-answer tests."""
        prefix = random_prefix if random_prefix is not None else secrets.token_bytes(16)
        if len(prefix) != 16:
            raise CryptoError("the random prefix must be 16 bytes")
        plain = prefix + struct.pack(">I", len(message)) + message + self.app_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> bytes:
        """The message inside ``encrypted``; :class:`CryptoError` on any inconsistency."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("ciphertext is not a whole number of AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or len(plain) % BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        body = plain[:-pad]
        if len(body) < 20:
            raise CryptoError("plaintext too short")
        (length,) = struct.unpack(">I", body[16:20])
        message = body[20 : 20 + length]
        if len(message) != length:
            raise CryptoError("message length exceeds the plaintext")
        app_id = body[20 + length :]
        if not secrets.compare_digest(app_id, self.app_id.encode()):
            raise CryptoError("the message is for another appid")
        return message
