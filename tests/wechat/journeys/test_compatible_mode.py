"""Compatible mode: each push carries the message twice, in clear and in ``Encrypt`` (research/wechat.md
§2). A safe-mode shop reads only the part covered by ``msg_signature``: clear fields altered on the
way (the body is not signed in plain mode) change nothing. A plain-mode shop reads the clear part."""

from __future__ import annotations

from tests.wechat.conftest import FIXTURE_TIME, MakeChannel
from tests.wechat.wire import encrypted_in, plain_push, safe_push, text_xml


def _compatible(clear: str, sealed: str, msg_id: int) -> dict[str, object]:
    push = safe_push(text_xml(sealed, msg_id, FIXTURE_TIME), FIXTURE_TIME)
    encrypted = encrypted_in(push["data"].decode())
    inner = text_xml(clear, msg_id + 1, FIXTURE_TIME).removeprefix("<xml>").removesuffix("</xml>")
    push["data"] = f"<xml>{inner}<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    return push


async def test_a_safe_mode_shop_reads_only_the_sealed_copy(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    response = await client.post("/webhooks/wechat", **_compatible("cancel everything", "hello", 70))
    assert await response.text() == "success"
    assert [(m.text, m.message_id) for m in shop.inbox] == [("hello", "msg:70")]


async def test_a_plain_mode_shop_reads_the_clear_copy(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    push = _compatible("hello in clear", "sealed", 80)
    response = await client.post("/webhooks/wechat", params=plain_push("", FIXTURE_TIME)["params"], data=push["data"])
    assert await response.text() == "success"
    assert [m.text for m in shop.inbox] == ["hello in clear"]
