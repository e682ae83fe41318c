"""Editing the catalog from a page that went stale, odd values, and notes in the address bar."""

from __future__ import annotations

import html
import re

from chatshop.testing import ShopHarness
from tests.web.admin_client import login, page_csrf

from .web_shop import web_toml


def form_of(page: str, product_id: str) -> dict[str, str]:
    """The Save form's fields for one product, as the browser would post them."""
    start = page.index(f'action="/admin/catalog/{product_id}" class="inline edit"')
    form = page[start : page.index("</form>", start)]
    return {m[0]: html.unescape(m[1]) for m in re.findall(r'name="([^"]+)"[^>]*?value="([^"]*)"', form)}


async def stock_of(h: ShopHarness, product_id: str) -> int | None:
    return (await h.shop.store.inventory([product_id]))[product_id].stock


async def test_a_price_change_from_a_stale_page_keeps_the_stock_orders_took(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        assert await login(h) == 303
        page = await (await h.client.get("/admin/catalog")).text()
        form = form_of(page, "atta-5kg")
        assert form["stock"] == "40"
        await h.shop.store.update_inventory("atta-5kg", stock=37)  # three sold while the page was open
        resp = await h.client.post("/admin/catalog/atta-5kg", data={**form, "price": "250.00"}, allow_redirects=False)
        assert resp.status == 303
        assert await stock_of(h, "atta-5kg") == 37  # not put back to the 40 the page showed
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].price_minor == 25000


async def test_a_stock_change_from_a_stale_page_is_refused_and_says_why(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        assert await login(h) == 303
        form = form_of(await (await h.client.get("/admin/catalog")).text(), "atta-5kg")
        await h.shop.store.update_inventory("atta-5kg", stock=37)
        resp = await h.client.post("/admin/catalog/atta-5kg", data={**form, "stock": "50"})
        assert await stock_of(h, "atta-5kg") == 37
        text = html.unescape(await resp.text())
        assert "changed to 37 since the page was loaded" in text


async def test_marking_out_of_stock_twice_from_two_tabs_keeps_it_off(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        assert await login(h) == 303
        page = await (await h.client.get("/admin/catalog")).text()
        start = page.index('action="/admin/catalog/ghee-1l" class="inline">')
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page[start : page.index("</form>", start)]))
        for _ in range(2):  # the same button, in two tabs opened before either was pressed
            await h.client.post("/admin/catalog/ghee-1l", data=fields)
        assert not (await h.shop.store.inventory(["ghee-1l"]))["ghee-1l"].active


async def test_odd_stock_values_get_plain_words(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        assert await login(h) == 303
        csrf = await page_csrf(h, "/admin/catalog")
        resp = await h.client.post("/admin/catalog/ghee-1l", data={"csrf": csrf, "action": "save", "stock": "1e3"})
        text = html.unescape(await resp.text())
        assert "stock must be a whole number" in text and "int()" not in text
        assert await stock_of(h, "ghee-1l") == 3


async def test_notes_in_the_address_bar_are_shown_only_when_the_shop_wrote_them(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        assert await login(h) == 303
        lure = "Your session expired: log in again at https://evil.example"
        for path in ("/admin/catalog?error=", "/admin/catalog?saved=", "/admin/orders/K7M-4QX?error="):
            resp = await h.client.get(path + lure.replace(" ", "+"))
            assert "evil.example" not in await resp.text(), path
