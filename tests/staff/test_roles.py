"""Roles on the server: an agent answers customers and makes the order moves the shop allows
agents; catalog, prices, numbers, the audit log and refunds are the owner's (403, nothing changed).
Named staff log in with their own password; the ``[admin]`` token still logs in the first owner;
removing an account or changing its password ends its sessions at once."""

from __future__ import annotations

import json

import pytest
import structlog

import chatshop.plugins.dashboard.routes as routes_module
import chatshop.staff as staff_module
from chatshop.orders import OrderStatus, Shipment
from chatshop.plugins.dashboard.routes import Dashboard
from chatshop.staff import new_account, new_session_key
from chatshop.testing import ShopHarness
from tests.conftest import ShopFactory
from tests.inbox.staff import ADMIN_TOKEN, INBOX_TOML, PASSWORD, Staff, add_staff
from tests.web.admin_client import csrf_of


async def placed_order(h: ShopHarness, customer: str = "asha") -> str:
    await h.say(customer, "atta")
    await h.say(customer, "1")
    await h.say(customer, "checkout")
    await h.say(customer, "12 Hill Road, Bandra West, Mumbai 400050")
    assert "is placed" in await h.say(customer, "1")
    (order,) = await h.shop.store.list_orders(customer_key=f"terminal:{customer}")
    return order.number


