"""WeChat Pay API v3 cryptography: RSA-SHA256 signatures both ways, and AEAD_AES_256_GCM.

Every signed message is lines joined and ended by ``\\n``: our requests sign
``METHOD, URL, TIMESTAMP, NONCE, BODY``; WeChat's answers and notifications sign
``TIMESTAMP, NONCE, BODY``; the JSAPI ``paySign`` signs ``appId, timeStamp, nonceStr, package``.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chatshop.digests import wire_bytes

SCHEME = "WECHATPAY2-SHA256-RSA2048"


class DecryptionError(ValueError):
    """A notification's resource did not decrypt: wrong APIv3 key, or altered ciphertext."""


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public_key(path: Path) -> rsa.RSAPublicKey:
    data = path.read_bytes()
    key: object
    if b"CERTIFICATE" in data:
        from cryptography import x509

        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def message(*lines: str) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def answer_message(timestamp: str, nonce_str: str, body: bytes) -> bytes:
    """What WeChat Pay signs in an answer or a notification: the raw body bytes, untouched, and the
    headers' values as the bytes that were sent (a forged one may hold any)."""
    head = wire_bytes(f"{timestamp}\n{nonce_str}\n")
    return (head if head is not None else b"") + body + b"\n"


def sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5)."""
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def nonce() -> str:
    return secrets.token_hex(16).upper()


def authorization(
    key: rsa.RSAPrivateKey,
    *,
    mchid: str,
    serial_no: str,
    method: str,
    url: str,
    body: str,
    timestamp: int,
    nonce_str: str,
) -> str:
    """The ``Authorization`` header of one request; ``url`` is the path plus any query."""
    signature = sign(key, message(method, url, str(timestamp), nonce_str, body))
    return (
        f'{SCHEME} mchid="{mchid}",nonce_str="{nonce_str}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def decrypt(apiv3_key: bytes, nonce_str: str, associated_data: str, ciphertext: str) -> bytes:
    """AEAD_AES_256_GCM: the APIv3 key, a 12-byte nonce, and base64(ciphertext ‖ 16-byte tag)."""
    try:
        return AESGCM(apiv3_key).decrypt(nonce_str.encode(), base64.b64decode(ciphertext), associated_data.encode())
    except (InvalidTag, binascii.Error, ValueError) as e:
        raise DecryptionError("the notification resource did not decrypt") from e


def encrypt(apiv3_key: bytes, nonce_str: str, associated_data: str, plaintext: bytes) -> str:
    """The inverse of :func:`decrypt` (WeChat's side; used by tests)."""
    sealed = AESGCM(apiv3_key).encrypt(nonce_str.encode(), plaintext, associated_data.encode())
    return base64.b64encode(sealed).decode()


def pay_sign(key: rsa.RSAPrivateKey, *, appid: str, timestamp: str, nonce_str: str, package: str) -> str:
    """``paySign`` for ``getBrandWCPayRequest``."""
    return sign(key, message(appid, timestamp, nonce_str, package))
