"""A cookie or form field holding bytes that are not UTF-8 is a stranger's, never a server error.

The chat and the dashboard read signed cookies; a forged one with a byte such as ``\\xe9`` reached
the signature check as a lone surrogate, which ``str.encode`` refused with a 500.
"""

from __future__ import annotations

import pytest

from chatshop.testing import ShopHarness
from tests.raw_http import raw_request

ODD = [b"\xe9", b"abc.\xe9\x80", b"\xff\xfe.sig", b"eyJj.\xc3"]


def _base(h: ShopHarness) -> str:
    return h.url("/").rstrip("/")


@pytest.mark.parametrize("value", ODD)
async def test_the_chat_page_starts_a_new_customer_for_an_undecodable_cookie(web: ShopHarness, value: bytes) -> None:
    status, _ = await raw_request(_base(web), "GET", b"/chat", {b"Cookie": b"chatshop_chat=" + value})
    assert status == 200


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("cookie", [b"chatshop_admin", b"chatshop_admin_login"])
async def test_the_dashboard_sends_an_undecodable_cookie_to_the_login(
    web: ShopHarness, value: bytes, cookie: bytes
) -> None:
    status, _ = await raw_request(_base(web), "GET", b"/admin/orders", {b"Cookie": cookie + b"=" + value})
    assert status == 303
    status, _ = await raw_request(_base(web), "GET", b"/admin/login", {b"Cookie": cookie + b"=" + value})
    assert status == 200