async def test_an_agents_attempt_to_change_a_price_is_refused_and_changes_nothing(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        async with Staff(h, "ravi") as ravi:
            status, text = await ravi.post("/admin/catalog/atta-5kg", price="1.00", price_was="245.00")
            assert status == 403 and "owner" in text
            status, _ = await ravi.post("/admin/catalog/atta-5kg", action="off")
            assert status == 403
            status, page = await ravi.get("/admin/numbers")
            assert status == 403 and "This page is for the shop's owners" in page
            assert (await ravi.get("/admin/audit"))[0] == 403
        (view,) = await h.shop.product_views([h.shop.catalog.get("atta-5kg")])  # type: ignore[list-item]
        assert view.price.minor == 24500 and view.active
        assert [e.action for e in await h.shop.store.audit_log()] == ["login"]


async def test_an_agent_makes_only_the_moves_the_shop_allows_agents(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        number = await placed_order(h)
        async with Staff(h, "ravi") as ravi:
            _, page = await ravi.get(f"/admin/orders/{number}")
            assert 'data-status="confirmed"' in page and 'data-status="cancelled"' not in page
            assert (await ravi.post(f"/admin/orders/{number}/move", status="cancelled"))[0] == 403
            order = await h.shop.store.get_order(number)
            assert order is not None and order.status is OrderStatus.COD_PENDING
            status, where = await ravi.post(f"/admin/orders/{number}/move", status="confirmed")
            assert status == 303 and "done=confirmed" in where
            (entry, *_) = await h.shop.store.audit_log()
            assert (entry.actor, entry.action, entry.subject) == ("ravi", "order.confirmed", number)


async def test_the_shop_chooses_the_agents_moves(make_shop: ShopFactory) -> None:
    toml = INBOX_TOML.replace("[support]", 'agent_moves = ["cancelled"]\n\n[support]')
    async with make_shop(toml) as h:
        await add_staff(h, "ravi")
        number = await placed_order(h)
        async with Staff(h, "ravi") as ravi:
            assert (await ravi.post(f"/admin/orders/{number}/move", status="confirmed"))[0] == 403
            assert (await ravi.post(f"/admin/orders/{number}/move", status="cancelled"))[0] == 303
        order = await h.shop.store.get_order(number)
        assert order is not None and order.status is OrderStatus.CANCELLED


async def test_an_agent_corrects_tracking_only_where_the_shop_lets_agents_ship(make_shop: ShopFactory) -> None:
    """Tracking belongs to the shipping move: an agent of a shop whose agents may not ship could
    still rewrite a parcel's carrier and number (and the customer was told the wrong ones)."""
    toml = INBOX_TOML.replace("[support]", 'agent_moves = ["confirmed"]\n\n[support]')
    async with make_shop(toml) as h:
        await add_staff(h, "ravi")
        number = await placed_order(h)
        await h.shop.move_order(number, OrderStatus.CONFIRMED)
        await h.shop.ship_order(number, Shipment.parse("Delhivery", "DL123456", None))
        async with Staff(h, "ravi") as ravi:
            _, page = await ravi.get(f"/admin/orders/{number}")
            assert "DL123456" in page and 'id="tracking-form"' not in page
            status, text = await ravi.post(f"/admin/orders/{number}/tracking", carrier="Fake", tracking_number="X1")
            assert status == 403 and "owner" in text
        order = await h.shop.store.get_order(number)
        assert order is not None and order.shipment is not None and order.shipment.tracking_number == "DL123456"
        assert [e.action for e in await h.shop.store.audit_log()] == ["login"]
    async with make_shop(INBOX_TOML) as h:  # the default: agents ship, so they correct tracking too
        await add_staff(h, "ravi")
        number = await placed_order(h)
        await h.shop.move_order(number, OrderStatus.CONFIRMED)
        await h.shop.ship_order(number, Shipment.parse("Delhivery", "DL123456", None))
        async with Staff(h, "ravi") as ravi:
            assert 'id="tracking-form"' in (await ravi.get(f"/admin/orders/{number}"))[1]
            status, _ = await ravi.post(f"/admin/orders/{number}/tracking", carrier="Delhivery", tracking_number="DL7")
            assert status == 303
        order = await h.shop.store.get_order(number)
        assert order is not None and order.shipment is not None and order.shipment.tracking_number == "DL7"


async def test_an_owner_account_may_do_everything_and_it_is_audited(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "meera", "owner")
        async with Staff(h, "meera") as meera:
            _, page = await meera.get("/admin/catalog")
            assert "Aashirvaad Atta 5 kg" in page
            status, _ = await meera.post("/admin/catalog/atta-5kg", price="250.00", price_was="245.00", stock="40")
            assert status == 303
            status, page = await meera.get("/admin/audit")
            assert status == 200 and "product.price" in page and "meera" in page
        (view,) = await h.shop.product_views([h.shop.catalog.get("atta-5kg")])  # type: ignore[list-item]
        assert view.price.minor == 25000
        (entry, *_) = await h.shop.store.audit_log()
        assert (entry.actor, entry.action, entry.subject, entry.detail) == (
            "meera",
            "product.price",
            "atta-5kg",
            "₹245.00 -> ₹250.00",
        )


async def test_a_wrong_password_or_name_is_refused_alike(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        for name, password in (("ravi", "not the password"), ("nobody", PASSWORD), ("<b>x</b>", "y" * 300)):
            staff = Staff(h, name, password)
            try:
                status, _ = await staff.login()
                assert status == 401
                _, page = await staff.get("/admin/login")
                assert (await staff.get("/admin/inbox"))[1] == page  # still at the login
            finally:
                await staff.http.close()


async def test_the_token_still_logs_in_the_first_owner(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        form = await (await h.client.get("/admin/login")).text()
        resp = await h.client.post(
            "/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(form)}, allow_redirects=False
        )
        assert resp.status == 303 and resp.headers["Location"] == "/admin/orders"
        page = await (await h.client.get("/admin/audit")).text()
        assert "owner (token)" in page and "login" in page


async def test_removing_an_account_or_changing_its_password_ends_its_sessions(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        await add_staff(h, "anna")
        async with Staff(h, "ravi") as ravi, Staff(h, "anna") as anna:
            assert (await ravi.get("/admin/inbox"))[0] == 200
            assert await h.shop.store.remove_staff("ravi")
            _, page = await ravi.get("/admin/inbox")
            assert "Log in" in page and "Inbox</h1>" not in page
            assert (await ravi.post("/admin/inbox/reply", customer="terminal:asha", text="hi"))[0] == 303
            # The same name again, a new account: the old cookie is not its session.
            await h.shop.store.add_staff(new_account("ravi", "owner", PASSWORD))
            assert "Inbox</h1>" not in (await ravi.get("/admin/inbox"))[1]
            assert await h.shop.store.set_staff_password("anna", "$argon2id$x", new_session_key())
            assert "Inbox</h1>" not in (await anna.get("/admin/inbox"))[1]


async def test_an_agent_reads_the_catalog_without_its_forms(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        async with Staff(h, "ravi") as ravi:
            status, page = await ravi.get("/admin/catalog")
            assert status == 200 and "Aashirvaad Atta 5 kg" in page and "₹245.00" in page
            assert 'action="/admin/catalog/' not in page and "the owner's to change" in page


async def test_wrong_passwords_are_throttled_per_account_and_cost_no_hash_while_waiting(
    make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        await add_staff(h, "anna")
        guesser = Staff(h, "ravi", "not the password")
        try:
            for _ in range(10):
                assert (await guesser.login())[0] == 401
            hashed: list[str] = []
            real = staff_module.verify_password
            monkeypatch.setattr(
                routes_module, "verify_password", lambda account, pw: hashed.append(pw) or real(account, pw)
            )
            assert (await guesser.login())[0] == 429
            guesser.password = PASSWORD
            assert (await guesser.login())[0] == 429  # not even checked while the wait runs
            assert hashed == []
        finally:
            await guesser.http.close()
        async with Staff(h, "anna") as anna:  # another account from the same address is not slowed
            assert (await anna.get("/admin/inbox"))[0] == 200


async def test_made_up_names_from_one_address_cost_a_bounded_number_of_hashes(
    make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each wrong login is an Argon2 hash (an unknown name's as a known one's, so time tells no
    name); a new made-up name per attempt was a new (account, address) pair each time, so one
    address could make the shop hash without end. Past the address's allowance, no staff login
    from it is hashed until its wait is over, whatever the name; the owner's token still gets in."""
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        dashboard = dashboard_of(h)
        dashboard.throttle.address_free_attempts = 4  # the shop's allowance is larger; four say the same
        hashed: list[str] = []
        real = staff_module.verify_password
        monkeypatch.setattr(
            routes_module, "verify_password", lambda account, pw: hashed.append(pw) or real(account, pw)
        )
        browser = Staff(h, "nobody-0", "a guess of a password")
        try:
            statuses = []
            for i in range(8):
                browser.name = f"nobody-{i}"
                statuses.append((await browser.login())[0])
            assert statuses == [401] * 4 + [429] * 4 and len(hashed) == 4
            browser.name, browser.password = "ravi", PASSWORD
            assert (await browser.login())[0] == 429  # a known name is answered alike: no name is told
            assert len(hashed) == 4
        finally:
            await browser.http.close()
        form = await (await h.client.get("/admin/login")).text()
        token = await h.client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(form)})
        assert token.status == 200 and "/admin/orders" in str(token.url)  # no hash, never held


def dashboard_of(h: ShopHarness) -> Dashboard:
    for route in h.client.app.router.routes():
        found = getattr(route.handler, "__self__", None)
        if isinstance(found, Dashboard):
            return found
    raise AssertionError("no dashboard")


async def test_a_password_or_token_typed_in_the_name_field_is_never_logged(make_shop: ShopFactory) -> None:
    """A refused login names the account it tried in the log, but only an account that exists: a
    password (or the owner's token) typed into the name field reads like a name, and stays unwritten."""
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        typed_as_names = [PASSWORD, "Kx9-q2Lr_7vTn0aZ3bYw8e1Hc4mUs6dP", ADMIN_TOKEN]
        with structlog.testing.capture_logs() as logs:
            for name, password in [*((typed, "whatever it is") for typed in typed_as_names), ("ravi", "wrong one")]:
                browser = Staff(h, name, password)
                try:
                    assert (await browser.login())[0] == 401
                finally:
                    await browser.http.close()
        refused = [e["account"] for e in logs if e["event"] == "dashboard.login_refused"]
        assert refused == ["staff:?", "staff:?", "staff:?", "staff:ravi"]  # the real account is still named
        for typed in typed_as_names:
            assert typed not in json.dumps(logs, default=str)
