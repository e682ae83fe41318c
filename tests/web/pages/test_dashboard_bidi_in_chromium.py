"""A customer's name in Arabic (or one carrying a right-to-left override) must not reorder the phone beside it."""

from __future__ import annotations

from playwright.async_api import expect

from tests.web.browser import chromium, needs_chromium
from tests.web.pages.web_shop import web_toml
from tests.web.test_in_chromium import admin_login

from .test_dashboard_owner import place

pytestmark = needs_chromium

#: The x of each character of the phone's text, left to right as drawn.
CHARACTER_XS = """node => {
  const text = node.firstChild, xs = [];
  for (let i = 0; i < text.length; i++) {
    const range = document.createRange();
    range.setStart(text, i); range.setEnd(text, i + 1);
    xs.push(range.getBoundingClientRect().x);
  }
  return xs;
}"""


async def test_the_phone_reads_left_to_right_after_any_name(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, chromium() as browser:  # type: ignore[operator]
        arabic = await place(h, "whatsapp:971501234567", contact_name="محمد", postal_code="00000")
        override = await place(h, "whatsapp:919812345678", contact_name="Ravi \u202e", postal_code="400050")
        page = await browser.new_page(viewport={"width": 1200, "height": 800})
        await admin_login(page, h.url("/").rstrip("/"))
        for number, phone in ((arabic, "+971501234567"), (override, "+919812345678")):
            shown = page.locator(f'tr[data-number="{number}"] .phone')
            await expect(shown).to_have_text(phone)
            xs = await shown.evaluate(CHARACTER_XS)
            assert xs == sorted(xs), f"{phone} is drawn out of order after its name: {xs}"
