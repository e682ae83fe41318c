"""The dashboard as a shop owner uses it: a double click, two tabs, many orders, every door locked."""

from __future__ import annotations

import asyncio
import re

from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number
from chatshop.testing import ShopHarness
from tests.web.admin_client import csrf_of, login
from tests.web.pages.web_shop import web_toml

CUSTOMER = "webchat:qa-customer"
PAGE = 100  # orders a page of the dashboard lists


async def place(h: ShopHarness, customer_key: str = CUSTOMER, **details: str | None) -> str:
    number = new_order_number()
    line = OrderLine(product_id="chai-250g", title="Tata Tea Gold 250 g", quantity=1, unit_price=Money(14500, "INR"))
    order = Order(number, customer_key, OrderStatus.COD_PENDING, (line,), (), "INR", "cod", f"k-{number}", **details)
    await h.shop.store.place_order(order)
    return number


def told(h: ShopHarness, customer_key: str = CUSTOMER) -> list[str]:
    return [m.kind for m in h.sent_to(customer_key)]


async def test_ship_clicked_twice_says_done_and_tells_the_customer_once(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        number = await place(h)
        await login(h)
        page = await (await h.client.get(f"/admin/orders/{number}")).text()
        form = {"status": "shipped", "csrf": csrf_of(page)}
        first = await h.client.post(f"/admin/orders/{number}/move", data=form, allow_redirects=False)
        second = await h.client.post(f"/admin/orders/{number}/move", data=form, allow_redirects=False)
        await h.shop.idle()
        assert "done=shipped" in first.headers["Location"]
        # The second click of a double click found the order shipped: that is done, not "cannot go to shipped".
        assert "done=shipped" in second.headers["Location"], second.headers["Location"]
        assert told(h).count("order_status") == 1


async def test_two_tabs_shipping_at_once_ship_once(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        number = await place(h)
        await login(h)
        page = await (await h.client.get(f"/admin/orders/{number}")).text()
        form = {"status": "shipped", "csrf": csrf_of(page)}
        answers = await asyncio.gather(
            *(h.client.post(f"/admin/orders/{number}/move", data=form, allow_redirects=False) for _ in range(2))
        )
        await h.shop.idle()
        assert all(a.status == 303 and "error=" not in a.headers["Location"] for a in answers)
        order = await h.shop.store.get_order(number)
        assert order is not None and order.status == OrderStatus.SHIPPED
        assert sum(1 for step in order.history if step["new"] == "shipped") == 1
        assert told(h).count("order_status") == 1


async def test_orders_beyond_the_first_page_can_be_reached(make_shop: object) -> None:
    """A busy week has more orders than one page shows: the oldest were out of reach but for a search."""
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        numbers = [await place(h) for _ in range(PAGE + 5)]  # oldest first
        await login(h)
        first = await (await h.client.get("/admin/orders")).text()
        shown = set(re.findall(r'data-number="([^"]+)"', first))
        assert shown == set(numbers[5:])
        older = re.search(r'href="(/admin/orders\?[^"]*page=2[^"]*)"', first)
        assert older, "no link to older orders"
        second = await (await h.client.get(older.group(1).replace("&amp;", "&"))).text()
        assert set(re.findall(r'data-number="([^"]+)"', second)) == set(numbers[:5])
        assert "page=3" not in second and 'href="/admin/orders?status=all&amp;page=1"' in second
        # The live refresh of page 2 refreshes page 2, not the newest orders.
        assert 'data-refresh="/admin/orders/rows?status=all&amp;q=&amp;page=2"' in second
        rows = await (await h.client.get("/admin/orders/rows?status=all&q=&page=2")).text()
        assert set(re.findall(r'data-number="([^"]+)"', rows)) == set(numbers[:5])
        for odd in ("0", "-1", "x", "99999999999999999999"):
            resp = await h.client.get(f"/admin/orders?page={odd}")
            assert resp.status == 200, odd


async def test_every_dashboard_route_is_closed_without_a_login(make_shop: object) -> None:
    """Each route under /admin (read from the router, so a new one is checked too) without a session."""
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        number = await place(h)
        open_doors = {"/admin/login", "/admin/static"}
        checked = 0
        for route in h.client.app.router.routes():
            info = route.resource.get_info() if route.resource else {}
            path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
            if not path.startswith("/admin") or path in open_doors or route.method == "HEAD":
                continue
            url = path.replace("{number}", number).replace("{product_id}", "chai-250g")
            data = {"status": "shipped", "action": "off", "stock": "0", "price": "1.00"}
            resp = await h.client.request(route.method, url, data=data, allow_redirects=False)
            # GET: to the login; POST: to the login saying the session ended (a form pressed too late).
            assert resp.status == 303, (route.method, url, resp.status)
            assert resp.headers["Location"].split("?")[0] == "/admin/login", (route.method, url)
            checked += 1
        assert checked >= 9
        order = await h.shop.store.get_order(number)
        assert order is not None and order.status == OrderStatus.COD_PENDING
        assert (await h.shop.store.inventory(["chai-250g"])).get("chai-250g") is None or (
            await h.shop.store.inventory(["chai-250g"])
        )["chai-250g"].active
        assert not h.sent_to(CUSTOMER)


async def test_orders_are_found_by_the_phone_number_as_the_dashboard_shows_it(make_shop: object) -> None:
    """The order page shows "+919812345678"; pasted (or typed with spaces) into the search it found nothing."""
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        mine = await place(h, "whatsapp:919812345678")
        other = await place(h, "whatsapp:447700900123")
        await login(h)
        page = await (await h.client.get(f"/admin/orders/{mine}")).text()
        assert "+919812345678" in page
        for typed in ("+919812345678", "+91 98123 45678", "98123-45678", "(981) 234 5678"):
            rows = await (await h.client.get("/admin/orders/rows", params={"status": "all", "q": typed})).text()
            assert set(re.findall(r'data-number="([^"]+)"', rows)) == {mine}, typed
        rows = await (await h.client.get("/admin/orders/rows", params={"status": "all", "q": mine.lower()})).text()
        assert set(re.findall(r'data-number="([^"]+)"', rows)) == {mine}
        assert other not in rows


async def test_a_logged_out_session_still_in_a_browser_can_log_in_again(make_shop: object) -> None:
    """A copy of a session cookie that was logged out (another browser profile, a restored backup):
    the login page sent it to the orders, which sent it back to the login, for ever."""
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        await login(h)
        jar = h.client.session.cookie_jar
        kept = {c.key: c.value for c in jar if c.key == "chatshop_admin"}
        csrf = csrf_of(await (await h.client.get("/admin/orders")).text())
        await h.client.post("/admin/logout", data={"csrf": csrf})
        jar.update_cookies(kept, h.client.make_url("/admin/"))
        page = await h.client.get("/admin/login", max_redirects=5)
        assert page.status == 200 and 'name="token"' in await page.text()
        assert await login(h) == 303
        assert (await h.client.get("/admin/orders")).url.path == "/admin/orders"
