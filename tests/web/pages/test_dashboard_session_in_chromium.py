"""An orders page left open longer than its session: it says so, instead of quietly showing no new orders."""

from __future__ import annotations

from playwright.async_api import expect

from chatshop.orders import OrderStatus
from tests.web.browser import chromium, needs_chromium
from tests.web.conftest import ADMIN_TOKEN
from tests.web.pages.web_shop import web_toml
from tests.web.test_in_chromium import admin_login

from .test_dashboard_owner import PAGE, place

pytestmark = needs_chromium


async def test_an_open_orders_page_says_when_its_session_ended(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        context = await browser.new_context()
        watching = await context.new_page()
        await admin_login(watching, h.url("/").rstrip("/"))
        await expect(watching.locator("h1")).to_have_text("Orders")
        # The session ends (logged out in another tab here; the same when its 12 hours are up).
        other = await context.new_page()
        await other.goto(h.url("/admin/catalog"))
        await other.get_by_role("button", name="Log out").click()
        await expect(other.locator("h1")).to_have_text("Log in")
        live = watching.locator("#live")
        await expect(live).to_be_visible(timeout=10_000)
        await expect(live).to_contain_text("log in again")
        await expect(live.get_by_role("link", name="log in again")).to_have_attribute("href", "/admin/login")


async def test_a_button_pressed_after_the_session_ended_leads_to_the_login(make_shop: object) -> None:
    """The browser drops the session cookie when its 12 hours are up; a form pressed then showed a bare
    '403: missing or wrong CSRF token', Log out included."""
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        number = await place(h)
        context = await browser.new_context()
        page = await context.new_page()
        await admin_login(page, h.url("/").rstrip("/"))
        await page.goto(h.url(f"/admin/orders/{number}"))
        await context.clear_cookies()  # the session's hours are up
        await page.get_by_role("button", name="Ship").click()
        await expect(page.locator("h1")).to_have_text("Log in")
        await expect(page.get_by_role("alert")).to_contain_text("session ended")
        order = await h.shop.store.get_order(number)
        assert order is not None and order.status == OrderStatus.COD_PENDING
        await page.get_by_label("Admin token").fill(ADMIN_TOKEN)
        await page.get_by_role("button", name="Log in").click()
        await expect(page.locator("h1")).to_have_text("Orders")
        await context.clear_cookies()
        await page.get_by_role("button", name="Log out").click()
        await expect(page.locator("h1")).to_have_text("Log in")


async def test_an_older_page_does_not_announce_orders_that_slid_onto_it_as_new(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        numbers = [await place(h) for _ in range(PAGE + 1)]
        page = await browser.new_page()
        await admin_login(page, h.url("/").rstrip("/"))
        await page.get_by_role("link", name="Older orders").click()
        await expect(page.locator("tr[data-number]")).to_have_count(1)
        await place(h)  # a new order pushes the oldest of page 1 down onto page 2
        await expect(page.locator(f'tr[data-number="{numbers[1]}"]')).to_be_visible(timeout=10_000)
        assert await page.locator("#live").is_hidden()  # it said "New order <an old one>"
        assert await page.locator("tr.fresh").count() == 0
