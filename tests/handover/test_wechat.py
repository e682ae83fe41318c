"""The hand-over on WeChat, with no WeChat code of its own: a follower types 人工, the bot goes
silent, an agent's reply from the team inbox reaches them through the customer-service API (the
fake checks WeChat's 48-hour window and its 5 replies per message), and 菜单 gives the conversation
back to the bot."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.wechat import FakeWeChat
from tests.inbox.staff import ADMIN_ENV, ADMIN_TOKEN, Staff, add_staff
from tests.wechat.customer import Customer
from tests.wechat.test_end_to_end import SHOP_TOML
from tests.wechat.wire import AES_KEY, APP_ID, OPENID, ORIGINAL_ID, TOKEN

SECRET = "fake-app-secret-0123456789"
KEY = f"wechat:{OPENID}"


@pytest.fixture
def wechat(monkeypatch: pytest.MonkeyPatch) -> FakeWeChat:
    monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
    monkeypatch.setenv("WECHAT_SECRET", SECRET)
    monkeypatch.setenv("WECHAT_AES_KEY", AES_KEY)
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    return FakeWeChat(app_id=APP_ID, secret=SECRET, clock=time.time)


@pytest.fixture
async def tea_house(wechat: FakeWeChat, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    server = TestServer(wechat.app())
    await server.start_server()
    api = str(server.make_url("")).rstrip("/")
    toml = SHOP_TOML.format(app_id=APP_ID, original_id=ORIGINAL_ID, api=api)
    toml = toml.replace('locales = ["en"]', 'locales = ["en", "zh"]')
    toml += f'\n[admin]\ntoken_env = "{ADMIN_ENV}"\n'
    try:
        async with running_shop(toml, tmp_path / "shop", terminal=False) as h:
            yield h
    finally:
        await server.close()


async def test_a_wechat_follower_reaches_a_person_and_the_reply_goes_through_the_customer_service_api(
    tea_house: ShopHarness, wechat: FakeWeChat
) -> None:
    h = tea_house
    await add_staff(h, "li")
    follower = Customer(h.client, wechat, h.shop, OPENID)
    await follower.say("你好")
    follower.new_messages()
    await follower.say("人工")
    (told,) = follower.new_messages()
    assert told["msgtype"] == "text" and "我已请Tea House的工作人员回复您" in told["text"]["content"]
    await follower.say("我的订单什么时候到？")
    assert follower.new_messages() == []  # the bot is silent
    async with Staff(h, "li") as li:
        page = await li.conversation(KEY)
        assert "我的订单什么时候到？" in page
        status, _ = await li.post("/admin/inbox/reply", customer=KEY, text="明天上午送到。")
        assert status == 303
        await h.shop.idle()
    (reply,) = follower.new_messages()
    assert reply == {"touser": OPENID, "msgtype": "text", "text": {"content": "明天上午送到。"}}
    await follower.say("菜单")
    back = follower.new_messages()
    assert back[-1]["msgtype"] == "msgmenu"  # the shopping dialog again, the news above its choices
    assert "您已回到Tea House的购物助手。" in back[-1]["msgmenu"]["head_content"]
