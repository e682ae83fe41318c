"""What customers of other scripts see in the chat: right-to-left texts, emoji, a picture that fails."""

from __future__ import annotations

from playwright.async_api import expect

from tests.web.browser import chromium, needs_chromium
from tests.web.pages.web_shop import web_toml

pytestmark = needs_chromium

PRODUCTS = """
[[catalog.products]]
id = "apple-1kg"
title = "🍎 Shimla Apples 1 kg"
price = "180.00"
category = "Fruit"
image_url = "https://images.invalid/apple.jpg"

[[catalog.products]]
id = "dates-ar"
title = "تمر سكري ١ كغ"
price = "450.00"
category = "Fruit"
description = "تمر من القصيم، 1 كغ!"
"""


async def test_arabic_reads_right_to_left_and_a_broken_emoji_picture_shows_the_emoji(make_shop: object) -> None:
    async with make_shop(web_toml(extra=PRODUCTS), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        page = await browser.new_page(viewport={"width": 360, "height": 640})
        await page.goto(h.url("/chat"))
        await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
        composer = page.get_by_label("Message")
        await composer.fill("apples")
        await composer.press("Enter")
        # The picture fails to load: its stand-in shows the title's first character, the whole emoji
        # (it was half of its UTF-16 pair, a broken glyph).
        await expect(page.locator(".picture.placeholder")).to_have_text("🍎")

        await composer.fill("تمر من القصيم")
        direction = await composer.evaluate("n => getComputedStyle(n).direction")
        assert direction == "rtl"  # typed Arabic runs from the right, its punctuation where it belongs
        await composer.press("Enter")
        card = page.locator(".bubble.card").filter(has_text="تمر سكري")
        await expect(card).to_have_count(1)
        for part in (card.locator(".card-title"), card.locator(".body"), page.locator(".bubble.customer").last):
            assert await part.evaluate("n => getComputedStyle(n).direction") == "rtl"
        # An English message stays left to right.
        welcome = page.locator(".entry.shop .body").first
        assert await welcome.evaluate("n => getComputedStyle(n).direction") == "ltr"


async def test_the_conversation_is_a_log_for_screen_readers(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        page = await browser.new_page()
        await page.goto(h.url("/chat"))
        log = page.get_by_role("log", name="Kirana Corner")
        await expect(log.locator(".entry.shop").first).to_contain_text("Welcome")
        await expect(page.get_by_role("status")).to_have_text("online")


async def test_a_small_phone_shows_the_shop_name_beside_the_preview_selector(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        page = await browser.new_page(viewport={"width": 320, "height": 568})
        await page.goto(h.url("/chat"))
        await expect(page.locator("#status")).to_have_text("online")
        name = await page.locator(".bar h1").bounding_box()
        select = await page.locator("#mode").bounding_box()
        avatar = await page.locator(".avatar").bounding_box()
        assert name and select and avatar
        assert name["x"] + name["width"] <= select["x"], (name, select)  # the selector lay over the name
        assert abs(avatar["width"] - avatar["height"]) < 1  # a circle, not squeezed into an oval
        assert await page.evaluate("document.documentElement.scrollWidth") <= 320
