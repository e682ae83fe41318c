"""The web chat's limits hold per customer and per client address, not per tab."""

from __future__ import annotations

import aiohttp

from .web_shop import Browser, say, web_toml


async def test_more_tabs_buy_no_more_messages(make_shop: object) -> None:
    shop = make_shop(web_toml("messages_per_customer = 3"), terminal=False)  # type: ignore[operator]
    async with shop as h, Browser.opened(h) as browser:
        tabs = [await browser.tab() for _ in range(3)]
        for tab in tabs:
            assert (await say(tab, "hi"))["type"] == "ack"
        refused = await say(tabs[0], "atta")
        assert refused == {"type": "error", "error": "slow down", "id": refused["id"], "code": "slow_down"}
        page = await (await browser.get("/chat")).text()
        assert '"slow_down": "Too many messages at once' in page  # the page says the code in words
        fourth = await browser.tab()  # a new tab of the same customer is no way round it
        assert (await say(fourth, "atta"))["error"] == "slow down"
        for tab in [*tabs, fourth]:
            await tab.close()


async def test_a_new_cookie_per_tab_buys_no_more_messages_from_one_address(make_shop: object) -> None:
    async with make_shop(web_toml("messages_per_address = 4"), terminal=False) as h:  # type: ignore[operator]
        answers = []
        for _ in range(5):
            async with Browser.opened(h) as browser:  # a fresh customer each time, from 127.0.0.1
                tab = await browser.tab()
                answers.append((await say(tab, "hi"))["type"])
                await tab.close()
        assert answers == ["ack", "ack", "ack", "ack", "error"]
        await h.shop.idle()
        assert len(await h.shop.store.customers_with_pending_inbound()) == 0


async def test_one_address_may_hold_only_so_many_sockets(make_shop: object) -> None:
    shop = make_shop(web_toml("sockets_per_address = 2"), terminal=False)  # type: ignore[operator]
    async with shop as h, Browser.opened(h) as one, Browser.opened(h) as two:
        first, second = await one.tab(), await two.tab()
        try:
            await one.tab()
        except aiohttp.WSServerHandshakeError as e:
            assert e.status == 429
        else:
            raise AssertionError("a third socket from one address was accepted")
        await first.close()
        await h.shop.idle()
        third = await one.tab()  # a closed tab frees its place
        assert (await say(third, "hi"))["type"] == "ack"
        await second.close()
        await third.close()


async def test_behind_a_trusted_proxy_each_customer_has_their_own_addresss_limits(make_shop: object) -> None:
    """The shop names its proxy in [server] trusted_proxies: X-Forwarded-For then says who the client
    is, for the chat's limits as for the dashboard's; customers behind the proxy no longer share one."""
    toml = web_toml("sockets_per_address = 2\nmessages_per_address = 2").replace(
        "[server]\n", '[server]\ntrusted_proxies = ["127.0.0.1"]\n', 1
    )
    async with make_shop(toml, terminal=False) as h:  # type: ignore[operator]
        sockets = []

        async def tab(browser: Browser, client: str) -> aiohttp.ClientWebSocketResponse:
            ws = await browser.session.ws_connect(h.url("/chat/ws"), headers={"X-Forwarded-For": client})
            sockets.append(ws)
            await ws.send_json({"type": "hello", "after": 0})
            while (await ws.receive_json(timeout=5))["type"] != "entries":
                pass
            return ws

        async with Browser.opened(h) as asha, Browser.opened(h) as ravi, Browser.opened(h) as mole:
            for client in ("203.0.113.7", "198.51.100.9", "192.0.2.4"):  # three customers, two tabs each
                browser = {"203.0.113.7": asha, "198.51.100.9": ravi, "192.0.2.4": mole}[client]
                first, second = await tab(browser, client), await tab(browser, client)
                assert [(await say(ws, "hi"))["type"] for ws in (first, second)] == ["ack", "ack"]
            try:  # one client's third socket is still one too many
                await tab(mole, "192.0.2.4")
            except aiohttp.WSServerHandshakeError as e:
                assert e.status == 429
            else:
                raise AssertionError("a third socket from one client address was accepted")
            # Whatever the client writes further left is not believed: the proxy appended the real one.
            try:
                await tab(mole, "203.0.113.250, 192.0.2.4")
            except aiohttp.WSServerHandshakeError as e:
                assert e.status == 429
            else:
                raise AssertionError("a forged X-Forwarded-For bought another socket")
            for ws in sockets:
                await ws.close()
