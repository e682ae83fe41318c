"""The dashboard on the owner's phone (360 px): no page is wider than the screen; an order's total is in sight."""

from __future__ import annotations

from playwright.async_api import expect

from tests.web.browser import chromium, needs_chromium
from tests.web.pages.web_shop import web_toml
from tests.web.test_in_chromium import admin_login

from .test_dashboard_owner import place

pytestmark = needs_chromium

WIDTH = 360


async def test_every_dashboard_page_fits_a_phone(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        number = await place(
            h, "whatsapp:919812345678", contact_name="Ravi Kumar", address="Flat 4, Sea View, Bandra West, Mumbai"
        )
        page = await browser.new_page(viewport={"width": WIDTH, "height": 740})
        await admin_login(page, h.url("/").rstrip("/"))
        total = page.locator(f'tr[data-number="{number}"] td.num')
        await expect(total).to_be_visible()
        box = await total.bounding_box()
        assert box and box["x"] + box["width"] <= WIDTH, box  # the total was off the screen's right edge
        for path in ("/admin/orders", f"/admin/orders/{number}", "/admin/catalog", "/admin/numbers"):
            await page.goto(h.url(path))
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= WIDTH, f"{path} is {width} px wide"
