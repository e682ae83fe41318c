"""Forged signature headers of every shape are a 401, never a server error."""

from __future__ import annotations

import json

import pytest

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe

ODD = ["v1=é", "t=1,v1=签名", "签名", "t=,v1=", "=,=,=", "t=1e9,v1=00", " " * 10, "t=" + "9" * 5000 + ",v1=ab"]


@pytest.mark.parametrize("given", ODD)
async def test_odd_stripe_signatures_are_refused(stripe_shop: ShopHarness, stripe_api: FakeStripe, given: str) -> None:
    body = json.dumps({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": given}
    async with stripe_shop.client.session.post(
        stripe_shop.url("/webhooks/payments/stripe"), data=body, headers=headers
    ) as response:
        assert response.status == 401


@pytest.mark.parametrize("given", ODD)
async def test_odd_razorpay_signatures_are_refused(
    razorpay_shop: ShopHarness, razorpay_api: FakeRazorpay, given: str
) -> None:
    body = json.dumps({"event": "payment_link.paid", "payload": {}}).encode()
    headers = {"Content-Type": "application/json", "X-Razorpay-Signature": given}
    async with razorpay_shop.client.session.post(
        razorpay_shop.url("/webhooks/payments/razorpay"), data=body, headers=headers
    ) as response:
        assert response.status == 401
