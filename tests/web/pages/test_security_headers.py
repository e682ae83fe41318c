"""Every page of the chat and the dashboard carries its security headers, and no page runs inline script."""

from __future__ import annotations

from tests.web.admin_client import login
from tests.web.pages.web_shop import Browser, web_toml


async def test_chat_and_dashboard_pages_forbid_sniffing_framing_and_inline_script(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h, Browser.opened(h) as browser:  # type: ignore[operator]
        answers = [await browser.get("/chat"), await browser.get("/chat/preview?as=whatsapp")]
        answers.append(await h.client.get("/admin/login"))
        await login(h)
        for path in ("/admin/orders", "/admin/orders/rows", "/admin/catalog", "/admin/numbers"):
            answers.append(await h.client.get(path, allow_redirects=False))
        for answer in answers:
            where = answer.url.path
            assert answer.status == 200, where
            assert answer.headers.get("X-Content-Type-Options") == "nosniff", where
            assert answer.headers.get("Cache-Control") == "no-store", where
            if answer.content_type == "text/html":
                policy = answer.headers["Content-Security-Policy"]
                assert "script-src 'self'" in policy and "unsafe-inline" not in policy, where
                assert "frame-ancestors" in policy, where
