"""A catalog file with markup in every column, and a customer typing markup, through a whole purchase:
every list, card, summary and status in the chat and on the dashboard shows it as text."""

from __future__ import annotations

import csv
import io

from playwright.async_api import Page, expect

from tests.web.browser import chromium, needs_chromium
from tests.web.conftest import ADMIN_TOKEN
from tests.web.pages.web_shop import web_toml

pytestmark = needs_chromium

TRAP = "<img src=x onerror=window.pwned=1>"
TITLE = f"Chai {TRAP}"
ADDRESS = 'Flat 4 "><svg onload=window.pwned=2>, Bandra West, Mumbai 400050'


def catalog_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "price", "category", "stock", "description", "image_url"])
    writer.writerow(["chai-1", TITLE, "145.00", "Tea <b onmouseover=window.pwned=3>", "", f"{TRAP} strong", ""])
    writer.writerow(
        [
            "chai-2",
            "Chai two </script><script>window.pwned=4</script>",
            "99.00",
            "Tea <b onmouseover=window.pwned=3>",
            "",
            "x",
            "javascript:window.pwned=5",
        ]
    )
    return out.getvalue()


async def untouched(page: Page) -> None:
    assert await page.evaluate("window.pwned") is None
    # No element the texts could have made: no images but pictures, no svg, no bold, no script in the body.
    assert await page.locator("main svg, main b, main script, .log img:not(.picture)").count() == 0


async def test_markup_in_every_catalog_column_and_in_the_address_stays_text(make_shop: object) -> None:
    toml = web_toml().replace("[channels.webchat]", '[catalog]\nfile = "catalog.csv"\n\n[channels.webchat]')
    toml = toml.split("[[catalog.products]]")[0]  # the file's products only
    async with make_shop(toml, terminal=False, files={"catalog.csv": catalog_csv()}) as h, chromium() as browser:  # type: ignore[operator]
        page = await browser.new_page(viewport={"width": 420, "height": 900})
        await page.goto(h.url("/chat"))
        last = page.locator(".entry.shop").last
        await expect(last).to_contain_text("Welcome")
        await page.get_by_role("button", name="Browse catalog").click()
        await expect(last).to_contain_text("Tea <b onmouseover=window.pwned=3>")  # its only category, opened
        await expect(last).to_contain_text(TITLE)
        await page.get_by_role("button", name=TITLE).last.click()
        await expect(page.locator(".bubble.card").last).to_contain_text(f"{TRAP} strong")
        await page.get_by_role("button", name="Add to cart").last.click()
        await page.get_by_role("button", name="Checkout").last.click()
        await expect(last).to_contain_text("Where should we deliver?")
        await page.get_by_label("Message").fill(ADDRESS)
        await page.get_by_label("Message").press("Enter")
        await expect(last).to_contain_text(ADDRESS)
        await page.get_by_role("button", name="Confirm order").last.click()
        await expect(last).to_contain_text("is placed")
        await untouched(page)

        (order,) = await h.shop.store.list_orders()
        owner = await browser.new_page()
        await owner.goto(h.url("/admin/login"))
        await owner.get_by_label("Admin token").fill(ADMIN_TOKEN)
        await owner.get_by_role("button", name="Log in").click()
        await owner.goto(h.url(f"/admin/orders/{order.number}"))
        await expect(owner.locator("#contact-address")).to_have_text(ADDRESS)
        await expect(owner.locator(".lines")).to_contain_text(TITLE)
        await owner.get_by_role("button", name="Ship").click()
        await expect(page.locator(".bubble.kind-order_status").last).to_contain_text(order.number)
        await untouched(page)
        assert await owner.evaluate("window.pwned") is None
        await owner.goto(h.url("/admin/catalog"))
        await expect(owner.locator("#p-chai-1")).to_contain_text(TITLE)
        assert await owner.evaluate("window.pwned") is None
