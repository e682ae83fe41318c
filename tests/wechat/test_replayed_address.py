"""A captured push address (``?signature=&timestamp=&nonce=``) cannot be sent again with another body.

In plain mode WeChat's signature covers the token, timestamp and nonce, not the body: replaying a
real push's query with ``<Event>unsubscribe</Event>`` for another openid erased that customer, and
messages in their name were accepted, for the whole replay window. Each address is now accepted
with one body only (WeChat's own retries send the same body), across workers, and the shop is told
to use safe mode.
"""

from __future__ import annotations

from pathlib import Path

import structlog.testing
from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.messages import Inbound, InboundKind

from .conftest import FIXTURE_TIME, MakeChannel, wechat_shop_toml
from .wire import ORIGINAL_ID, plain_push, safe_push, text_xml

URL = "/webhooks/wechat"
VICTIM = "oVictim0000000000000000000000"[:28]


def unsubscribe(openid: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{FIXTURE_TIME}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[unsubscribe]]></Event></xml>"
    )


async def test_a_replayed_address_cannot_unsubscribe_someone_else(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    victim = Inbound(channel="wechat", customer_id=VICTIM, message_id="v1", kind=InboundKind.TEXT, text="hi")
    assert await shop.shop.receive(victim)
    await shop.shop.idle()
    real = plain_push(text_xml("add oolong", 1, FIXTURE_TIME), FIXTURE_TIME, nonce="830117")
    assert await (await client.post(URL, **real)).text() == "success"
    forged = {"params": real["params"], "data": unsubscribe(VICTIM).encode()}
    response = await client.post(URL, **forged)
    assert response.status == 403
    record = await shop.shop.store.load_conversation(f"wechat:{VICTIM}")
    assert record.version > 0, "the victim's conversation is still there"


async def test_a_replayed_address_cannot_speak_in_someone_elses_name(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    real = plain_push(text_xml("add oolong", 1, FIXTURE_TIME), FIXTURE_TIME, nonce="830118")
    assert await (await client.post(URL, **real)).text() == "success"
    forged = {"params": real["params"], "data": text_xml("cancel my order", 2, FIXTURE_TIME, openid=VICTIM).encode()}
    with structlog.testing.capture_logs() as logs:
        assert (await client.post(URL, **forged)).status == 403
    assert [m.text for m in shop.inbox] == ["add oolong"]
    assert any(e["event"] == "wechat.replayed_address" and e.get("alert") for e in logs)


async def test_wechats_own_retry_of_the_same_push_is_still_accepted_once(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel(safe=False)
    push = plain_push(text_xml("add oolong", 3, FIXTURE_TIME), FIXTURE_TIME, nonce="830119")
    for _ in range(3):
        assert await (await client.post(URL, **push)).text() == "success"
    unsub = plain_push(unsubscribe(VICTIM), FIXTURE_TIME, nonce="830120")
    for _ in range(2):  # a retried unsubscribe is the same body: still honoured
        assert await (await client.post(URL, **unsub)).text() == "success"
    assert [m.text for m in shop.inbox] == ["add oolong"]


async def test_safe_mode_addresses_are_used_once_too(make_channel: MakeChannel) -> None:
    _, client, shop = await make_channel()
    first = safe_push(text_xml("add oolong", 4, FIXTURE_TIME), FIXTURE_TIME, nonce="830121")
    other = safe_push(text_xml("and milk", 5, FIXTURE_TIME), FIXTURE_TIME, nonce="830121")
    assert await (await client.post(URL, **first)).text() == "success"
    assert (await client.post(URL, **other)).status == 403  # no WeChat push reuses an address
    assert [m.text for m in shop.inbox] == ["add oolong"]


def test_check_and_the_start_up_log_tell_a_plain_mode_shop_to_use_safe_mode(
    tmp_path: Path, fake_url: str, secrets_env: None
) -> None:
    (tmp_path / "shop.toml").write_text(wechat_shop_toml(fake_url, safe=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "shop.toml")])
    assert result.exit_code == 0, result.output
    assert "warning: channels.wechat: plain mode" in result.output and "encoding_aes_key_env" in result.output
    (tmp_path / "safe").mkdir()
    (tmp_path / "safe" / "shop.toml").write_text(wechat_shop_toml(fake_url), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "safe" / "shop.toml")])
    assert "plain mode" not in result.output


async def test_the_shop_logs_the_advice_at_start_up(make_channel: MakeChannel) -> None:
    with structlog.testing.capture_logs() as logs:
        await make_channel(safe=False)
    (advice,) = [e for e in logs if e["event"] == "channel.advice"]
    assert advice["channel"] == "wechat" and "safe mode" in advice["advice"]
