"""Headless Chromium for the web tests: Debian's chromium driven by Playwright (never ``playwright install``)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS

try:
    from playwright.async_api import Browser, async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None  # type: ignore[assignment]

needs_chromium = pytest.mark.skipif(
    async_playwright is None or not os.path.exists(CHROMIUM),
    reason=f"needs Playwright for Python and Chromium at {CHROMIUM} (apt-get install chromium)",
)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
