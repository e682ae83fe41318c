"""WeChat Pay API v3 calls, each signed with the merchant key and each answer verified.

An answer whose signature does not verify with WeChat Pay's public key is treated as an error: it
did not come from WeChat Pay. Creating a transaction is safe to repeat: the same ``out_trade_no``
with the same parameters returns the same prepay id or code URL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import aiohttp
import structlog
from cryptography.hazmat.primitives.asymmetric import rsa

from chatshop.payments import PaymentError
from chatshop.plugins.payments.wechatpay import crypto
from chatshop.retry import retrying

log = structlog.get_logger(__name__)


class WeChatPayError(PaymentError):
    """WeChat Pay answered with an error; ``status`` and ``code`` (``ORDERPAID``...) are its own."""

    def __init__(self, message: str, *, status: int, code: str | None, retryable: bool) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.code = code


class WeChatPayClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        mchid: str,
        serial_no: str,
        private_key: rsa.RSAPrivateKey,
        platform_keys: Mapping[str, rsa.RSAPublicKey],
        timeout: float = 10.0,
        retry_delays: Sequence[float] = (0.5, 2.0),
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.mchid = mchid
        self._serial_no = serial_no
        self._private_key = private_key
        self._platform_keys = platform_keys
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry_delays = tuple(retry_delays)

    async def create_jsapi(self, body: Mapping[str, Any]) -> str:
        """A JSAPI transaction; its ``prepay_id`` (valid two hours)."""
        answer = await self._call("POST", "/v3/pay/transactions/jsapi", body)
        return str(answer["prepay_id"])

    async def create_native(self, body: Mapping[str, Any]) -> str:
        """A Native transaction; its ``code_url`` to show as a QR code."""
        answer = await self._call("POST", "/v3/pay/transactions/native", body)
        return str(answer["code_url"])

    async def query(self, out_trade_no: str) -> dict[str, Any] | None:
        """The transaction as WeChat Pay knows it; None if it never reached WeChat Pay."""
        path = f"/v3/pay/transactions/out-trade-no/{out_trade_no}"
        try:
            return await self._call("GET", path, query={"mchid": self.mchid})
        except WeChatPayError as e:
            if e.status == 404 or e.code == "ORDER_NOT_EXIST":
                return None
            raise

    async def close(self, out_trade_no: str) -> None:
        path = f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close"
        await self._call("POST", path, {"mchid": self.mchid})

    async def refund(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/v3/refund/domestic/refunds", body)

    async def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        url = path + (f"?{urlencode(query)}" if query else "")
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        return await retrying(
            lambda: self._once(method, url, text), self._retry_delays, provider="wechatpay", path=path
        )

    async def _once(self, method: str, url: str, text: str) -> dict[str, Any]:
        headers = {
            "Authorization": crypto.authorization(
                self._private_key,
                mchid=self.mchid,
                serial_no=self._serial_no,
                method=method,
                url=url,
                body=text,
                timestamp=int(time.time()),
                nonce_str=crypto.nonce(),
            ),
            "Accept": "application/json",
            "User-Agent": "chatshop-wechatpay/1",
        }
        if text:
            headers["Content-Type"] = "application/json"
        try:
            async with self._http.request(
                method,
                self._base + url,
                data=text.encode() if text else None,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                status = response.status
                raw = await response.read()
                answer_headers = response.headers
        except (aiohttp.ClientError, TimeoutError) as e:
            raise WeChatPayError(
                f"WeChat Pay unreachable: {type(e).__name__}", status=0, code=None, retryable=True
            ) from e
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = None
        if 200 <= status < 300:
            if not self._signed_by_wechatpay(answer_headers, raw):
                raise WeChatPayError(
                    f"WeChat Pay {method} {url}: the answer's signature does not verify",
                    status=status,
                    code="SIGN_ERROR",
                    retryable=False,
                )
            if isinstance(data, dict):
                return data
        code = data.get("code") if isinstance(data, dict) else None
        detail = data.get("message") if isinstance(data, dict) else None
        raise WeChatPayError(
            f"WeChat Pay {method} {url}: {code or status} {detail or ''}".rstrip(),
            status=status,
            code=code,
            retryable=status == 429 or status >= 500 or code == "SYSTEM_ERROR",
        )

    def _signed_by_wechatpay(self, headers: Mapping[str, str], raw: bytes) -> bool:
        key = self._platform_keys.get(headers.get("Wechatpay-Serial") or "")  # the key it names, if ours
        timestamp = headers.get("Wechatpay-Timestamp")
        nonce_str = headers.get("Wechatpay-Nonce")
        signature = headers.get("Wechatpay-Signature")
        if key is None or not (timestamp and nonce_str and signature):
            return False
        signed = crypto.answer_message(timestamp, nonce_str, raw)
        return crypto.verify(key, signed, signature)
