"""WeChat Pay notifications, at a real running shop: signature over the raw body, freshness,
decryption, our merchant; then the order paid in the store."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from chatshop.orders import OrderStatus
from chatshop.plugins.payments.wechatpay import WeChatPay
from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechatpay import FakeWeChatPay, new_key, pem_private
from tests.payments.journey_shops import CHINA
from tests.payments.payment_helpers import make_order, moves, place, stored, untouched

URL = "/webhooks/payments/wechatpay"
FAIL = {"code": "FAIL", "message": "失败"}
FIXTURE = Path("/work/shared/fixtures/wechat/pay_notify_transaction_success.json")


def _recorded() -> dict[str, Any]:
    if not FIXTURE.exists():
        pytest.skip("the shared WeChat Pay fixture is not on this machine")
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


async def placed(h: ShopHarness, number: str = "K7M-4QX") -> None:
    """A CN¥58.00 order placed in the shop, its transaction opened at the fake WeChat Pay."""
    await place(h, number, currency="CNY", unit=2900, method="wechatpay")


async def paid_notification(h: ShopHarness, api: FakeWeChatPay, **kw: Any) -> bytes:
    await placed(h)
    return api.notification(api.pay("K7M-4QX", **kw))


async def notify(h: ShopHarness, api: FakeWeChatPay, body: bytes, **kw: Any) -> tuple[int, str]:
    """POST the notification to the shop as WeChat Pay does; returns once the shop has acted on it."""
    answer = await api.notify(h.client.session, h.url(URL), body, **kw)
    await h.shop.idle()
    return answer


async def test_a_signed_notification_pays_and_is_answered_204(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    body = await paid_notification(h, wechatpay_api)
    assert await notify(h, wechatpay_api, body) == (204, "")
    order = await stored(h)
    assert order.status is OrderStatus.PAID and order.paid_amount == 5800
    transaction_id = wechatpay_api.transactions["K7M-4QX"]["transaction_id"]
    assert transaction_id.startswith("42") and moves(order)[-1] == ("paid", f"wechatpay {transaction_id}")
    assert await h.shop.store.event_seen("wechatpay", json.loads(body)["id"])
    (receipt,) = h.texts_to("terminal:alice")
    assert "received for order K7M-4QX" in receipt and "58.00" in receipt


@pytest.mark.parametrize("how", ["other key", "stale", "other serial", "altered body", "no signature"])
async def test_a_wrongly_signed_notification_fails_and_changes_nothing(
    how: str, wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    body = await paid_notification(h, wechatpay_api)
    if how == "other key":
        status, text = await notify(h, wechatpay_api, body, key=new_key())
    elif how == "stale":
        status, text = await notify(h, wechatpay_api, body, timestamp=int(time.time()) - 301)
    elif how == "other serial":
        status, text = await notify(h, wechatpay_api, body, headers={"Wechatpay-Serial": "PUB_KEY_ID_X"})
    elif how == "altered body":
        headers = wechatpay_api.signed_headers(body)
        altered = body.replace(b'"id":"EV-', b'"id":"EV-9')
        async with h.client.session.post(h.url(URL), data=altered, headers=headers) as response:
            status, text = response.status, await response.text()
    else:
        status, text = await notify(h, wechatpay_api, body, headers={"Wechatpay-Signature": ""})
    assert status == 401 and json.loads(text) == FAIL
    assert await untouched(h)


async def test_a_resource_sealed_with_another_key_fails_so_wechat_retries(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    await placed(h)
    body = wechatpay_api.notification(wechatpay_api.pay("K7M-4QX"), key=b"x" * 32)
    status, text = await notify(h, wechatpay_api, body)
    assert status == 400 and json.loads(text) == FAIL  # any answer but 200/204: WeChat Pay sends it again
    assert await untouched(h)


async def test_the_amount_wechat_reports_is_what_the_core_checks(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    """CN¥0.01 paid for a CN¥58.00 order: heard (never asked again), but the order is not paid."""
    h = wechatpay_shop
    body = await paid_notification(h, wechatpay_api, paid_total=1)
    status, _ = await notify(h, wechatpay_api, body)
    assert status == 204
    assert await untouched(h)
    assert await h.shop.store.event_seen("wechatpay", json.loads(body)["id"])


async def test_another_merchants_transaction_is_not_applied(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    await placed(h)
    foreign = {**wechatpay_api.pay("K7M-4QX"), "mchid": "1900099999"}
    body = wechatpay_api.notification(foreign)
    status, _ = await notify(h, wechatpay_api, body)
    assert status == 204
    assert await untouched(h)
    assert not await h.shop.store.event_seen("wechatpay", json.loads(body)["id"])


async def test_replays_and_other_notices_are_applied_once(
    wechatpay_shop: ShopHarness, wechatpay_api: FakeWeChatPay
) -> None:
    h = wechatpay_shop
    body = await paid_notification(h, wechatpay_api)
    for _ in range(3):
        assert (await notify(h, wechatpay_api, body))[0] == 204
    refund = wechatpay_api.notification(
        {"out_trade_no": "K7M-4QX", "refund_status": "SUCCESS"}, event_type="REFUND.SUCCESS"
    )
    assert (await notify(h, wechatpay_api, refund))[0] == 204
    order = await stored(h)
    assert [new for new, _ in moves(order)] == ["pending_payment", "paid"]
    assert order.paid_amount == 5800 and order.refunded_amount == 0
    assert len(h.texts_to("terminal:alice")) == 1  # one receipt


async def test_the_recorded_notification_is_accepted_at_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """shared/fixtures' real-format notification, replayed through the shop's route as WeChat sent it."""
    recorded = _recorded()
    headers = recorded["request"]["headers"]
    folder = tmp_path / "shop"
    (folder / "keys").mkdir(parents=True)
    (folder / "keys" / "apiclient_key.pem").write_bytes(pem_private(new_key()))
    (folder / "keys" / "pub_key.pem").write_text(recorded["verification"]["wechatpay_public_key_pem"])
    monkeypatch.setenv("WECHATPAY_APIV3_KEY", recorded["test_apiv3_key"])
    toml = CHINA.format(
        mchid="1900012345",
        appid="wx3f8a2c1d9e7b6a54",
        serial_no="5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        key_id=headers["Wechatpay-Serial"],
        api="https://api.mch.weixin.qq.com",
    )
    body = recorded["request"]["body_raw"].encode()
    async with running_shop(toml, folder) as h:
        number = "A1001-20260101"
        await h.shop.store.place_order(make_order(number, currency="CNY", unit=2900, method="wechatpay"))
        method = h.shop.payment_methods["wechatpay"]
        assert isinstance(method, WeChatPay)
        method.now = lambda: int(headers["Wechatpay-Timestamp"]) + 3  # the clock of the day it was sent
        async with h.client.session.post(h.url(URL), data=body, headers=headers) as response:
            assert response.status == 204
        await h.shop.idle()
        order = await stored(h, number)
        assert order.status is OrderStatus.PAID and order.paid_amount == 5800
        assert moves(order)[-1] == ("paid", "wechatpay 4200002875202601012849571603")
        assert await h.shop.store.event_seen("wechatpay", "EV-2026010116051200012345")

        method.now = time.time  # the same notification today is a replay from long ago
        async with h.client.session.post(h.url(URL), data=body, headers=headers) as response:
            assert response.status == 401
