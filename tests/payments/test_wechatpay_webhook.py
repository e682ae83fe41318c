"""WeChat Pay notifications: signature over the raw body, freshness, decryption, our merchant."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from chatshop.config import validate_section
from chatshop.money import Money
from chatshop.payments import PaymentEventKind
from chatshop.plugins.payments.wechatpay import WeChatPay
from chatshop.plugins.payments.wechatpay.config import WeChatPayConfig
from tests.payments.fake_wechatpay import FakeWeChatPay, new_key, pem_private
from tests.payments.payment_helpers import MountedClient, StandInShop, make_order

URL = "/webhooks/payments/wechatpay"
FAIL = {"code": "FAIL", "message": "失败"}
FIXTURE = Path("/work/shared/fixtures/wechat/pay_notify_transaction_success.json")


def _recorded() -> dict[str, Any]:
    if not FIXTURE.exists():
        pytest.skip("the shared WeChat Pay fixture is not on this machine")
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def ours(wechatpay: WeChatPay, webhook_client: MountedClient) -> TestClient:
    return await webhook_client(wechatpay)


@pytest.fixture
def events(wechatpay: WeChatPay) -> list[Any]:
    shop: StandInShop = wechatpay.shop  # type: ignore[assignment]
    return shop.events


async def paid_notification(wechatpay: WeChatPay, api: FakeWeChatPay, **kw: Any) -> bytes:
    order = make_order(currency="CNY", unit=2900, method="wechatpay")
    await wechatpay.start(order)
    return api.notification(api.pay(order.number, **kw))


async def test_a_signed_notification_pays_and_is_answered_204(
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    events: list[Any],
) -> None:
    body = await paid_notification(wechatpay, wechatpay_api)
    status, text = await wechatpay_api.notify(http, str(ours.make_url(URL)), body)
    assert (status, text) == (204, "")
    (event,) = events
    assert event.kind is PaymentEventKind.PAID and event.order_number == "K7M-4QX"
    assert event.amount == Money(5800, "CNY") and event.event_id == json.loads(body)["id"]
    assert event.provider_payment_id.startswith("42")


@pytest.mark.parametrize("how", ["other key", "stale", "other serial", "altered body", "no signature"])
async def test_a_wrongly_signed_notification_fails_and_changes_nothing(
    how: str,
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    events: list[Any],
) -> None:
    body = await paid_notification(wechatpay, wechatpay_api)
    url = str(ours.make_url(URL))
    if how == "other key":
        status, text = await wechatpay_api.notify(http, url, body, key=new_key())
    elif how == "stale":
        status, text = await wechatpay_api.notify(http, url, body, timestamp=int(time.time()) - 301)
    elif how == "other serial":
        status, text = await wechatpay_api.notify(http, url, body, headers={"Wechatpay-Serial": "PUB_KEY_ID_X"})
    elif how == "altered body":
        headers = wechatpay_api.signed_headers(body)
        async with http.post(url, data=body.replace(b"EV-", b"EV-9"), headers=headers) as response:
            status, text = response.status, await response.text()
    else:
        status, text = await wechatpay_api.notify(http, url, body, headers={"Wechatpay-Signature": ""})
    assert status == 401 and json.loads(text) == FAIL
    assert events == []


async def test_a_resource_sealed_with_another_key_fails_so_wechat_retries(
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    events: list[Any],
) -> None:
    order = make_order(currency="CNY", unit=2900, method="wechatpay")
    await wechatpay.start(order)
    body = wechatpay_api.notification(wechatpay_api.pay(order.number), key=b"x" * 32)
    status, text = await wechatpay_api.notify(http, str(ours.make_url(URL)), body)
    assert status == 500 and json.loads(text) == FAIL and events == []


async def test_the_amount_wechat_reports_is_what_the_core_checks(
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    events: list[Any],
) -> None:
    body = await paid_notification(wechatpay, wechatpay_api, paid_total=1)
    status, _ = await wechatpay_api.notify(http, str(ours.make_url(URL)), body)
    assert status == 204 and events[0].amount == Money(1, "CNY")


async def test_another_merchants_transaction_is_not_applied(
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    events: list[Any],
) -> None:
    order = make_order(currency="CNY", unit=2900, method="wechatpay")
    await wechatpay.start(order)
    foreign = {**wechatpay_api.pay(order.number), "mchid": "1900099999"}
    status, _ = await wechatpay_api.notify(http, str(ours.make_url(URL)), wechatpay_api.notification(foreign))
    assert status == 204 and events == []


async def test_replays_out_of_order_and_other_notices(
    wechatpay: WeChatPay,
    wechatpay_api: FakeWeChatPay,
    ours: TestClient,
    http: aiohttp.ClientSession,
    events: list[Any],
) -> None:
    url = str(ours.make_url(URL))
    body = await paid_notification(wechatpay, wechatpay_api)
    assert (await wechatpay_api.notify(http, url, body))[0] == 204
    assert (await wechatpay_api.notify(http, url, body))[0] == 204
    assert events[0].event_id == events[1].event_id  # the core drops the second
    assert (await wechatpay_api.notify(http, url, body))[0] == 204
    refund = wechatpay_api.notification(
        {"out_trade_no": "K7M-4QX", "refund_status": "SUCCESS"}, event_type="REFUND.SUCCESS"
    )
    assert (await wechatpay_api.notify(http, url, refund))[0] == 204
    assert len(events) == 3


async def test_the_recorded_notification_is_accepted_at_its_time(
    webhook_client: MountedClient,
    shop: StandInShop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    http: aiohttp.ClientSession,
) -> None:
    """shared/fixtures' real-format notification, replayed through our route as WeChat sent it."""
    recorded = _recorded()

    (tmp_path / "apiclient_key.pem").write_bytes(pem_private(new_key()))
    (tmp_path / "pub_key.pem").write_text(recorded["verification"]["wechatpay_public_key_pem"])
    monkeypatch.setenv("WECHATPAY_APIV3_KEY", recorded["test_apiv3_key"])
    headers = recorded["request"]["headers"]
    section = {
        "mchid": "1900012345",
        "appid": "wx3f8a2c1d9e7b6a54",
        "serial_no": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "platform_public_key_id": headers["Wechatpay-Serial"],
    }
    method = WeChatPay(shop, validate_section(WeChatPayConfig, section, "payments.wechatpay", "CNY"))  # type: ignore[arg-type]
    method.now = lambda: int(headers["Wechatpay-Timestamp"]) + 3
    client = await webhook_client(method)
    async with http.post(
        client.make_url(URL), data=recorded["request"]["body_raw"].encode(), headers=headers
    ) as response:
        assert response.status == 204
    (event,) = shop.events
    assert (event.order_number, event.amount, event.event_id) == (
        "A1001-20260101",
        Money(5800, "CNY"),
        "EV-2026010116051200012345",
    )
    method.now = time.time  # the same notification today is a replay from long ago
    async with http.post(
        client.make_url(URL), data=recorded["request"]["body_raw"].encode(), headers=headers
    ) as response:
        assert response.status == 401
