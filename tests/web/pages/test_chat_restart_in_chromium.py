"""An open chat tab while its shop restarts: it comes back by itself, and nothing is lost or shown twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.web.browser import chromium, needs_chromium
from tests.web.pages.web_shop import web_toml

from .restartable import free_port, shop_on

pytestmark = needs_chromium

SECRET_ENV = "CHATSHOP_QA_WEBCHAT_SECRET"
#: A restarted shop is found again within the page's backoff (0.5 s, 1 s, 2 s ...): a deadline only.
BACK = 20_000


async def seqs(page: Page) -> list[str]:
    return [s or "" for s in await page.locator(".entry").evaluate_all("ns => ns.map(n => n.dataset.seq)")]


async def test_a_message_typed_while_the_shop_restarts_is_answered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "a-secret-that-survives-restarts")
    toml = web_toml(f'session_secret_env = "{SECRET_ENV}"')
    port = free_port()
    async with chromium() as browser:
        page = await browser.new_page()
        async with shop_on(tmp_path / "shop", toml, port):
            await page.goto(f"http://127.0.0.1:{port}/chat")
            await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
        await expect(page.locator("#status")).to_have_text("reconnecting…")
        await page.get_by_label("Message").fill("atta")
        await page.get_by_label("Message").press("Enter")
        # The message shows at once, as waiting to go (nothing showed: the customer typed it again).
        await expect(page.locator(".entry.customer.pending")).to_have_text("atta")
        async with shop_on(tmp_path / "shop", toml, port):
            await expect(page.locator(".bubble.card")).to_have_count(1, timeout=BACK)
            await expect(page.locator(".pending")).to_have_count(0)
            await expect(page.locator("#status")).to_have_text("online")
            await expect(page.locator(".entry.customer")).to_have_text(["hi", "atta"])
            await expect(page.locator(".entry.shop").filter(has_text="Welcome")).to_have_count(1)
            shown = await seqs(page)
            assert len(shown) == len(set(shown))
            await page.reload()
            await expect(page.locator(".bubble.card")).to_have_count(1)
            assert await seqs(page) == shown


async def test_a_tab_whose_cookie_a_restart_voided_starts_over_by_itself(tmp_path: Path) -> None:
    """Without session_secret_env each start signs with a new secret: the open tab's cookie is void.

    The tab kept knocking with it ('reconnecting…' for ever, the typed message never sent) and, given a
    new cookie, dropped every message of the new conversation as already seen.
    """
    port = free_port()
    async with chromium() as browser:
        page = await browser.new_page()
        async with shop_on(tmp_path / "shop", web_toml(), port):
            await page.goto(f"http://127.0.0.1:{port}/chat")
            await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
            await page.get_by_role("button", name="Browse catalog").click()
            await expect(page.locator(".entry.shop")).to_have_count(2)
        async with shop_on(tmp_path / "shop", web_toml(), port):
            await expect(page.locator("#status")).to_have_text("online", timeout=BACK)
            await expect(page.locator(".entry.shop").first).to_contain_text("Welcome")
            await page.get_by_label("Message").fill("atta")
            await page.get_by_label("Message").press("Enter")
            await expect(page.locator(".bubble.card")).to_have_count(1)
            shown = await seqs(page)
            assert len(shown) == len(set(shown))
