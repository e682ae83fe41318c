"""OWASP ASVS basics of the dashboard: HSTS over https, an idle timeout, a Permissions-Policy."""

from __future__ import annotations

from typing import Any

from chatshop.testing import ShopHarness

from .admin_client import login
from .conftest import WEB_TOML
from .test_dashboard_login_throttle import Clock, dashboard_of

HTTPS = WEB_TOML.replace("[server]\n", '[server]\npublic_url = "https://shop.example.com"\n', 1)
IDLE_10 = WEB_TOML.replace("[admin]\n", "[admin]\nsession_idle_minutes = 10\n", 1)


async def test_every_dashboard_page_forbids_powerful_features(web: ShopHarness) -> None:
    answers = [await web.client.get("/admin/login")]
    await login(web)
    for path in ("/admin/orders", "/admin/orders/rows", "/admin/catalog", "/admin/numbers"):
        answers.append(await web.client.get(path))
    for answer in answers:
        policy = answer.headers.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, (answer.url.path, feature)
        assert "Strict-Transport-Security" not in answer.headers  # plain http: HSTS means nothing here


async def test_a_shop_served_over_https_sends_hsts(make_shop: Any) -> None:
    async with make_shop(HTTPS, terminal=False) as h:
        answer = await h.client.get("/admin/login")
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


async def test_an_idle_session_ends_and_a_used_one_lives_on(make_shop: Any) -> None:
    async with make_shop(IDLE_10, terminal=False) as h:
        clock = Clock()
        dashboard_of(h).sessions.clock = clock
        assert await login(h) == 303
        for _ in range(3):  # used every 8 minutes: 24 minutes in all, never idle for 10
            clock.now += 8 * 60
            assert (await h.client.get("/admin/orders", allow_redirects=False)).status == 200
        clock.now += 11 * 60
        answer = await h.client.get("/admin/orders", allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"] == "/admin/login"
        assert await login(h) == 303  # and logging in again works
        assert (await h.client.get("/admin/orders", allow_redirects=False)).status == 200


async def test_the_default_idle_timeout_is_thirty_minutes(web: ShopHarness) -> None:
    clock = Clock()
    dashboard_of(web).sessions.clock = clock
    await login(web)
    clock.now += 29 * 60
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 200
    clock.now += 31 * 60
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 303


async def test_a_dashboard_left_open_ends_though_its_page_keeps_refreshing(make_shop: Any) -> None:
    """The orders table, the inbox list and a transcript refresh themselves every 2 seconds: that is
    the page, not the person, so it never counts as use (a dashboard left open on a shared computer)."""
    async with make_shop(IDLE_10, terminal=False) as h:
        clock = Clock()
        dashboard_of(h).sessions.clock = clock
        assert await login(h) == 303
        polls = ("/admin/orders/rows", "/admin/inbox/rows", "/admin/inbox/transcript?customer=webchat:x")
        for _ in range(3):  # nobody clicked for 9 minutes; the open pages went on asking
            clock.now += 3 * 60
            for path in polls:
                assert (await h.client.get(path, allow_redirects=False)).status == 200, path
        clock.now += 3 * 60
        answer = await h.client.get("/admin/orders", allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"] == "/admin/login"
        for path in polls:  # and the open pages hear that the session ended
            answer = await h.client.get(path, allow_redirects=False)
            assert answer.status == 303 and answer.headers["Location"] == "/admin/login", path
