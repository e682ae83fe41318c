"""The shop's web face in a real headless Chromium: a customer buys in the chat, the owner ships.

Screenshots land in ``test-artifacts/`` for a reviewer to look at.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness

from .browser import chromium, needs_chromium
from .conftest import ADMIN_TOKEN, shot_path

pytestmark = needs_chromium

ADDRESS = "Flat 4, Sea View, Bandra West, Mumbai 400050"


def shop_bubbles(page: Page) -> object:
    return page.locator(".entry.shop .bubble")


async def buy_atta_cash_on_delivery(page: Page, screenshot: str | None = None) -> None:
    """The customer's side of a whole purchase, clicking what the chat shows."""
    await expect(page.locator(".entry.shop").first).to_contain_text("Welcome to Kirana Corner")
    await page.get_by_role("button", name="Browse catalog").last.click()
    await page.get_by_role("button", name=re.compile("Staples")).last.click()
    await page.get_by_role("button", name=re.compile("Aashirvaad Atta")).last.click()
    card = page.locator(".bubble.card").last
    await expect(card).to_contain_text("₹245.00")
    await expect(card.locator("img.picture")).to_be_visible()
    if screenshot:
        await page.screenshot(path=shot_path(screenshot))
    await card.get_by_role("button", name="Add to cart").click()
    await expect(page.locator(".entry.shop").last).to_contain_text("Added 1 × Aashirvaad Atta 5 kg")
    await page.get_by_role("button", name="Checkout").last.click()
    await expect(page.locator(".entry.shop").last).to_contain_text("Where should we deliver?")
    await page.get_by_label("Message").fill(ADDRESS)
    await page.get_by_role("button", name="Send").click()
    await expect(page.locator(".entry.shop").last).to_contain_text("₹275.00")
    await page.get_by_role("button", name="Confirm order").last.click()
    await expect(page.locator(".entry.shop").last).to_contain_text("is placed")


async def admin_login(page: Page, base: str, token: str = ADMIN_TOKEN) -> None:
    await page.goto(base + "/admin/login")
    await page.get_by_label("Admin token").fill(token)
    await page.get_by_role("button", name="Log in").click()


async def test_a_customer_buys_and_the_owner_ships_it(web: ShopHarness) -> None:
    base = web.url("/").rstrip("/")
    async with chromium() as browser:
        customer = await (await browser.new_context(viewport={"width": 420, "height": 860})).new_page()
        owner = await (await browser.new_context(viewport={"width": 1200, "height": 800})).new_page()
        await admin_login(owner, base)
        await expect(owner.locator("h1")).to_have_text("Orders")
        await expect(owner.locator("#rows")).to_contain_text("No orders here yet.")

        await customer.goto(base + "/chat")
        await buy_atta_cash_on_delivery(customer, screenshot="chat-product-card")
        await customer.screenshot(path=shot_path("chat-order-placed"), full_page=False)
        (order,) = await web.shop.store.list_orders()

        # The owner's open orders page picks the new order up by itself.
        row = owner.locator(f'tr[data-number="{order.number}"]')
        await expect(row).to_be_visible(timeout=8000)
        await expect(owner.locator("#live")).to_contain_text(order.number)
        await owner.screenshot(path=shot_path("dashboard-orders"), full_page=True)
        await row.get_by_role("link").click()
        await expect(owner.locator("h1")).to_contain_text(order.number)
        await expect(owner.locator(".card").first).to_contain_text("Aashirvaad Atta 5 kg")
        await owner.screenshot(path=shot_path("dashboard-order"), full_page=True)
        await owner.get_by_role("button", name="Ship").click()
        await expect(owner.locator(".ok")).to_contain_text("shipped")
        await expect(owner.get_by_role("button", name="Mark delivered")).to_be_visible()
        await expect(owner.get_by_role("button", name="Ship")).to_have_count(0)
        assert (await web.shop.store.get_order(order.number)).status == OrderStatus.SHIPPED  # type: ignore[union-attr]

        # The customer's chat shows the status message without a reload.
        status = customer.locator(".bubble.kind-order_status").last
        await expect(status).to_contain_text("is on its way")
        await customer.screenshot(path=shot_path("chat-shipped"), full_page=False)

        await owner.goto(base + "/admin/numbers")
        await expect(owner.locator("#orders-today")).to_have_text("1")
        await owner.screenshot(path=shot_path("dashboard-numbers"), full_page=True)
        await owner.goto(base + "/admin/catalog")
        await owner.screenshot(path=shot_path("dashboard-catalog"), full_page=True)


async def test_a_refresh_keeps_the_conversation(web: ShopHarness) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 420, "height": 760})
        await page.goto(web.url("/chat"))
        await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
        await page.get_by_label("Message").fill("atta")
        await page.get_by_role("button", name="Send").click()
        await expect(page.locator(".bubble.card")).to_have_count(1)
        before = await page.locator(".entry").all_inner_texts()
        await page.reload()
        await expect(page.locator(".bubble.card")).to_have_count(1)
        await expect(page.locator(".entry")).to_have_count(len(before))
        assert await page.locator(".entry").all_inner_texts() == before
        assert "chatshop" not in page.url and page.url.endswith("/chat")  # nothing personal in the URL
        await expect(page.locator("#status")).to_have_text("online")


async def test_preview_as_whatsapp_and_wechat(web: ShopHarness) -> None:
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 420, "height": 860})
        await page.goto(web.url("/chat"))
        await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
        await page.get_by_role("button", name="Browse catalog").click()
        await expect(page.locator(".entry.shop")).to_have_count(2)
        await page.screenshot(path=shot_path("chat-webchat"))
        await page.get_by_label("Preview the conversation as another messenger").select_option("whatsapp")
        await expect(page.locator("#notice")).to_be_visible()
        await expect(page.locator("main[data-mode=whatsapp] .list-button").first).to_be_visible()
        await page.screenshot(path=shot_path("chat-preview-whatsapp"))
        await page.get_by_label("Preview the conversation as another messenger").select_option("wechat")
        await expect(page.locator("main[data-mode=wechat]")).to_be_visible()
        await expect(page.locator(".bubble .choices")).to_have_count(0)  # no reply buttons on WeChat
        await page.screenshot(path=shot_path("chat-preview-wechat"))


async def test_a_wrong_token_is_refused(web: ShopHarness) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await admin_login(page, web.url("/").rstrip("/"), token="not-the-admin-token")
        await expect(page.get_by_role("alert")).to_have_text("That token is not right.")
        await page.screenshot(path=shot_path("dashboard-login-refused"))
        await page.goto(web.url("/admin/orders"))
        assert page.url.endswith("/admin/login")


async def test_a_form_posted_without_its_csrf_token_is_refused(web: ShopHarness) -> None:
    async with chromium() as browser:
        page = await browser.new_page()
        await admin_login(page, web.url("/").rstrip("/"))
        await page.goto(web.url("/admin/catalog"))
        form = page.locator("#p-ghee-1l form.edit")
        await form.locator("input[name=stock]").fill("0")
        await form.locator("input[name=csrf]").evaluate("node => node.remove()")
        async with page.expect_response(re.compile(r"/admin/catalog/ghee-1l$")) as answer:
            await form.get_by_role("button", name="Save").click()
        assert (await answer.value).status == 403
        await expect(page.locator("body")).to_contain_text("CSRF")
        assert (await web.shop.store.inventory(["ghee-1l"]))["ghee-1l"].stock == 3
