"""A fake WeChat Pay API v3 (api.mch.weixin.qq.com) that checks what the real one checks.

Built from research/wechat.md §4: every request carries ``Authorization: WECHATPAY2-SHA256-RSA2048
mchid=...,nonce_str=...,signature=...,timestamp=...,serial_no=...`` signing
``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`` with the merchant key (checked with the merchant's
public key; a bad signature or a stale timestamp is 401 ``SIGN_ERROR``); JSON bodies; JSAPI and
Native transactions need ``appid``, ``mchid``, ``description`` (≤127), ``out_trade_no`` (≤32,
``[0-9A-Za-z_-*]``), an https ``notify_url`` without a query, ``amount.total`` in fen and ``CNY``,
and JSAPI a ``payer.openid``; the same ``out_trade_no`` with the same parameters returns the same
prepay id, with other parameters it is refused. Every answer is signed with WeChat Pay's key.
Notifications are signed the same way and carry the transaction encrypted with AEAD_AES_256_GCM
under the APIv3 key.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_ids = itertools.count(1)
BODY = web.RequestKey("body", dict)
_OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-*]{6,32}$")


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_private(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_public(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _sign(key: rsa.RSAPrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def _verify(key: rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), data, padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


@dataclass
class FakeWeChatPay:
    merchant_public_key: rsa.RSAPublicKey
    platform_key: rsa.RSAPrivateKey
    mchid: str = "1900000001"
    appid: str = "wxd678efh567hg6787"
    serial_no: str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    platform_key_id: str = "PUB_KEY_ID_0119000000012026112500000000000001"
    apiv3_key: bytes = b"ChatShopTestApiV3Key0123456789ab"
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)  # out_trade_no -> state
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # out_refund_no -> refund
    #: ``out_refund_no`` of every refund request, replays included, in order.
    refund_requests: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    outage: list[int] = field(default_factory=list)
    #: Sign answers with another key (a man in the middle) to see that we refuse them.
    impostor_key: rsa.RSAPrivateKey | None = None
    #: The status the next new refunds are answered with, one each (then ``SUCCESS``): ``ABNORMAL``
    #: or ``CLOSED`` is a refund WeChat Pay took but could not pay out (nothing went back).
    refund_outcomes: list[str] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/v3/pay/transactions/jsapi", self._jsapi)
        app.router.add_post("/v3/pay/transactions/native", self._native)
        app.router.add_get("/v3/pay/transactions/out-trade-no/{no}", self._query)
        app.router.add_post("/v3/pay/transactions/out-trade-no/{no}/close", self._close)
        app.router.add_post("/v3/refund/domestic/refunds", self._refund)
        return app

    # --- the envelope: authorization in, signature out -----------------------------------------
    def _answer(self, status: int, body: dict[str, Any] | None = None) -> web.Response:
        raw = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        response = web.Response(status=status, body=raw or None)
        if raw:
            response.content_type = "application/json"
        response.headers.update(self.signed_headers(raw, key=self.impostor_key))
        return response

    def _fail(self, status: int, code: str, message: str) -> web.Response:
        return self._answer(status, {"code": code, "message": message})

    def signed_headers(
        self, body: bytes, *, key: rsa.RSAPrivateKey | None = None, timestamp: int | None = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signed = f"{ts}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": _sign(key or self.platform_key, signed),
            "Wechatpay-Serial": self.platform_key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Request-ID": f"08F{next(_ids):010d}",
        }

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path_qs))
        if self.outage:
            return self._fail(self.outage.pop(0), "SYSTEM_ERROR", "系统错误")
        if not request.headers.get("User-Agent"):
            return self._fail(400, "PARAM_ERROR", "User-Agent is required")
        if "application/json" not in request.headers.get("Accept", ""):
            return self._fail(406, "PARAM_ERROR", "Accept must be application/json")
        raw = await request.read()
        if raw and request.content_type != "application/json":
            return self._fail(415, "PARAM_ERROR", "Content-Type must be application/json")
        problem = self._check_authorization(request, raw)
        if problem:
            return self._fail(401, "SIGN_ERROR", problem)
        if raw:
            try:
                request[BODY] = json.loads(raw)
            except ValueError:
                return self._fail(400, "PARAM_ERROR", "body is not JSON")
        response: web.StreamResponse = await handler(request)
        return response

    def _check_authorization(self, request: web.Request, raw: bytes) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, rest = header.partition(" ")
        if scheme != "WECHATPAY2-SHA256-RSA2048":
            return "Authorization scheme must be WECHATPAY2-SHA256-RSA2048"
        fields = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if set(fields) != {"mchid", "nonce_str", "signature", "timestamp", "serial_no"}:
            return f"Authorization needs exactly five fields, got {sorted(fields)}"
        if fields["mchid"] != self.mchid:
            return "mchid does not match"
        if fields["serial_no"] != self.serial_no:
            return "serial_no is not the merchant certificate's"
        if not fields["timestamp"].isdigit() or abs(time.time() - int(fields["timestamp"])) > 300:
            return "timestamp is stale"
        signed = (
            f"{request.method}\n{request.path_qs}\n{fields['timestamp']}\n{fields['nonce_str']}\n".encode()
            + raw
            + b"\n"
        )
        if not _verify(self.merchant_public_key, signed, fields["signature"]):
            return "signature does not verify"
        return None

    # --- transactions ----------------------------------------------------------------------
    async def _jsapi(self, request: web.Request) -> web.Response:
        return self._create(request, jsapi=True)

    async def _native(self, request: web.Request) -> web.Response:
        return self._create(request, jsapi=False)

    def _create(self, request: web.Request, *, jsapi: bool) -> web.Response:
        body = request.get(BODY) or {}
        problem = self._check_transaction(body, jsapi=jsapi)
        if problem:
            return self._fail(400, "PARAM_ERROR", problem)
        no = body["out_trade_no"]
        known = self.transactions.get(no)
        if known is not None:
            if known["trade_state"] == "SUCCESS":
                return self._fail(400, "ORDERPAID", "该订单已支付")
            if known["request"] != body:
                return self._fail(400, "INVALID_REQUEST", "201 商户订单号重复")
            return self._answer(200, known["answer"])
        answer = (
            {"prepay_id": f"wx{next(_ids):026d}"}
            if jsapi
            else {"code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(6)}"}
        )
        self.transactions[no] = {
            "request": body,
            "answer": answer,
            "trade_type": "JSAPI" if jsapi else "NATIVE",
            "trade_state": "NOTPAY",
            "transaction_id": None,
            "refunded": 0,
        }
        return self._answer(200, answer)

    def _check_transaction(self, body: dict[str, Any], *, jsapi: bool) -> str | None:
        for name in ("appid", "mchid", "description", "out_trade_no", "notify_url", "amount"):
            if name not in body:
                return f"输入源“/body/{name}”映射到字段“{name}”必填性规则校验失败，此字段为必填项"
        if body["appid"] != self.appid or body["mchid"] != self.mchid:
            return "appid and mchid must be the merchant's"
        if not 1 <= len(body["description"]) <= 127:
            return "description is 1 to 127 characters"
        if not _OUT_TRADE_NO.match(body["out_trade_no"]):
            return "out_trade_no is 6 to 32 of [0-9A-Za-z_-*]"
        url = body["notify_url"]
        if not url.startswith("https://") or "?" in url or len(url) > 255:
            return "notify_url must be https, at most 255 characters, without a query"
        amount = body["amount"]
        total = amount.get("total")
        if not isinstance(total, int) or isinstance(total, bool) or total < 1:
            return "amount.total is an integer number of fen, at least 1"
        if amount.get("currency", "CNY") != "CNY":
            return "amount.currency must be CNY"
        if "time_expire" in body:
            try:
                expires = datetime.fromisoformat(body["time_expire"])
            except ValueError:
                return "time_expire must be RFC 3339"
            if expires.tzinfo is None or expires.timestamp() < time.time():
                return "time_expire must be in the future, with a time zone"
        if jsapi and not (body.get("payer") or {}).get("openid"):
            return "payer.openid is required for JSAPI"
        return None

    async def _query(self, request: web.Request) -> web.Response:
        if request.query.get("mchid") != self.mchid:
            return self._fail(400, "PARAM_ERROR", "mchid is required in the query")
        no = request.match_info["no"]
        if no not in self.transactions:
            return self._fail(404, "ORDER_NOT_EXIST", "订单不存在")
        return self._answer(200, self.transaction(no))

    async def _close(self, request: web.Request) -> web.Response:
        if (request.get(BODY) or {}).get("mchid") != self.mchid:
            return self._fail(400, "PARAM_ERROR", "mchid is required")
        known = self.transactions.get(request.match_info["no"])
        if known is None:
            return self._fail(404, "ORDER_NOT_EXIST", "订单不存在")
        if known["trade_state"] in ("SUCCESS", "REFUND"):
            return self._fail(400, "ORDERPAID", "该订单已支付")
        known["trade_state"] = "CLOSED"
        return self._answer(204)

    async def _refund(self, request: web.Request) -> web.Response:
        body = request.get(BODY) or {}
        no = body.get("out_trade_no")
        refund_no = body.get("out_refund_no")
        self.refund_requests.append(str(refund_no))
        if not refund_no or len(refund_no) > 64:
            return self._fail(400, "PARAM_ERROR", "out_refund_no is required, at most 64")
        if refund_no in self.refunds:
            return self._answer(200, self.refunds[refund_no])
        known = self.transactions.get(no or "")
        if known is None or known["trade_state"] not in ("SUCCESS", "REFUND"):
            return self._fail(400, "INVALID_REQUEST", "订单未支付，不能退款")
        amount = body.get("amount") or {}
        paid = self.transaction(no or "")["amount"]["total"]  # the transaction's, as a query shows it
        if amount.get("total") != paid or amount.get("currency") != "CNY":
            return self._fail(400, "PARAM_ERROR", "amount.total must equal the order's total, in CNY")
        refund = amount.get("refund")
        if not isinstance(refund, int) or refund < 1 or refund > paid - known["refunded"]:
            return self._fail(403, "NOT_ENOUGH", "退款金额超过可退金额")
        status = self.refund_outcomes.pop(0) if self.refund_outcomes else "SUCCESS"
        if status not in ("ABNORMAL", "CLOSED"):
            known["refunded"] += refund
            known["trade_state"] = "REFUND"
        answer = {
            "refund_id": f"50000{next(_ids):024d}",
            "out_refund_no": refund_no,
            "transaction_id": known["transaction_id"],
            "out_trade_no": no,
            "status": status,
            "amount": {"total": paid, "refund": refund, "currency": "CNY"},
        }
        self.refunds[refund_no] = answer
        return self._answer(200, answer)

    # --- what the customer and WeChat Pay do ---------------------------------------------------
    def transaction(self, no: str, *, paid_total: int | None = None) -> dict[str, Any]:
        known = self.transactions[no]
        request = known["request"]
        paid_total = known.get("paid_total") if paid_total is None else paid_total
        total = request["amount"]["total"] if paid_total is None else paid_total
        out: dict[str, Any] = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": no,
            "trade_type": known["trade_type"],
            "trade_state": known["trade_state"],
            "trade_state_desc": "",
            "amount": {
                "total": total,
                "payer_total": total,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        if known["transaction_id"]:
            out.update(transaction_id=known["transaction_id"], success_time="2026-11-25T12:00:00+08:00")
            out["payer"] = {"openid": (request.get("payer") or {}).get("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")}
            out["bank_type"] = "OTHERS"
        return out

    def pay(self, no: str, *, paid_total: int | None = None) -> dict[str, Any]:
        """The customer pays; the decrypted ``transaction`` the notification will carry."""
        known = self.transactions[no]
        known["trade_state"] = "SUCCESS"
        known["transaction_id"] = f"42000{next(_ids):023d}"
        known["paid_total"] = paid_total  # what a query of the transaction says from now on, too
        return self.transaction(no, paid_total=paid_total)

    def notification(
        self,
        resource: dict[str, Any],
        *,
        event_type: str = "TRANSACTION.SUCCESS",
        key: bytes | None = None,
    ) -> bytes:
        nonce = secrets.token_urlsafe(9)[:12]
        plain = json.dumps(resource, ensure_ascii=False).encode()
        sealed = AESGCM(key or self.apiv3_key).encrypt(nonce.encode(), plain, b"transaction")
        envelope = {
            "id": f"EV-{next(_ids):022d}",
            "create_time": "2026-11-25T12:00:01+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(sealed).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
        return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()

    async def notify(
        self,
        http: aiohttp.ClientSession,
        url: str,
        body: bytes,
        *,
        key: rsa.RSAPrivateKey | None = None,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST a notification as WeChat Pay does; our status and body."""
        sent = {
            "Content-Type": "application/json",
            **self.signed_headers(body, key=key, timestamp=timestamp),
        }
        sent.update(headers or {})
        async with http.post(url, data=body, headers=sent) as response:
            return response.status, await response.text()
