"""The web chat's HTTP and WebSocket protocol, without a browser: cookies, frames, history, preview."""

from __future__ import annotations

from typing import Any

from chatshop.messages import OrderStatusUpdate
from chatshop.plugins.webchat.signing import Signer
from chatshop.plugins.webchat.view import safe_url
from chatshop.testing import ShopHarness

from .chat_client import ChatTab, customer_key
from .conftest import WEB_TOML

UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


async def test_the_page_sets_a_signed_http_only_cookie_and_no_personal_data_in_urls(web: ShopHarness) -> None:
    resp = await web.client.get("/chat")
    assert resp.status == 200
    html = await resp.text()
    assert "Kirana Corner" in html and "/chat/static/chat.js" in html
    cookie = resp.cookies["chatshop_chat"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/chat"
    assert not cookie["secure"]  # plain http on loopback
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    again = await web.client.get("/chat")
    assert "chatshop_chat" not in again.cookies  # the same customer keeps the same cookie


async def test_socket_without_or_with_a_forged_cookie_is_refused(web: ShopHarness) -> None:
    resp = await web.client.get("/chat/ws", headers={"Connection": "Upgrade", "Upgrade": "websocket"})
    assert resp.status == 403
    forged = Signer("not the secret", "webchat-customer").sign("somebody")
    resp = await web.client.get("/chat/ws", cookies={"chatshop_chat": forged})
    assert resp.status == 403


async def test_socket_from_another_site_is_refused(web: ShopHarness) -> None:
    await web.client.get("/chat")
    resp = await web.client.get(
        "/chat/ws",
        headers={"Origin": "https://evil.example", "Connection": "Upgrade", "Upgrade": "websocket",
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    )
    assert resp.status == 403


async def test_a_customer_shops_and_pays_cash_on_delivery_over_the_socket(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    (welcome,) = await tab.say(web, "hi")
    assert welcome["kind"] == "list" and "Welcome to Kirana Corner" in welcome["body"]
    (card,) = await tab.say(web, "atta")
    assert card["kind"] == "product" and card["price"] == "₹245.00"
    assert card["image_url"].startswith("data:image/png")
    replies = await tab.choose(web, "add:atta-5kg:1", "Add to cart")
    assert any("Added 1 × Aashirvaad Atta 5 kg" in m["body"] for m in replies)
    replies = await tab.choose(web, "checkout", "Checkout")
    assert any("Where should we deliver?" in m["body"] for m in replies)
    replies = await tab.say(web, "Flat 4, Sea View, Bandra West, Mumbai 400050")
    confirm = next(m for m in replies if any(c["id"] == "confirm" for c in m.get("choices", ())))
    assert "₹275.00" in confirm["body"]
    replies = await tab.choose(web, "confirm", "Confirm order")
    assert any("is placed" in m["body"] for m in replies)
    (order,) = await web.shop.store.list_orders()
    assert order.channel == "webchat" and order.total.minor == 27500
    shown = [e.get("text") for e in tab.entries if e["who"] == "customer"]
    address = "Flat 4, Sea View, Bandra West, Mumbai 400050"
    assert shown == ["hi", "atta", "Add to cart", "Checkout", address, "Confirm order"]
    await tab.close()


async def test_history_survives_a_reconnect_and_a_message_sent_twice_counts_once(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    await tab.say(web, "hi", message_id="same-id")
    await tab.say(web, "hi", message_id="same-id")  # resent after a reconnect: deduplicated
    seen = list(tab.entries)
    assert [e["who"] for e in seen] == ["customer", "shop"]
    await tab.close()
    again = await ChatTab.open(web)  # a refresh: everything again
    assert again.entries == seen
    await again.close()


async def test_an_offline_customer_gets_messages_when_the_tab_reconnects(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    await tab.say(web, "hi")
    last = tab.entries[-1]["seq"]
    key = customer_key(web)
    await tab.close()
    await web.shop.notify(key, OrderStatusUpdate(order_number="ABC-DEF", status="shipped", body="On its way!"))
    await web.shop.idle()
    assert [m.kind for m in web.sent_to(key)][-1] == "order_status"  # the channel took it while offline
    back = await ChatTab.open(web, after=last)
    assert [e["message"]["body"] for e in back.entries] == ["On its way!"]
    await back.close()


async def test_two_tabs_of_one_customer_both_see_the_conversation(web: ShopHarness) -> None:
    first = await ChatTab.open(web)
    second = await ChatTab.open(web)
    await first.say(web, "hi")
    await second.ws.send_json({"type": "ping"})
    await second.frame("pong")
    assert [e["who"] for e in second.entries] == ["customer", "shop"]
    await first.close()
    await second.close()


async def test_bad_frames_get_errors_not_crashes(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    await tab.ws.send_str("not json")
    assert (await tab.frame("error"))["error"] == "not JSON"
    await tab.ws.send_str("[" * 8000 + "]" * 8000)  # deeper than Python's stack: still just an error
    assert (await tab.frame("error"))["error"] == "not JSON"
    await tab.ws.send_json({"type": "text", "text": "no id"})
    assert "id" in (await tab.frame("error"))["error"]
    await tab.ws.send_json({"type": "text", "id": "x1", "text": "a" * 2001})
    assert (await tab.frame("error"))["id"] == "x1"
    await tab.ws.send_json({"type": "launch"})
    assert (await tab.frame("error"))["error"] == "unknown frame type"
    assert await web.shop.store.customers_with_pending_inbound() == []
    await tab.close()


async def test_preview_lowers_the_conversation_to_whatsapp_and_wechat_limits(web: ShopHarness) -> None:
    tab = await ChatTab.open(web)
    await tab.say(web, "hi")
    await tab.choose(web, "browse", "Browse catalog")
    resp = await web.client.get("/chat/preview?as=whatsapp")
    whatsapp = [e["message"] for e in (await resp.json())["entries"] if e["who"] == "shop"]
    assert whatsapp and all(len(m.get("choices", ())) <= 3 for m in whatsapp)
    for m in whatsapp:
        for section in m.get("sections", ()):
            assert all(len(c["title"]) <= 24 for c in section["choices"])
    entries = (await (await web.client.get("/chat/preview?as=wechat")).json())["entries"]
    wechat = [e["message"] for e in entries if e["who"] == "shop"]
    assert wechat and all(m["kind"] != "buttons" for m in wechat)  # WeChat has no reply buttons
    assert (await web.client.get("/chat/preview?as=telegram")).status == 400
    await tab.close()


def test_only_harmless_links_reach_the_page() -> None:
    assert safe_url("https://shop.example/p/1") == "https://shop.example/p/1"
    assert safe_url("/chat/static/x.png") == "/chat/static/x.png"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("//evil.example/x") is None
    assert safe_url("data:image/svg+xml,<svg onload=alert(1)>") is None
    assert safe_url("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"


def test_signatures_are_checked_and_bound_to_their_purpose() -> None:
    chat = Signer("secret", "webchat-customer")
    signed = chat.sign("abc")
    assert chat.unsign(signed) == "abc"
    assert chat.unsign(signed[:-1] + ("A" if signed[-1] != "A" else "B")) is None
    assert chat.unsign("abc") is None and chat.unsign(None) is None
    assert Signer("secret", "dashboard-session").unsign(signed) is None


def test_preview_uses_the_installed_plugins_own_capabilities(web: ShopHarness) -> None:
    from chatshop.plugins.webchat.preview import preview_capabilities, preview_channels
    from chatshop.plugins.wechat.channel import WeChatChannel
    from chatshop.plugins.whatsapp import WhatsAppChannel

    assert preview_channels(web.shop) == ("whatsapp", "wechat")
    assert preview_capabilities(web.shop, "whatsapp") is WhatsAppChannel.capabilities
    assert preview_capabilities(web.shop, "wechat") is WeChatChannel.capabilities


def test_a_product_card_does_not_repeat_its_title_and_price_in_the_text() -> None:
    from chatshop.messages import ProductCard
    from chatshop.money import Money
    from chatshop.plugins.webchat.view import message_view

    card = ProductCard(
        product_id="atta", title="Atta 5 kg", body="Atta 5 kg\n₹245.00\n\nStone-ground.", price=Money(24500, "INR")
    )
    view = message_view(card, "en")
    assert view["body"] == "Stone-ground." and view["price"] == "₹245.00"


async def test_the_page_speaks_the_customers_language(web: ShopHarness) -> None:
    assert ">Send</button>" in await (await web.client.get("/chat")).text()
    tab = await ChatTab.open(web)
    await tab.choose(web, "lang:de", "Deutsch")
    html = await (await web.client.get("/chat")).text()
    assert '<html lang="de">' in html and ">Senden</button>" in html
    await tab.close()


async def test_an_open_tab_picks_up_what_another_worker_stored(web: ShopHarness) -> None:
    from chatshop.messages import Text
    from chatshop.plugins.webchat.channel import WebChatChannel

    tab = await ChatTab.open(web)
    channel = web.shop.channels["webchat"]
    assert isinstance(channel, WebChatChannel)
    customer_id = customer_key(web).split(":", 1)[1]
    await channel.history.add_shop(customer_id, Text(body="from the other worker"))  # stored, not pushed
    frame = await tab.frame("entries")  # the tab's watcher polls every poll_seconds (0.5 s here)
    assert [e["message"]["body"] for e in frame["entries"]] == ["from the other worker"]
    await tab.close()


async def test_behind_a_proxy_that_rewrites_host_the_shops_own_site_may_open_the_socket(make_shop: Any) -> None:
    """nginx's proxy_pass sends its upstream's address as Host by default: the page's Origin is then
    the shop's public address, not the Host the shop sees. It is the shop's own site: let in."""
    public = WEB_TOML.replace("[server]\n", '[server]\npublic_url = "https://shop.example.com"\n', 1)
    async with make_shop(public, terminal=False) as h:
        cookie = (await h.client.get("/chat")).cookies["chatshop_chat"].value  # Secure: sent by hand
        for origin, allowed in (("https://shop.example.com", True), ("https://evil.example", False)):
            headers = {"Origin": origin, "Cookie": f"chatshop_chat={cookie}"}
            if allowed:
                ws = await h.client.ws_connect("/chat/ws", headers=headers)
                await ws.send_json({"type": "hello", "after": 0})
                assert (await ws.receive_json(timeout=5))["type"] == "entries"
                await ws.close()
            else:
                resp = await h.client.get("/chat/ws", headers={**headers, **UPGRADE})
                assert resp.status == 403
