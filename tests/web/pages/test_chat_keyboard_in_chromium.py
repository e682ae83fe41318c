"""A whole purchase in the web chat with the keyboard alone, and typing right after tapping a choice."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.web.browser import chromium, needs_chromium
from tests.web.pages.web_shop import web_toml

pytestmark = needs_chromium

ADDRESS = "Flat 4, Sea View, Bandra West, Mumbai 400050"


async def press_choice(page: Page, title: str) -> None:
    """From the composer, Shift+Tab back through the newest message's choices to ``title`` and press Enter."""
    await page.get_by_label("Message").focus()
    for _ in range(12):
        await page.keyboard.press("Shift+Tab")
        if (await page.evaluate("document.activeElement.textContent")).strip().startswith(title):
            await page.keyboard.press("Enter")
            return
    raise AssertionError(f"no {title!r} within reach of the keyboard")


async def test_a_purchase_with_the_keyboard_alone(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        page = await browser.new_page(viewport={"width": 1000, "height": 800})
        await page.goto(h.url("/chat"))
        last = page.locator(".entry.shop").last
        await expect(last).to_contain_text("Welcome")
        await page.keyboard.type("atta")  # the composer has the focus from the start
        await page.keyboard.press("Enter")
        await expect(page.locator(".bubble.card")).to_have_count(1)
        await press_choice(page, "Add to cart")
        await expect(last).to_contain_text("Added 1 × Aashirvaad Atta 5 kg")
        await press_choice(page, "Checkout")
        await expect(last).to_contain_text("Where should we deliver?")
        # Having pressed a choice, the customer types on: the words go to the composer (they went to the
        # pressed button, that is nowhere, and the address had to be typed again after a click).
        await page.keyboard.type(ADDRESS)
        await page.keyboard.press("Enter")
        await expect(last).to_contain_text("₹275.00")
        await press_choice(page, "Confirm order")
        await expect(last).to_contain_text("is placed")
        (order,) = await h.shop.store.list_orders()
        assert order.address and "Bandra West" in order.address


async def test_a_tap_on_a_phone_leaves_its_on_screen_keyboard_closed(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = await context.new_page()
        await page.goto(h.url("/chat"))
        await expect(page.locator(".entry.shop").last).to_contain_text("Welcome")
        await page.get_by_role("button", name="Browse catalog").tap()
        await expect(page.locator(".entry.shop")).to_have_count(2)
        assert await page.evaluate("document.activeElement.id") != "text"


async def test_a_message_refused_as_too_many_goes_back_into_the_composer(make_shop: object) -> None:
    toml = web_toml("messages_per_customer = 2")
    async with make_shop(toml, terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        page = await browser.new_page()
        await page.goto(h.url("/chat"))
        await expect(page.locator(".entry.shop").last).to_contain_text("Welcome")  # "hi" was the first
        composer = page.get_by_label("Message")
        for word in ("atta", "12 Hill Road, Bandra West, Mumbai 400050"):
            await composer.fill(word)
            await composer.press("Enter")
        await expect(page.locator("#status")).to_contain_text("Too many messages")
        await expect(composer).to_have_value("12 Hill Road, Bandra West, Mumbai 400050")  # it was lost
        await expect(page.locator(".pending")).to_have_count(0)
        await expect(page.locator(".entry.customer")).to_have_text(["hi", "atta"])
