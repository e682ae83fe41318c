"""Pushes as WeChat (and people pretending to be WeChat) send them, against a real shop."""

from __future__ import annotations

import time

from chatshop.testing.fakes.wechat import FakeWeChat
from tests.wechat.customer import URL, Customer
from tests.wechat.test_end_to_end import customer, shop_app
from tests.wechat.wire import OPENID, ORIGINAL_ID, TOKEN, encrypt, safe_push, sha1_sorted, text_xml

__all__ = ["customer", "shop_app"]


def event_xml(event: str, key: str, created: int, openid: str = OPENID) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


async def test_two_menu_taps_in_the_same_second_are_both_answered(customer: Customer, fake: FakeWeChat) -> None:
    """WeChat dedups events by sender and CreateTime; two different buttons in one second are two taps."""
    now = int(time.time())
    fake.customer_wrote(OPENID)
    await customer.push(event_xml("CLICK", "CHATSHOP_CART", now))
    cart = customer.new_messages()
    await customer.push(event_xml("CLICK", "CHATSHOP_ORDERS", now))
    orders = customer.new_messages()
    assert cart and orders, (cart, orders)
    await customer.push(event_xml("CLICK", "CHATSHOP_ORDERS", now))  # WeChat's retry of the second tap
    assert not customer.new_messages()


async def post(customer: Customer, params: dict[str, str], data: bytes) -> int:
    answer = await customer.client.post(URL, params=params, data=data)
    return answer.status


def signed(ts: int, nonce: str = "42") -> dict[str, str]:
    return {"signature": sha1_sorted(TOKEN, str(ts), nonce), "timestamp": str(ts), "nonce": nonce}


async def test_hostile_bodies_are_refused_with_4xx_and_change_nothing(customer: Customer, fake: FakeWeChat) -> None:
    now = int(time.time())
    params = signed(now)
    bodies: list[bytes] = [
        b"",
        b"not xml at all",
        b"\xff\xfe<xml></xml>",
        b"<xml><Encrypt><![CDATA[]]></Encrypt></xml>",
        b"<xml><Encrypt><![CDATA[%%%notbase64%%%]]></Encrypt></xml>",
        b"<notxml/>",
        b"<xml>" + b"<a>" * 50 + b"</a>" * 50 + b"</xml>",
        b"<xml><ToUserName>gh</ToUserName>" + b"x" * 70000 + b"</xml>",
    ]
    for body in bodies:
        status = await post(customer, params, body)
        assert 400 <= status < 500, (body[:40], status)
    # a correct envelope whose msg_signature is missing, or for the ciphertext of another push
    push = safe_push(text_xml("hi", 1, now), now)
    bare = {k: v for k, v in push["params"].items() if k != "msg_signature"}
    assert await post(customer, bare, push["data"]) == 403
    other = safe_push(text_xml("other", 2, now), now)
    assert await post(customer, other["params"], push["data"]) == 403
    # an envelope for another account's appid, correctly signed
    foreign = encrypt(text_xml("hi", 3, now), app_id="wx0000000000000000")
    body = f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><Encrypt><![CDATA[{foreign}]]></Encrypt></xml>"
    q = {**signed(now), "encrypt_type": "aes", "msg_signature": sha1_sorted(TOKEN, str(now), "42", foreign)}
    assert await post(customer, q, body.encode()) == 400
    # stale and future timestamps, a timestamp that is not a number, a wrong token
    for ts in (now - 3600, now + 3600):
        stale = safe_push(text_xml("hi", 4, ts), ts)
        assert await post(customer, stale["params"], stale["data"]) == 403
    weird = {**signed(now), "timestamp": "1e9"}
    assert await post(customer, weird, push["data"]) == 403
    await customer.shop.idle()
    assert not fake.sent
    assert await customer.shop.store.next_inbound(f"wechat:{OPENID}") is None


async def test_a_text_push_without_content_and_odd_message_types_get_a_polite_answer(
    customer: Customer, fake: FakeWeChat
) -> None:
    now = int(time.time())
    fake.customer_wrote(OPENID)
    for n, inner in enumerate(
        [
            "<MsgType><![CDATA[text]]></MsgType>",
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[   ]]></Content>",
            "<MsgType><![CDATA[shortvideo]]></MsgType><MediaId><![CDATA[m]]></MediaId>",
            "<MsgType><![CDATA[miniprogrampage]]></MsgType><Title><![CDATA[t]]></Title>",
        ]
    ):
        xml = (
            f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
            f"<CreateTime>{now}</CreateTime>{inner}<MsgId>{9000 + n}</MsgId></xml>"
        )
        fake.customer_wrote(OPENID)
        assert await customer.push(xml) == [200]
        assert customer.new_messages(), inner
    assert not fake.rejected


async def test_a_mass_send_report_from_the_assistant_is_not_a_customer(customer: Customer, fake: FakeWeChat) -> None:
    """MASSSENDJOBFINISH comes "from" WeChat's mass-send assistant (mphelper): nobody to answer."""
    now = int(time.time())
    xml = (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>1988</MsgID><Status><![CDATA[sendsuccess]]></Status>"
        "<TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount></xml>"
    )
    assert await customer.push(xml) == [200]
    assert not [b for b in fake.sent if b["touser"] == "mphelper"]
