"""The channel's webhook over real HTTP on loopback, with pushes built by the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import structlog

from chatshop.channels import RetryableSendError
from chatshop.messages import (
    Choice,
    InboundKind,
    OrderStatusUpdate,
    ProductCard,
    Text,
)
from chatshop.money import Money
from chatshop.testing.fakes.wechat import FakeWeChat

from .conftest import FIXTURE_TIME, Clock, MakeChannel
from .wire import (
    BILLION_LAUGHS,
    ENVELOPE,
    OPENID,
    TOKEN,
    XXE,
    fixture,
    plain_push,
    safe_push,
    sha1_sorted,
    text_xml,
)

URL = "/webhooks/wechat"
TEMPLATE = {
    "template_id": "TPL_ORDER_STATUS",
    "fields": {"first": "{body}", "keyword1": "{order_number}", "keyword2": "{status}"},
}


async def test_url_verification_echoes(make_channel: MakeChannel) -> None:
    _, client, _ = await make_channel()
    q = ENVELOPE["url_verification_get"]["query"]
    response = await client.get(URL, params=q)
    assert response.status == 200
    assert await response.text() == ENVELOPE["url_verification_get"]["expected_response_body"]


async def test_url_verification_forged(make_channel: MakeChannel) -> None:
    _, client, _ = await make_channel()
    q = dict(ENVELOPE["url_verification_get"]["query"], signature="f" * 40)
    response = await client.get(URL, params=q)
    assert response.status == 403 and q["echostr"] not in await response.text()


async def test_fixture_safe_mode_push_accepted(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    post = ENVELOPE["inbound_post"]
    response = await client.post(URL, params=post["query"], data=post["body"].encode())
    assert response.status == 200 and await response.text() == "success"
    [inbound] = shop.inbox
    assert (inbound.kind, inbound.text, inbound.customer_id) == (InboundKind.TEXT, "menu", OPENID)


async def test_plain_mode_push(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    response = await client.post(URL, **plain_push(fixture("msg_location.xml"), FIXTURE_TIME))
    assert await response.text() == "success"
    assert shop.inbox[0].kind is InboundKind.LOCATION


async def test_safe_mode_refuses_plain_pushes(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    response = await client.post(URL, **plain_push(fixture("msg_text.xml"), FIXTURE_TIME))
    assert response.status == 400 and not shop.inbox


async def test_forged_signature_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    push = plain_push(fixture("msg_text.xml"), FIXTURE_TIME, token="not-the-token")
    response = await client.post(URL, **push)
    assert response.status == 403 and not shop.inbox


async def test_forged_msg_signature_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    push = safe_push(text_xml("hi", 1, FIXTURE_TIME), FIXTURE_TIME)
    push["params"]["msg_signature"] = sha1_sorted(TOKEN, "1", "2", "3")
    response = await client.post(URL, **push)
    assert response.status == 403 and not shop.inbox


async def test_ciphertext_swapped_under_a_valid_signature_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    push = safe_push(text_xml("hi", 1, FIXTURE_TIME), FIXTURE_TIME)
    other = safe_push(text_xml("other", 2, FIXTURE_TIME), FIXTURE_TIME)
    push["data"] = other["data"]
    response = await client.post(URL, **push)
    assert response.status == 403 and not shop.inbox


async def test_replayed_old_push_refused(make_channel: MakeChannel, clock: Clock) -> None:
    _, client, shop = await make_channel()
    clock.now = FIXTURE_TIME + 3600
    post = ENVELOPE["inbound_post"]
    response = await client.post(URL, params=post["query"], data=post["body"].encode())
    assert response.status == 403 and not shop.inbox


async def test_push_for_another_appid_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    push = safe_push(text_xml("hi", 1, FIXTURE_TIME), FIXTURE_TIME, app_id="wx0000000000000000")
    response = await client.post(URL, **push)
    assert response.status == 400 and not shop.inbox


async def test_push_for_another_account_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    xml = text_xml("hi", 1, FIXTURE_TIME).replace("gh_3c8e1a5b7d90", "gh_000000000000")
    response = await client.post(URL, **plain_push(xml, FIXTURE_TIME))
    assert response.status == 403 and not shop.inbox


async def test_previous_key_still_opens_pushes_after_rotation(
    make_channel: MakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WECHAT_AES_KEY_NEW", "B" * 42 + "A")
    _, client, shop = await make_channel(
        encoding_aes_key_env="WECHAT_AES_KEY_NEW", previous_encoding_aes_key_env="WECHAT_AES_KEY"
    )
    response = await client.post(URL, **safe_push(text_xml("hi", 1, FIXTURE_TIME), FIXTURE_TIME))
    assert await response.text() == "success" and shop.inbox[0].text == "hi"


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
async def test_xml_bombs_refused_and_the_channel_keeps_working(make_channel: MakeChannel, body: str) -> None:
    _, client, shop = await make_channel(safe=False)
    response = await client.post(URL, **plain_push(body, FIXTURE_TIME))
    assert response.status == 400 and not shop.inbox
    response = await client.post(URL, **plain_push(fixture("msg_text.xml"), FIXTURE_TIME))
    assert await response.text() == "success" and len(shop.inbox) == 1


async def test_bomb_inside_the_encrypted_envelope_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    response = await client.post(URL, **safe_push(BILLION_LAUGHS, FIXTURE_TIME))
    assert response.status == 400 and not shop.inbox


async def test_huge_body_refused(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    xml = text_xml("x" * 200_000, 1, FIXTURE_TIME)
    response = await client.post(URL, **plain_push(xml, FIXTURE_TIME))
    assert response.status == 400 and not shop.inbox


async def test_retries_within_5_seconds_record_one_message(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    push = safe_push(text_xml("add oolong", 42, FIXTURE_TIME), FIXTURE_TIME)
    # WeChat retries while the first request still runs (the database is busy): three at once, then one more
    with shop.database_locked():
        first = asyncio.gather(*(client.post(URL, **push) for _ in range(3)))
        await asyncio.sleep(0.05)  # let them arrive; arriving after the lock goes changes nothing below
    answers = list(await first)
    answers.append(await client.post(URL, **push))
    assert [await a.text() for a in answers] == ["success"] * 4
    assert [(m.kind, m.text) for m in shop.inbox] == [(InboundKind.TEXT, "add oolong")]


async def test_event_retries_deduplicated_by_sender_and_time(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    push = safe_push(fixture("event_subscribe_qrscene.xml"), FIXTURE_TIME)
    for _ in range(3):
        assert await (await client.post(URL, **push)).text() == "success"
    assert len(shop.inbox) == 1 and shop.inbox[0].event == "subscribe"


async def test_slow_inbox_still_answered_in_time(make_channel: MakeChannel) -> None:
    channel, client, shop = await make_channel(answer_within_seconds=0.05)
    push = safe_push(text_xml("hi", 7, FIXTURE_TIME), FIXTURE_TIME)
    with shop.database_locked():  # the shop cannot store the message until the lock goes
        response = await client.post(URL, **push)
        assert await response.text() == "success" and not shop.inbox
    await channel.stop()  # waits for the late message to land
    assert [m.text for m in shop.inbox] == ["hi"]


async def test_a_message_answered_before_the_database_failed_is_stored_once_it_is_back(
    make_channel: MakeChannel,
) -> None:
    """WeChat was told ``success`` (the inbox was slow) and never sends the message again: when the
    database then gives up waiting for a lock another process holds (a big import), the message is
    tried again until the inbox holds it, not dropped."""
    channel, client, shop = await make_channel(answer_within_seconds=0.05)
    push = safe_push(text_xml("我要铁观音", 7, FIXTURE_TIME), FIXTURE_TIME)
    with structlog.testing.capture_logs() as logs, shop.database_locked():
        response = await client.post(URL, **push)
        assert await response.text() == "success" and not shop.inbox
        ended = {"wechat.late_inbox_retrying", "wechat.late_inbox_failed"}
        for _ in range(600):  # until the first try gave up on the lock (SQLite waits 5 s)
            if any(entry["event"] in ended for entry in logs):
                break
            await asyncio.sleep(0.05)
    await channel.stop()  # waits for the late message to land
    assert [m.text for m in shop.inbox] == ["我要铁观音"]


async def test_encrypted_push_to_a_plain_mode_channel_explains_itself(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    push = safe_push(text_xml("hi", 8, FIXTURE_TIME), FIXTURE_TIME)
    response = await client.post(URL, **push)
    assert response.status == 400 and not shop.inbox


async def test_template_delivery_event_reported(make_channel: MakeChannel, fake: FakeWeChat) -> None:
    """The shop sent an order update as a template (the window was closed); WeChat's report of its
    delivery marks that message delivered in the store, and is no customer message."""
    _, client, shop = await make_channel(order_template=TEMPLATE)
    update = OrderStatusUpdate(order_number="A1001", status="shipped", body="Your order shipped")
    await shop.shop.notify(f"wechat:{OPENID}", update)
    await shop.shop.idle()
    [sent] = fake.templates
    [(state, provider_id)] = shop.outbox(f"wechat:{OPENID}")
    assert state == "sent" and sent["touser"] == OPENID and provider_id and provider_id.startswith("tpl:")
    msgid = provider_id.removeprefix("tpl:")
    xml = (
        "<xml><ToUserName><![CDATA[gh_3c8e1a5b7d90]]></ToUserName><FromUserName>"
        f"<![CDATA[{OPENID}]]></FromUserName><CreateTime>{FIXTURE_TIME}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"
        f"<MsgID>{msgid}</MsgID><Status><![CDATA[success]]></Status></xml>"
    )
    response = await client.post(URL, **safe_push(xml, FIXTURE_TIME))
    assert await response.text() == "success"
    assert shop.outbox(f"wechat:{OPENID}") == [("delivered", provider_id)] and not shop.inbox


async def test_send_text_through_customer_service_api(make_channel: MakeChannel, fake: FakeWeChat) -> None:
    channel, _, _ = await make_channel()
    fake.customer_wrote(OPENID)
    await channel.send(OPENID, Text(body="Welcome to Tea House"))
    assert fake.texts_to(OPENID) == ["Welcome to Tea House"]


async def test_a_menu_sent_before_the_core_shortened_ids_still_maps_its_taps_back(
    make_channel: MakeChannel, fake: FakeWeChat
) -> None:
    """Menus of the last 72 hours kept their own way back under ``wechat:choice:``."""
    _, client, shop = await make_channel()
    long_id = "checkout:pay:" + "cod:" * 40
    await shop.shop.store.kv_set("wechat:choice:cs_legacy", long_id, datetime.now(UTC) + timedelta(hours=1))
    extra = "<bizmsgmenuid><![CDATA[cs_legacy]]></bizmsgmenuid>"
    await client.post(URL, **safe_push(text_xml("Cash on delivery", 77, FIXTURE_TIME, extra=extra), FIXTURE_TIME))
    assert (shop.inbox[0].kind, shop.inbox[0].choice_id) == (InboundKind.CHOICE, long_id)


async def test_closed_window_keeps_the_message(make_channel: MakeChannel, fake: FakeWeChat, clock: Clock) -> None:
    channel, _, _ = await make_channel()
    with pytest.raises(RetryableSendError) as info:
        await channel.send(OPENID, Text(body="Your order shipped"))
    assert info.value.code == "45015" and not fake.sent


async def test_closed_window_bridged_by_a_template_when_configured(make_channel: MakeChannel, fake: FakeWeChat) -> None:
    channel, _, _ = await make_channel(order_template=TEMPLATE)
    update = OrderStatusUpdate(order_number="A1001", status="shipped", body="Your order shipped")
    result = await channel.send(OPENID, update)
    [sent] = fake.templates
    assert sent["template_id"] == "TPL_ORDER_STATUS" and sent["touser"] == OPENID
    assert sent["data"]["keyword1"] == {"value": "A1001"}
    assert result.provider_message_id and result.provider_message_id.startswith("tpl:")


async def test_a_half_sent_product_card_is_not_repeated(make_channel: MakeChannel, fake: FakeWeChat) -> None:
    channel, _, _ = await make_channel()
    fake.customer_wrote(OPENID)
    card = ProductCard(
        product_id="oolong",
        title="Oolong 250g",
        body="Roasted",
        price=Money(2900, "CNY"),
        url="https://shop.example.com/p/oolong",
        choices=(Choice(id="add:oolong:1", title="Add to cart"),),
    )
    fake.windows[OPENID].left = 1  # room for the article, not for its menu
    with pytest.raises(RetryableSendError):
        await channel.send(OPENID, card)
    fake.customer_wrote(OPENID)  # the customer writes again; the outbox retries
    await channel.send(OPENID, card)
    assert [b["msgtype"] for b in fake.sent] == ["news", "msgmenu"]
    await channel.send(OPENID, card)  # shown again later: in full
    assert [b["msgtype"] for b in fake.sent] == ["news", "msgmenu", "news", "msgmenu"]
