"""A signature header holding a byte that is not UTF-8 is a bad signature (401), never a 500.

The bytes go over the wire as a forger sends them (no client library would); the server decodes
them to a lone surrogate, which broke every ``str.encode`` of the comparison before.
"""

from __future__ import annotations

import json

import pytest

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay
from tests.payments.payment_helpers import place, untouched
from tests.raw_http import raw_request

ODD = [b"\xe9" * 64, b"sha256=\xe9\x80", b"t=1,v1=\xff\xfe", b"\xc3", b"ab\x80cd"]


def _base(h: ShopHarness) -> str:
    return h.url("/").rstrip("/")


@pytest.mark.parametrize("value", ODD)
async def test_razorpay_refuses_an_undecodable_signature(razorpay_shop: ShopHarness, value: bytes) -> None:
    h = razorpay_shop
    await place(h)
    body = json.dumps({"event": "payment_link.paid", "payload": {}}).encode()
    headers = {b"Content-Type": b"application/json", b"X-Razorpay-Signature": value}
    status, _ = await raw_request(_base(h), "POST", b"/webhooks/payments/razorpay", headers, body)
    assert status == 401
    assert await untouched(h)


@pytest.mark.parametrize("value", ODD)
async def test_stripe_refuses_an_undecodable_signature(
    stripe_shop: ShopHarness, stripe_api: FakeStripe, value: bytes
) -> None:
    h = stripe_shop
    body = json.dumps({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}).encode()
    headers = {b"Content-Type": b"application/json", b"Stripe-Signature": b"t=1700000000,v1=" + value}
    status, _ = await raw_request(_base(h), "POST", b"/webhooks/payments/stripe", headers, body)
    assert status == 401


@pytest.mark.parametrize("header", ["Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Timestamp"])
async def test_wechatpay_refuses_an_undecodable_header(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay, header: str
) -> None:
    h = wechatpay_shop
    await place(h, currency="CNY", unit=2900, method="wechatpay")
    body = wechatpay_api.notification(wechatpay_api.pay("K7M-4QX"))
    headers = {k.encode(): v.encode() for k, v in wechatpay_api.signed_headers(body).items()}
    headers[header.encode()] = b"\xe9\x80abc"
    headers[b"Content-Type"] = b"application/json"
    status, content = await raw_request(_base(h), "POST", b"/webhooks/payments/wechatpay", headers, body)
    assert status == 401 and json.loads(content)["code"] == "FAIL"
    assert await untouched(h)


@pytest.mark.parametrize("sig", ["%C3%A9", "%E9", "\u00e9".encode().decode("latin-1"), "%F0%9F%98%80" * 3])
@pytest.mark.parametrize("path", ["", "/check"])
async def test_the_wechatpay_page_refuses_a_non_ascii_sig_with_a_4xx(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay, sig: str, path: str
) -> None:
    h = wechatpay_shop
    await place(h, currency="CNY", unit=2900, method="wechatpay")
    target = f"/pay/wechatpay/K7M-4QX{path}?sig=".encode() + sig.encode("latin-1")
    status, _ = await raw_request(_base(h), "POST" if path else "GET", target, {})
    assert status in (400, 404)  # aiohttp's own parser refuses a raw non-ASCII byte in the address
    async with h.client.session.request(
        "POST" if path else "GET", h.url(f"/pay/wechatpay/K7M-4QX{path}"), params={"sig": "é签"}
    ) as response:
        assert response.status == 404


@pytest.mark.parametrize("timestamp", ["²", "１７６７２５４４００", "١٧٦٧٢٥٤٤٠٠", "9" * 400])
async def test_wechatpay_refuses_a_timestamp_of_digits_that_are_no_number(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay, timestamp: str
) -> None:
    """Superscript, full-width or Arabic-Indic digits pass ``str.isdigit``; ``int`` refuses some
    and reads others as a time. Before any signature is checked, so anyone could send them."""
    h = wechatpay_shop
    await place(h, currency="CNY", unit=2900, method="wechatpay")
    body = wechatpay_api.notification(wechatpay_api.pay("K7M-4QX"))
    headers = {k.encode(): v.encode() for k, v in wechatpay_api.signed_headers(body).items()}
    headers[b"Wechatpay-Timestamp"] = timestamp.encode()
    headers[b"Content-Type"] = b"application/json"
    status, content = await raw_request(_base(h), "POST", b"/webhooks/payments/wechatpay", headers, body)
    assert status == 401 and json.loads(content)["code"] == "FAIL"
    assert await untouched(h)
