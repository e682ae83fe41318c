"""The owner ships while the terminal customer is typing: the news appears above the prompt, the typing stays."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp

from .pty_chat import Terminal, demo_copy

TOKEN = "a-long-admin-token-for-the-demo-0123"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def ship(base: str, number: str) -> None:
    """What the owner does on the dashboard the same `chatshop chat` serves."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as owner:
        login = await (await owner.get(f"{base}/admin/login")).text()
        await owner.post(f"{base}/admin/login", data={"token": TOKEN, "csrf": _CSRF.findall(login)[0]})
        page = await (await owner.get(f"{base}/admin/orders/{number}")).text()
        moved = await owner.post(
            f"{base}/admin/orders/{number}/move", data={"status": "shipped", "csrf": _CSRF.findall(page)[0]}
        )
        assert moved.status == 200 and "now shipped" in await moved.text()


def test_news_arriving_while_typing_is_printed_above_the_prompt_and_the_typing_kept(tmp_path: Path) -> None:
    shop_toml = demo_copy(tmp_path)
    shop_toml.write_text(shop_toml.read_text() + '\n[admin]\ntoken_env = "QA_DEMO_ADMIN_TOKEN"\n')
    term = Terminal(shop_toml, env={"QA_DEMO_ADMIN_TOKEN": TOKEN})
    try:
        term.expect("you> ")
        base = re.findall(r"http://127\.0\.0\.1:\d+", term.screen)[0]
        for line in ("atta", "1", "1", "12 Hill Road, Bandra West, Mumbai 400050", "1"):
            term.type(line.encode() + b"\r")
            term.expect("you> ", term.screen.count("you> ") + 1)
        number = re.findall(r"order (\w{3}-\w{3}) is placed", term.screen)[0]
        term.type(b"vegeta")
        term.expect("you> vegeta")
        asyncio.run(ship(base, number))
        term.expect("on its way")
        after = term.screen.split("on its way", 1)[1]
        term.expect("you> vegeta", 2)  # the prompt is drawn again below the news, with what was typed
        term.type(b"bles\r")
        term.expect("you> ", term.screen.count("you> ") + 1)
        term.type(b"\x04")
        assert term.wait_exit() == 0
    finally:
        term.kill()
    assert "you> " not in after.split("\n", 1)[0]  # the news is on lines of its own, not after the prompt
    assert "for “vegetables”" in term.screen  # the line typed across the news reached the shop whole
