"""What a WeChat customer reads: no repeated lines, no crashes on odd pushes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatshop.messages import Choice, ProductCard
from chatshop.money import Money
from chatshop.plugins.wechat.render import render
from tests.wechat.conftest import Clock, MakeChannel
from tests.wechat.wire import OPENID, ORIGINAL_ID, safe_push, text_xml


def _all_words(bodies: list[dict[str, object]]) -> str:
    out = []
    for body in bodies:
        inner = body[str(body["msgtype"])]
        assert isinstance(inner, dict)
        out += [str(inner.get("content", "")), str(inner.get("head_content", ""))]
        out += [str(item["content"]) for item in inner.get("list", [])]
    return "\n".join(out)


def test_a_product_without_a_page_shows_its_title_and_price_once() -> None:
    title = "Jasmine 100g"
    card = ProductCard(
        product_id="jasmine",
        title=title,
        body=f"{title}\nCN¥18.00\nFragrant, from Fujian.",  # as the dialog writes a product's body
        price=Money(1800, "CNY"),
        choices=(Choice(id="add:jasmine:1", title="Add to cart"), Choice(id="cat:0:0", title="Back")),
    )
    out = render("oOPENID", card)
    words = _all_words(out.bodies)
    assert words.count(title) == 1, words
    assert words.count("18.00") == 1, words
    assert "Fragrant, from Fujian." in words
    assert [b["msgtype"] for b in out.bodies] == ["msgmenu"]  # one message of the 5-reply quota, not two


async def test_a_push_with_an_impossible_create_time_is_a_bad_request_not_a_crash(
    make_channel: MakeChannel, clock: Clock
) -> None:
    _channel, client, shop = await make_channel()
    for created in ("99999999999999", "9" * 40):
        xml = text_xml("hi", 1, 0).replace("<CreateTime>0</CreateTime>", f"<CreateTime>{created}</CreateTime>")
        answer = await client.post("/webhooks/wechat", **safe_push(xml, int(clock())))
        assert answer.status == 400
    event = (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        "<CreateTime>99999999999999</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[subscribe]]></Event></xml>"
    )
    answer = await client.post("/webhooks/wechat", **safe_push(event, int(clock()), nonce="2"))
    assert answer.status == 400
    assert shop.inbox == []


async def test_the_channel_logs_a_customer_under_the_key_the_core_uses(
    make_channel: MakeChannel, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One customer's lines carry one pseudonym: the channel's and the core's must hash the same key."""
    from chatshop.plugins.wechat import channel as channel_module

    logged: list[dict[str, object]] = []

    class Recorder:
        def __getattr__(self, level: str) -> Callable[..., None]:
            return lambda event, **fields: logged.append({"event": event, **fields})

    monkeypatch.setattr(channel_module, "log", Recorder())
    _channel, client, _shop = await make_channel()
    push = safe_push(text_xml("hi", 77, int(clock())), int(clock()))
    for _ in range(2):  # the retry is logged as a duplicate
        assert (await client.post("/webhooks/wechat", **push)).status == 200
    duplicate = [entry for entry in logged if entry["event"] == "wechat.duplicate_push"]
    assert duplicate and duplicate[0]["customer"] == f"wechat:{OPENID}"
