"""Frames that are not messages (hello, ping, garbage) cannot be sent without end either."""

from __future__ import annotations

import aiohttp

from chatshop.plugins.webchat.view import safe_url

from .web_shop import Browser, say, web_toml


async def test_a_flood_of_hellos_closes_the_socket(make_shop: object) -> None:
    """Every hello reads the customer's whole history: unbounded, one tab could keep the database busy."""
    shop = make_shop(web_toml("messages_per_address = 4"), terminal=False)  # type: ignore[operator]
    async with shop as h, Browser.opened(h) as browser:
        tab = await browser.tab()
        assert (await say(tab, "hi"))["type"] == "ack"
        for _ in range(200):
            await tab.send_json({"type": "hello", "after": 0})
        closed = None
        while closed is None:
            frame = await tab.receive(timeout=5)
            if frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                closed = frame
        assert tab.close_code == 1008  # the page reconnects by itself, backing off up to 10 s


def test_backslash_paths_are_not_same_site() -> None:
    """Browsers read /\\evil.example as //evil.example: another site."""
    assert safe_url("/\\evil.example/pay") is None
    assert safe_url("/chat/static/x.png") == "/chat/static/x.png"
