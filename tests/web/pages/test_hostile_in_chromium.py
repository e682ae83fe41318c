"""Hostile product texts and customer input are shown as text in a real Chromium: no script runs."""

from __future__ import annotations

from playwright.async_api import expect

from tests.web.browser import chromium, needs_chromium
from tests.web.conftest import ADMIN_TOKEN

from .web_shop import web_toml

pytestmark = needs_chromium

EVIL_TITLE = '<img src=x onerror="window.pwned=1">Evil Atta'
EVIL_TEXT = "</script><svg onload=window.pwned=2>"
HOSTILE = f"""
[[catalog.products]]
id = "evil-1"
title = '{EVIL_TITLE}'
price = "10.00"
category = "<b>Staples</b>"
description = "{EVIL_TEXT.replace('"', "'")}"
image_url = "javascript:window.pwned=3"
url = "javascript:window.pwned=4"
"""


async def test_hostile_catalog_and_customer_texts_stay_text(make_shop: object) -> None:
    async with make_shop(web_toml(extra=HOSTILE), terminal=False) as h:  # type: ignore[operator]
        base = h.url("/").rstrip("/")
        async with chromium() as browser:
            page = await (await browser.new_context()).new_page()
            await page.goto(base + "/chat")
            await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
            await page.get_by_label("Message").fill("evil <script>window.pwned=5</script>")
            await page.get_by_role("button", name="Send").click()
            await expect(page.locator(".entry.customer").last).to_contain_text("<script>window.pwned=5</script>")
            await page.get_by_role("button", name="Add to cart").last.click()
            await expect(page.locator(".entry.shop").last).to_contain_text(EVIL_TITLE)
            assert await page.evaluate("window.pwned") is None
            assert await page.locator("a[href^='javascript']").count() == 0
            assert await page.locator("img[src^='javascript']").count() == 0

            owner = await (await browser.new_context()).new_page()
            await owner.goto(base + "/admin/login")
            await owner.get_by_label("Admin token").fill(ADMIN_TOKEN)
            await owner.get_by_role("button", name="Log in").click()
            await owner.goto(base + "/admin/catalog")
            await expect(owner.locator("#p-evil-1")).to_contain_text(EVIL_TITLE)
            assert await owner.evaluate("window.pwned") is None
