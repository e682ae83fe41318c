"""The dashboard over plain HTTP: login, session cookie, CSRF, moves, catalog edits, numbers."""

from __future__ import annotations

import pytest

from chatshop.config import ConfigError
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness

from .admin_client import csrf_of, login, page_csrf
from .chat_client import ChatTab, customer_key
from .conftest import ADMIN_ENV, ADMIN_TOKEN, WEB_TOML


async def place_order(h: ShopHarness) -> str:
    tab = await ChatTab.open(h)
    await tab.say(h, "hi")
    await tab.say(h, "atta")
    await tab.choose(h, "add:atta-5kg:2", "Add to cart")
    await tab.choose(h, "checkout", "Checkout")
    await tab.say(h, "Flat 4, Sea View, Bandra West, Mumbai 400050")
    await tab.choose(h, "confirm", "Confirm order")
    await tab.close()
    (order,) = await h.shop.store.list_orders()
    return order.number


async def test_pages_need_a_login(web: ShopHarness) -> None:
    for path in ("/admin", "/admin/orders", "/admin/catalog", "/admin/numbers", "/admin/orders/rows"):
        resp = await web.client.get(path, allow_redirects=False)
        assert resp.status == 303 and resp.headers["Location"] == "/admin/login", path


async def test_login_sets_a_strict_http_only_session_cookie(web: ShopHarness) -> None:
    resp = await web.client.get("/admin/login")
    form_cookie = resp.cookies["chatshop_admin_login"]
    assert form_cookie["httponly"] and form_cookie["samesite"] == "Strict" and form_cookie["path"] == "/admin/login"
    assert resp.headers["X-Frame-Options"] == "DENY"
    resp = await web.client.post(
        "/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(await resp.text())}, allow_redirects=False
    )
    cookie = resp.cookies["chatshop_admin"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/admin"
    assert int(cookie["max-age"]) == 12 * 3600
    assert (await web.client.get("/admin/orders")).status == 200


async def test_opening_the_login_page_again_keeps_the_session(web: ShopHarness) -> None:
    await login(web)
    resp = await web.client.get("/admin/login", allow_redirects=False)
    assert resp.status == 303 and "chatshop_admin" not in resp.cookies
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 200


async def test_the_login_forms_cookie_is_no_session(web: ShopHarness) -> None:
    resp = await web.client.get("/admin/login")
    value = resp.cookies["chatshop_admin_login"].value
    resp = await web.client.get("/admin/orders", cookies={"chatshop_admin": value}, allow_redirects=False)
    assert resp.status == 303


async def test_a_wrong_token_is_refused(web: ShopHarness) -> None:
    assert await login(web, "kirana-admin-token-0123456788") == 401
    resp = await web.client.get("/admin/orders", allow_redirects=False)
    assert resp.status == 303


async def test_login_without_the_csrf_token_is_refused(web: ShopHarness) -> None:
    await web.client.get("/admin/login")
    resp = await web.client.post("/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False)
    assert resp.status == 403


async def test_many_wrong_tokens_are_slowed_down(web: ShopHarness) -> None:
    statuses = [await login(web, f"wrong-token-{i:04d}") for i in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


async def test_moves_need_the_csrf_token_and_tell_the_customer(web: ShopHarness) -> None:
    number = await place_order(web)
    key = customer_key(web)
    assert await login(web) == 303
    resp = await web.client.post(f"/admin/orders/{number}/move", data={"status": "shipped"}, allow_redirects=False)
    assert resp.status == 403
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "shipped", "csrf": "forged"}, allow_redirects=False
    )
    assert resp.status == 403
    order = await web.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.COD_PENDING
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="shipped"' in page and 'data-status="delivered"' not in page
    assert 'data-status="refunded"' not in page  # nothing was paid yet
    assert "Flat 4, Sea View" in page and "₹520.00" in page and "<td>Delivery</td>" in page
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "shipped", "csrf": csrf_of(page)}, allow_redirects=False
    )
    assert resp.status == 303 and "done=shipped" in resp.headers["Location"]
    await web.shop.idle()
    assert web.sent_to(key)[-1].kind == "order_status"
    assert "on its way" in web.texts_to(key)[-1]
    # An illegal move (shipped → confirmed) is refused, and the order stays shipped.
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "confirmed", "csrf": csrf_of(page)}, allow_redirects=False
    )
    assert "error=" in resp.headers["Location"]
    order = await web.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.SHIPPED


async def test_orders_filter_and_search(web: ShopHarness) -> None:
    number = await place_order(web)
    await login(web)
    assert number in await (await web.client.get("/admin/orders?status=open")).text()
    assert number not in await (await web.client.get("/admin/orders/rows?status=shipped")).text()
    assert number in await (await web.client.get("/admin/orders/rows?status=all&q=Bandra")).text()
    assert number not in await (await web.client.get("/admin/orders/rows?status=all&q=Pune")).text()


