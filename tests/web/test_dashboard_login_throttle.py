"""Wrong dashboard logins are slowed per account and address; nobody can keep the owner out.

Before, ten wrong tokens in a minute from one address refused the right token too, and behind a
reverse proxy every visitor shares the proxy's address: anyone could lock the owner out.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import structlog.testing

from chatshop.plugins.dashboard.routes import Dashboard
from chatshop.testing import ShopHarness

from .admin_client import csrf_of
from .conftest import ADMIN_TOKEN, WEB_TOML

BEHIND_PROXY = WEB_TOML.replace("[server]\n", '[server]\ntrusted_proxies = ["127.0.0.1"]\n', 1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def dashboard_of(h: ShopHarness) -> Dashboard:
    for route in h.client.app.router.routes():
        handler: Any = route.handler
        if route.method == "POST" and route.resource is not None and route.resource.canonical == "/admin/login":
            found = handler.__self__
            assert isinstance(found, Dashboard)
            return found
    raise AssertionError("no dashboard")


@pytest.fixture
async def proxied(make_shop: Any) -> AsyncIterator[ShopHarness]:
    async with make_shop(BEHIND_PROXY, terminal=False) as h:
        yield h


async def attempt(h: ShopHarness, token: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = await (await h.client.get("/admin/login", headers=headers)).text()
    resp = await h.client.post(
        "/admin/login", data={"token": token, "csrf": csrf_of(form)}, headers=headers, allow_redirects=False
    )
    return resp.status


async def test_the_right_token_gets_in_after_any_number_of_wrong_ones_from_the_same_address(web: ShopHarness) -> None:
    statuses = [await attempt(web, f"wrong-token-{i:04d}") for i in range(15)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    assert await attempt(web, ADMIN_TOKEN) == 303
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 200


async def test_behind_a_trusted_proxy_each_visitor_is_throttled_on_their_own(proxied: ShopHarness) -> None:
    for i in range(12):
        await attempt(proxied, f"guess-{i:04d}", forwarded_for="198.51.100.7")
    assert await attempt(proxied, "guess-more", forwarded_for="198.51.100.7") == 429
    assert await attempt(proxied, "a-typo-of-the-owner", forwarded_for="203.0.113.5") == 401  # not the guesser's wait
    # a client writing its own X-Forwarded-For before the proxy's gets no other bucket
    assert await attempt(proxied, "guess-x", forwarded_for="203.0.113.5, 198.51.100.7") == 429
    assert await attempt(proxied, ADMIN_TOKEN, forwarded_for="203.0.113.5") == 303


async def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(web: ShopHarness) -> None:
    statuses = [await attempt(web, f"guess-{i:04d}", forwarded_for=f"192.0.2.{i}") for i in range(11)]
    assert statuses[10] == 429  # one bucket: the peer's, whatever the header claims


async def test_the_wait_doubles_and_lapses_with_time(web: ShopHarness) -> None:
    clock = Clock()
    dashboard_of(web).throttle.clock = clock
    for i in range(10):
        assert await attempt(web, f"guess-{i:04d}") == 401
    waits = []
    for _ in range(4):
        form = await (await web.client.get("/admin/login")).text()
        resp = await web.client.post("/admin/login", data={"token": "guess", "csrf": csrf_of(form)})
        assert resp.status == 429
        waits.append(int(resp.headers["Retry-After"]))
    assert waits == sorted(waits) and waits[-1] > waits[0]
    clock.now += 3600  # long after the last wait
    assert await attempt(web, "guess-again") == 401


async def test_failed_logins_are_logged_with_a_masked_address(proxied: ShopHarness) -> None:
    with structlog.testing.capture_logs() as logs:
        await attempt(proxied, "not-the-token", forwarded_for="198.51.100.77")
        await attempt(proxied, ADMIN_TOKEN, forwarded_for="198.51.100.77")
    refused = [e for e in logs if e["event"] == "dashboard.login_refused"]
    assert refused and refused[0]["client"] == "198.51.100.x" and refused[0]["account"] == "admin"
    assert "198.51.100.77" not in json.dumps(logs, default=str)  # the login's own line (info) too
