"""Secrets and keys are lists while they rotate: the current one first, then those still in use.

Razorpay retries older events signed with the webhook secret it had then, Stripe signs with both
endpoint secrets while one is rolled, and WeChat Pay, moving merchants from platform certificates to
a public key, signs with whichever its ``Wechatpay-Serial`` names. One secret or key only refused
every such event until the next poll.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatshop.config import ConfigError
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.razorpay import FakeRazorpay
from chatshop.testing.fakes.stripe import FakeStripe
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key, pem_public
from tests.payments.conftest import WeChatPayMerchant
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY, STRIPE
from tests.payments.payment_helpers import place, stored, untouched

OLD = "the-secret-before-the-rotation"


@pytest.fixture
async def rotated_razorpay(
    razorpay_api: FakeRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ShopHarness]:
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET_OLD", OLD)
    section = RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url(""))
    section += 'webhook_secret_env = ["RAZORPAY_WEBHOOK_SECRET", "RAZORPAY_WEBHOOK_SECRET_OLD"]\n'
    async with running_shop(INDIA + section + CATALOG, tmp_path / "shop") as h:
        yield h


async def test_razorpay_accepts_an_event_signed_with_the_previous_secret(
    rotated_razorpay: ShopHarness, razorpay_api: FakeRazorpay
) -> None:
    h = rotated_razorpay
    order = await place(h)
    event = razorpay_api.pay(order.payment_ref or "")
    url = h.url("/webhooks/payments/razorpay")
    assert await razorpay_api.send_webhook(h.client.session, url, event, secret="never-ours") == 401
    assert await untouched(h)
    assert await razorpay_api.send_webhook(h.client.session, url, event, secret=OLD) == 200
    await h.shop.idle()
    assert (await stored(h)).status is OrderStatus.PAID


async def test_a_listed_secret_whose_variable_is_unset_is_named_with_its_place(
    razorpay_api: FakeRazorpay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    monkeypatch.delenv("RAZORPAY_WEBHOOK_SECRET_OLD", raising=False)
    section = RAZORPAY.format(key_id=razorpay_api.key_id, api="https://api.razorpay.com")
    section += 'webhook_secret_env = ["RAZORPAY_WEBHOOK_SECRET", "RAZORPAY_WEBHOOK_SECRET_OLD"]\n'
    with pytest.raises(ConfigError) as raised:
        async with running_shop(INDIA + section + CATALOG, tmp_path / "shop"):
            pass
    assert "payments.razorpay.webhook_secret_env[1]" in str(raised.value)


async def test_stripe_accepts_an_event_signed_with_the_secret_being_rolled(
    stripe_api: FakeStripe, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = await aiohttp_server(stripe_api.app())
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_api.secret_key)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_api.webhook_secret)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET_OLD", "whsec_" + OLD)
    section = STRIPE.format(api=server.make_url(""))
    section += 'webhook_secret_env = ["STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET_OLD"]\n'
    async with running_shop(INDIA + section + CATALOG, tmp_path / "shop") as h:
        order = await place(h, method="stripe")
        event = stripe_api.pay(order.payment_ref or "")
        url = h.url("/webhooks/payments/stripe")
        assert await stripe_api.send_webhook(h.client.session, url, event, secret="whsec_unknown") == 401
        assert await stripe_api.send_webhook(h.client.session, url, event, secret="whsec_" + OLD) == 200
        await h.shop.idle()
        assert (await stored(h)).status is OrderStatus.PAID


CERT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"


async def test_wechatpay_picks_the_key_its_serial_names(
    wechatpay_api: FakeWeChatPay,
    aiohttp_server: Any,
    tmp_path: Path,
    wechatpay_merchant: WeChatPayMerchant,
) -> None:
    server = await aiohttp_server(wechatpay_api.app())
    folder = tmp_path / "shop"
    toml = wechatpay_merchant(wechatpay_api, server.make_url(""), folder)
    certificate_key = new_key()  # the platform certificate's key, used before the public key
    (folder / "keys" / "platform_cert_key.pem").write_bytes(pem_public(certificate_key))
    toml += f'\n[payments.wechatpay.platform_keys]\n"{CERT_SERIAL}" = "keys/platform_cert_key.pem"\n'
    async with running_shop(toml, folder) as h:
        await place(h, currency="CNY", unit=2900, method="wechatpay")
        body = wechatpay_api.notification(wechatpay_api.pay("K7M-4QX"))
        url = h.url("/webhooks/payments/wechatpay")
        unknown = {"Wechatpay-Serial": "6000000000000000000000000000000000000000"}
        status, _ = await wechatpay_api.notify(h.client.session, url, body, key=certificate_key, headers=unknown)
        assert status == 401
        wrong_key = {"Wechatpay-Serial": wechatpay_api.platform_key_id}  # the public key's id, the cert's signature
        status, _ = await wechatpay_api.notify(h.client.session, url, body, key=certificate_key, headers=wrong_key)
        assert status == 401
        assert await untouched(h)
        serial = {"Wechatpay-Serial": CERT_SERIAL}
        status, _ = await wechatpay_api.notify(h.client.session, url, body, key=certificate_key, headers=serial)
        assert status == 204
        await h.shop.idle()
        assert (await stored(h)).status is OrderStatus.PAID
