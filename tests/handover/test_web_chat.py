"""The hand-over in the browser chat, which has no code of its own for it: the customer asks for a
person, the bot is silent, a staff member's reply appears in their open tab, and the menu word
brings the shop assistant back."""

from __future__ import annotations

import pytest

from tests.conftest import ShopFactory
from tests.inbox.staff import ADMIN_ENV, ADMIN_TOKEN, Staff, add_staff
from tests.web.chat_client import ChatTab, customer_key
from tests.web.conftest import WEB_TOML


async def test_a_web_chat_customer_reaches_a_person(make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)  # the web shop's [admin] token_env
    async with make_shop(WEB_TOML, terminal=False) as h:
        await add_staff(h, "anna")
        tab = await ChatTab.open(h)
        try:
            (told,) = await tab.say(h, "human")
            assert "I've asked a person from Kirana Corner" in told["body"]
            assert await tab.say(h, "do you have brown rice?") == []
            key = customer_key(h)
            async with Staff(h, "anna") as anna:
                await anna.post("/admin/inbox/reply", customer=key, text="Not yet, next week!")
                await h.shop.idle()
            await tab.ws.send_json({"type": "ping"})
            await tab.frame("pong")
            assert tab.entries[-1]["who"] == "shop" and tab.entries[-1]["message"]["body"] == "Not yet, next week!"
            back = await tab.say(h, "menu")
            assert back[0]["body"].startswith("You're back with the Kirana Corner assistant.\n\n")
        finally:
            await tab.close()
