"""WeChat Pay notifications: verify the signature over the raw body, decrypt, normalize.

A notification is trusted only when it is signed with WeChat Pay's public key (the one named by
``Wechatpay-Serial``), recent, decrypts under our APIv3 key, and names our merchant and app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import structlog
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.money import Money
from chatshop.payments import PaymentEvent, PaymentEventKind
from chatshop.plugins.payments.wechatpay import crypto

log = structlog.get_logger(__name__)

#: The documented answers: success is 200/204 without a body; failure carries this body.
FAIL_BODY = {"code": "FAIL", "message": "失败"}


def verify_notification(
    headers: Mapping[str, str],
    body: bytes,
    *,
    keys: Mapping[str, rsa.RSAPublicKey],
    tolerance: int,
    now: float,
) -> bool:
    """Signed by the key ``Wechatpay-Serial`` names (one of ``keys``), recently."""
    key = keys.get(headers.get("Wechatpay-Serial") or "")
    timestamp = headers.get("Wechatpay-Timestamp", "")
    nonce_str = headers.get("Wechatpay-Nonce")
    signature = headers.get("Wechatpay-Signature")
    # Unix seconds in ASCII digits: "²" and "１２" pass isdigit(), and 400 digits overflow a float.
    if key is None or not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if not (nonce_str and signature):
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    return crypto.verify(key, crypto.answer_message(timestamp, nonce_str, body), signature)


def open_notification(body: bytes, apiv3_key: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The envelope and its decrypted resource (a transaction or a refund)."""
    envelope = json.loads(body)
    resource = envelope["resource"]
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise crypto.DecryptionError(f"unknown algorithm {resource.get('algorithm')!r}")
    plain = crypto.decrypt(
        apiv3_key,
        str(resource["nonce"]),
        str(resource.get("associated_data") or ""),
        str(resource["ciphertext"]),
    )
    return envelope, json.loads(plain)


def transaction_event(
    transaction: Mapping[str, Any], event_id: str, *, method: str, mchid: str, appid: str
) -> PaymentEvent | None:
    """A PAID event for a successful transaction of ours; None for anything else."""
    if transaction.get("mchid") != mchid or transaction.get("appid") != appid:
        log.warning("wechatpay.foreign_transaction", alert=True)
        return None
    state = transaction.get("trade_state")
    kind = {
        "SUCCESS": PaymentEventKind.PAID,
        "PAYERROR": PaymentEventKind.FAILED,
        "CLOSED": PaymentEventKind.CANCELLED,
        "REVOKED": PaymentEventKind.CANCELLED,
    }.get(str(state))
    number = transaction.get("out_trade_no")
    if kind is None or not number:
        return None
    amount = None
    if kind is PaymentEventKind.PAID:
        figures = transaction.get("amount") or {}
        amount = Money.reported(figures.get("total"), figures.get("currency", "CNY"))
    paid_by = transaction.get("transaction_id")  # WeChat Pay's 28 digits, as text; anything else is none
    return PaymentEvent(
        method=method,
        event_id=event_id,
        kind=kind,
        order_number=str(number),
        amount=amount,
        provider_payment_id=paid_by if isinstance(paid_by, str) and paid_by else None,
        raw_status=str(state),
    )
