"""Staff members at the dashboard for tests: each with an account and a cookie jar of their own,
using the pages as the browser does (forms, CSRF tokens, redirects)."""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any

import aiohttp

from chatshop.staff import new_account
from chatshop.testing import ShopHarness
from tests.conftest import SHOP_TOML

ADMIN_TOKEN = "kirana-admin-token-0123456789"
ADMIN_ENV = "CHATSHOP_TEST_ADMIN_TOKEN"
PASSWORD = "correct horse battery"

INBOX_TOML = (
    SHOP_TOML
    + f"""
[admin]
token_env = "{ADMIN_ENV}"

[support]
idle_minutes = 60
"""
)

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def add_staff(h: ShopHarness, name: str, role: str = "agent") -> None:
    assert await h.shop.store.add_staff(new_account(name, role, PASSWORD))


class Staff:
    """One person's browser: ``async with Staff(h, "anna") as anna: await anna.post(...)``."""

    def __init__(self, h: ShopHarness, name: str, password: str = PASSWORD) -> None:
        self.h, self.name, self.password = h, name, password
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def __aenter__(self) -> Staff:
        status, _ = await self.login()
        assert status == 303, f"{self.name} could not log in"
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.http.close()

    async def login(self) -> tuple[int, str]:
        _, page = await self.get("/admin/login")
        data = {"name": self.name, "password": self.password, "csrf": _csrf(page)}
        async with self.http.post(self.h.url("/admin/login"), data=data, allow_redirects=False) as r:
            where = r.headers.get("Location", "")
            if r.status == 303:
                _, page = await self.get("/admin/inbox")
                self.csrf = _csrf(page)
            return r.status, where

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.h.url(path)) as r:
            return r.status, await r.text()

    async def post(self, path: str, **fields: Any) -> tuple[int, str]:
        """POST a form as the page would (with the session's CSRF token); (status, where it led or its text)."""
        data = {"csrf": self.csrf, **{k: str(v) for k, v in fields.items()}}
        async with self.http.post(self.h.url(path), data=data, allow_redirects=False) as r:
            return r.status, r.headers.get("Location", "") or await r.text()

    async def conversation(self, customer: str) -> str:
        status, page = await self.get("/admin/inbox/chat?" + _query(customer))
        assert status == 200, status
        return page


def _csrf(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _query(customer: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"customer": customer})
