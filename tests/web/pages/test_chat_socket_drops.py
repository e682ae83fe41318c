"""A tab whose socket drops in the middle of a turn: the message counts once, every tab sees it once."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientWebSocketResponse

from chatshop.testing import ShopHarness
from tests.web.pages.web_shop import Browser, web_toml


async def entries_until_quiet(ws: ClientWebSocketResponse) -> list[dict[str, Any]]:
    """Every entry pushed to ``ws`` until a ping's pong comes back."""
    await ws.send_json({"type": "ping"})
    got: list[dict[str, Any]] = []
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame["type"] == "entries":
            got.extend(frame["entries"])
        if frame["type"] == "pong":
            return got


async def test_a_tab_closed_right_after_sending_leaves_the_other_tab_the_whole_turn(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, Browser.opened(h) as browser:  # type: ignore[operator]
        staying = await browser.tab()
        leaving = await browser.tab()
        await leaving.send_json({"type": "text", "id": "drop-1", "text": "atta"})
        await leaving.close()  # gone before the shop's ack
        await h.shop.idle()
        seen = await entries_until_quiet(staying)
        assert [e.get("text") for e in seen if e["who"] == "customer"] == ["atta"]
        assert any(e["who"] == "shop" and e["message"]["kind"] == "product" for e in seen)
        # The leaving tab comes back and sends the frame again (it was never acknowledged): counted once.
        back = await browser.tab()
        await back.send_json({"type": "text", "id": "drop-1", "text": "atta"})
        while (await back.receive_json(timeout=5))["type"] != "ack":
            pass
        await h.shop.idle()
        assert [e for e in await entries_until_quiet(staying) if e["who"] == "customer"] == []
        await staying.close()
        await back.close()
        assert sum(1 for m in _shop_sent(h) if m.kind == "product") == 1


def _shop_sent(h: ShopHarness) -> list[Any]:
    (key,) = [k for k in h.sent if k.startswith("webchat:")]
    return h.sent_to(key)


async def test_a_tab_open_while_its_history_is_erased_shows_the_new_conversation(make_shop: object) -> None:
    """`chatshop forget webchat:ID` (or the history's retention ending) while the tab stays open: the new
    conversation counts from 1 again, and the tab, at 4 entries, was sent nothing below that."""
    async with make_shop(web_toml(), terminal=False) as h, Browser.opened(h) as browser:  # type: ignore[operator]
        tab = await browser.tab()
        for text in ("hi", "atta"):
            await tab.send_json({"type": "text", "id": f"before-{text}", "text": text})
            while (await tab.receive_json(timeout=5))["type"] != "ack":
                pass
        await h.shop.idle()
        await entries_until_quiet(tab)
        (key,) = [k for k in h.sent if k.startswith("webchat:")]
        assert await h.shop.store.forget_customer(key) > 0
        await tab.send_json({"type": "text", "id": "after-1", "text": "hi"})
        frames: list[dict[str, Any]] = []
        while (frame := await tab.receive_json(timeout=5))["type"] != "ack":
            frames.append(frame)
        await h.shop.idle()
        await tab.send_json({"type": "ping"})
        while (frame := await tab.receive_json(timeout=5))["type"] != "pong":
            frames.append(frame)
        shown = [e for f in frames if f["type"] == "entries" for e in f["entries"]]
        assert any(f.get("reset") for f in frames if f["type"] == "entries")
        assert [e.get("text") for e in shown if e["who"] == "customer"] == ["hi"]
        assert any(e["who"] == "shop" for e in shown)
