"""Log in to the dashboard the way the form does, for tests."""

from __future__ import annotations

import re

from chatshop.testing import ShopHarness

from .conftest import ADMIN_TOKEN

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def login(h: ShopHarness, token: str = ADMIN_TOKEN) -> int:
    form = await (await h.client.get("/admin/login")).text()
    resp = await h.client.post("/admin/login", data={"token": token, "csrf": csrf_of(form)}, allow_redirects=False)
    return resp.status


async def page_csrf(h: ShopHarness, path: str) -> str:
    resp = await h.client.get(path)
    assert resp.status == 200, path
    return csrf_of(await resp.text())
