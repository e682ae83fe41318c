"""The issue's journey in a real headless Chromium against the WhatsApp fake: a customer asks for a
person mid-checkout and the bot stops answering; an agent logged in with their own account sees the
conversation appear live, replies, and the reply reaches the fake Graph API; the customer's next
messages reach the inbox, not the bot; "Back to bot" restores the shopping dialog with the cart.

Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect

from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.web.browser import chromium, needs_chromium
from tests.web.conftest import shot_path
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.shops import graph_url, whatsapp_shop

from .staff import PASSWORD, add_staff
from .test_whatsapp_window import CATALOG, WA_ID, toml

pytestmark = needs_chromium


async def staff_login(page: Page, base: str, name: str) -> None:
    await page.goto(base + "/admin/login")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator("#who")).to_contain_text(f"{name} · agent")


async def test_an_agent_takes_a_whatsapp_customer_mid_checkout_and_gives_them_back(
    tmp_path: Path, fake: FakeGraph, graph: TestServer
) -> None:
    async with whatsapp_shop(toml(graph_url(graph)), tmp_path, CATALOG) as h:
        await add_staff(h, "anna")
        base = h.url("/").rstrip("/")
        asha = Customer(h, fake, WA_ID, "Asha")
        async with chromium() as browser:
            page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
            await staff_login(page, base, "anna")
            await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
            await expect(page.locator("#rows")).to_contain_text("Nobody is waiting for a person.")

            # The customer shops on WhatsApp and, at the address question, asks for a person.
            await asha.say("atta")
            await asha.tap(lambda choice: choice.startswith("add:atta-5kg"))
            asked = await asha.tap("checkout")
            assert "Where should we deliver?" in text_of(asked[-1])
            told = await asha.say("agent")
            assert "I've asked a person from Kirana Corner" in text_of(told[-1])
            assert await asha.say("Is the atta fresh?") == []  # the bot stays silent

            # The waiting conversation appears on the open inbox page, without a reload.
            row = page.locator("#rows tr[data-number='whatsapp:919812345678']")
            await expect(row).to_contain_text("Asha")
            await expect(page.locator("#live")).to_have_text("New conversation waiting")
            await page.screenshot(path=shot_path("inbox-waiting"))
            await row.get_by_role("link").click()

            transcript = page.locator("#transcript")
            await expect(transcript).to_contain_text("Is the atta fresh?")
            await expect(page.locator("#cart")).to_contain_text("Aashirvaad Atta 5 kg")
            await page.get_by_label("Reply as anna").fill("Yes! Milled on Monday.")
            await page.get_by_role("button", name="Send", exact=True).click()
            await expect(page.get_by_role("status")).to_have_text("Sent.")
            await expect(page.locator("#holder")).to_have_text("anna")
            reply = asha.new()
            assert [(s.type, text_of(s)) for s in reply] == [("text", "Yes! Milled on Monday.")]

            # The customer's next message reaches the inbox (live), not the bot.
            assert await asha.say("Great, and delivery tomorrow?") == []
            await expect(transcript).to_contain_text("Great, and delivery tomorrow?")
            await expect(transcript.locator(".line.shop").last).to_contain_text("anna")
            await page.screenshot(path=shot_path("inbox-conversation"))

            # Back to the bot: the checkout goes on where it was, the cart intact.
            await page.get_by_role("button", name="Back to bot").click()
            await expect(page.get_by_role("status")).to_contain_text("The assistant answers this customer again.")
            await h.shop.idle()
            back = [text_of(s) for s in asha.new()]
            assert back[0].startswith("You're back with the Kirana Corner assistant.\n\n")  # one message
            assert "Where should we deliver?" in back[-1]
            summary = await asha.say("12 Hill Road, Bandra West, Mumbai 400050")
            assert re.search(r"Aashirvaad Atta 5 kg", " ".join(text_of(s) for s in summary))
            await page.goto(base + "/admin/inbox")
            await expect(page.locator("#rows")).to_contain_text("Nobody is waiting for a person.")
            # The shop's numbers are the owner's: the server refuses an agent.
            response = await page.goto(base + "/admin/numbers")
            assert response is not None and response.status == 403