async def test_catalog_edits_are_saved_to_storage(web: ShopHarness) -> None:
    await login(web)
    csrf = await page_csrf(web, "/admin/catalog")
    save = {"csrf": csrf, "action": "save"}
    resp = await web.client.post("/admin/catalog/ghee-1l", data={**save, "stock": "7", "price": "599.00"})
    assert resp.status == 200
    item = (await web.shop.store.inventory(["ghee-1l"]))["ghee-1l"]
    assert item.stock == 7 and item.price_minor == 59900
    await web.client.post("/admin/catalog/ghee-1l", data={"csrf": csrf, "action": "toggle"})
    assert not (await web.shop.store.inventory(["ghee-1l"]))["ghee-1l"].active
    resp = await web.client.post("/admin/catalog/ghee-1l", data={**save, "stock": "-1", "price": "1"})
    assert "ghee-1l: stock must be" in await resp.text()
    assert (await web.client.post("/admin/catalog/ghee-1l", data={"action": "toggle"})).status == 403
    tab = await ChatTab.open(web)
    (card,) = await tab.choose(web, "p:ghee-1l")
    assert card["price"] == "₹599.00" and "out of stock" in card["body"].lower()
    await tab.close()


async def test_numbers_count_orders_revenue_and_abandoned_carts(web: ShopHarness) -> None:
    await place_order(web)
    await login(web)
    html = await (await web.client.get("/admin/numbers")).text()
    assert '<span class="value" id="orders-today">1</span>' in html
    assert "₹520.00" in html and "Cash on delivery" in html and "<svg" in html
    assert '<span class="value" id="abandoned">0</span>' in html


async def test_logout_ends_the_session(web: ShopHarness) -> None:
    await login(web)
    csrf = await page_csrf(web, "/admin/orders")
    copied = web.client.session.cookie_jar.filter_cookies(web.client.make_url("/admin"))["chatshop_admin"].value
    await web.client.post("/admin/logout", data={"csrf": csrf})
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 303
    # A copy of the cookie taken before logging out is worthless afterwards.
    resp = await web.client.get("/admin/orders", cookies={"chatshop_admin": copied}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/admin/login"
    forged_post = await web.client.post(
        "/admin/logout", data={"csrf": csrf}, cookies={"chatshop_admin": copied}, allow_redirects=False
    )
    assert forged_post.status in (303, 403)


async def test_without_a_token_the_dashboard_is_off(make_shop: object) -> None:
    toml = WEB_TOML.replace(f'[admin]\ntoken_env = "{ADMIN_ENV}"\n', "")
    async with make_shop(toml, terminal=False) as h:  # type: ignore[operator]
        assert (await h.client.get("/admin/login")).status == 404
        assert (await h.client.get("/chat")).status == 200


async def test_a_missing_token_variable_stops_the_start(make_shop: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ADMIN_ENV)
    with pytest.raises(ConfigError, match=r"admin\.token_env"):
        async with make_shop(WEB_TOML, terminal=False):  # type: ignore[operator]
            pass


async def test_secure_cookies_when_the_shop_is_served_over_https(make_shop: object) -> None:
    toml = WEB_TOML.replace("[server]\n", '[server]\npublic_url = "https://shop.example"\n')
    async with make_shop(toml, terminal=False) as h:  # type: ignore[operator]
        assert (await h.client.get("/admin/login")).cookies["chatshop_admin_login"]["secure"]
        assert (await h.client.get("/chat")).cookies["chatshop_chat"]["secure"]


async def test_a_page_number_that_is_no_number_shows_the_first_page(web: ShopHarness) -> None:
    """"²" passes str.isdigit() but not int(): the first page, as for any other non-number."""
    await place_order(web)
    await login(web)
    for path in ("/admin/orders", "/admin/orders/rows", "/admin/audit"):
        for page in ("²", "x", "-1", "99999999"):
            answer = await web.client.get(path, params={"page": page})
            assert answer.status == 200, (path, page)


async def test_a_pages_signed_note_is_shown_on_that_page_only(make_shop: object) -> None:
    """A note ("Done: the order is now cancelled", an error) is signed so that a link from
    elsewhere cannot make the dashboard say it; it was not bound to its page, so the note signed
    for one order, pasted onto another order's address, was shown there as that order's."""
    async with make_shop(WEB_TOML) as h:  # type: ignore[operator]
        numbers = []
        for customer in ("asha", "ravi"):
            await h.say(customer, "atta")
            await h.say(customer, "1")
            await h.say(customer, "checkout")
            await h.say(customer, "12 Hill Road, Bandra West, Mumbai 400050")
            assert "is placed" in await h.say(customer, "1")
            (order,) = await h.shop.store.list_orders(customer_key=f"terminal:{customer}")
            numbers.append(order.number)
        first, second = numbers
        assert await login(h) == 303
        csrf = await page_csrf(h, f"/admin/orders/{first}")
        moved = await h.client.post(
            f"/admin/orders/{first}/move", data={"status": "cancelled", "csrf": csrf}, allow_redirects=False
        )
        where = moved.headers["Location"]
        assert where.startswith(f"/admin/orders/{first}?done=cancelled&done_sig=")
        said = "Done: the order is now cancelled"
        assert said in await (await h.client.get(where)).text()
        replayed = where.replace(f"/admin/orders/{first}?", f"/admin/orders/{second}?")
        assert said not in await (await h.client.get(replayed)).text()
