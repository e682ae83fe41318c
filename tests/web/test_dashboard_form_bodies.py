"""Form bodies no browser sends (bytes that are not UTF-8, an unknown charset, broken multipart) are
a 400 at the login and at every dashboard form, never a server error, and change nothing."""

from __future__ import annotations

from chatshop.testing import ShopHarness

from .admin_client import csrf_of, login, page_csrf

FORM = "application/x-www-form-urlencoded"
#: (content type, body) pairs a browser never sends; ``CSRF`` is replaced by the page's token.
BROKEN = [
    (FORM, b"csrf=CSRF&token=\xff\xfe&status=\xff"),  # raw bytes that are not UTF-8
    (f"{FORM}; charset=klingon", b"csrf=CSRF&status=cancelled"),  # a charset nobody knows
    ("multipart/form-data", b"--x\r\ncsrf\r\n"),  # multipart without its boundary
    ("multipart/form-data; boundary=x", b"--x\r\nbroken\r\n\r\nCSRF\r\n--x--\r\n"),  # a part's headers broken
]


async def test_a_login_form_no_browser_sends_is_a_bad_request(web: ShopHarness) -> None:
    csrf = csrf_of(await (await web.client.get("/admin/login")).text())
    for content_type, body in BROKEN:
        answer = await web.client.post(
            "/admin/login",
            data=body.replace(b"CSRF", csrf.encode()),
            headers={"Content-Type": content_type},
            allow_redirects=False,
        )
        assert answer.status == 400, content_type
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 303  # nobody logged in


async def test_a_dashboard_form_no_browser_sends_is_a_bad_request(web: ShopHarness) -> None:
    assert await login(web) == 303
    csrf = await page_csrf(web, "/admin/catalog")
    for path in ("/admin/catalog/atta-5kg", "/admin/inbox/reply", "/admin/logout"):
        for content_type, body in BROKEN:
            answer = await web.client.post(
                path,
                data=body.replace(b"CSRF", csrf.encode()),
                headers={"Content-Type": content_type},
                allow_redirects=False,
            )
            assert answer.status == 400, (path, content_type)
    assert (await web.client.get("/admin/orders", allow_redirects=False)).status == 200  # still logged in
    assert [entry.action for entry in await web.shop.store.audit_log()] == ["login"]  # nothing else done
