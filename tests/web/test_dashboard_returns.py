"""The dashboard's "Returned to us" on a shipped parcel that came back: owners only when it
refunds money, behind the form's CSRF field, audited, and the paid amount refunded by its method."""

from __future__ import annotations

from chatshop.money import Money
from chatshop.orders import OrderStatus
from chatshop.payments import PaymentConfig
from chatshop.plugins.dashboard.numbers import shop_numbers
from chatshop.testing import ShopHarness
from tests.conftest import ShopFactory
from tests.inbox.staff import INBOX_TOML, Staff, add_staff
from tests.staff.test_roles import placed_order

from .admin_client import csrf_of, login
from .test_dashboard_refund import CUSTOMER, FakeCard, paid_order


async def test_a_paid_parcel_marked_returned_is_refunded_and_audited(web: ShopHarness) -> None:
    await login(web)
    method = FakeCard(web.shop, PaymentConfig())
    number = await paid_order(web, method)
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="returned"' not in page  # not shipped yet: nothing can come back
    await web.shop.move_order(number, OrderStatus.SHIPPED)
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="returned"' in page and "Returned to us" in page
    forged = await web.client.post(f"/admin/orders/{number}/move", data={"status": "returned", "csrf": "forged"})
    assert forged.status == 403
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "returned", "csrf": csrf_of(page)}, allow_redirects=False
    )
    assert "done=returned" in resp.headers["Location"]
    assert method.refunds == [Money(24500, "INR")]
    order = await web.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.REFUNDED and order.refunded_amount == 24500
    (entry, *_) = await web.shop.store.audit_log(limit=5)
    assert entry.action == "order.returned"
    await web.shop.idle()
    texts = web.texts_to(CUSTOMER)
    assert any("came back to us undelivered" in text for text in texts) and "₹245.00" in texts[-1]


async def test_an_agent_may_take_back_a_cash_parcel_but_not_refund_a_paid_one(make_shop: ShopFactory) -> None:
    toml = INBOX_TOML.replace("[support]", 'agent_moves = ["shipped", "returned"]\n\n[support]')
    async with make_shop(toml) as h:
        await add_staff(h, "ravi")
        cash, paid = await placed_order(h, "asha"), await placed_order(h, "ravi")
        for number in (cash, paid):
            await h.shop.move_order(number, OrderStatus.SHIPPED)
        await h.shop.store.record_amounts(paid, paid_amount=27500, note="paid online")
        async with Staff(h, "ravi") as ravi:
            assert (await ravi.post(f"/admin/orders/{paid}/move", status="returned"))[0] == 403
            status, where = await ravi.post(f"/admin/orders/{cash}/move", status="returned")
            assert status == 303 and "done=returned" in where
        assert [(await h.shop.store.get_order(n)).status for n in (cash, paid)] == [  # type: ignore[union-attr]
            OrderStatus.RETURNED,
            OrderStatus.SHIPPED,
        ]
        (entry, *_) = await h.shop.store.audit_log()
        assert (entry.actor, entry.action, entry.subject) == ("ravi", "order.returned", cash)


async def test_numbers_count_a_returned_parcel_as_no_sale(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        kept, back = await placed_order(h, "asha"), await placed_order(h, "ravi")
        for number in (kept, back):
            await h.shop.move_order(number, OrderStatus.SHIPPED)
        await h.shop.move_order(back, OrderStatus.RETURNED)
        order = await h.shop.store.get_order(kept)
        assert order is not None
        numbers = await shop_numbers(h.shop, h.shop.now())
        assert (numbers.orders_week, numbers.returned_week) == (2, 1)
        assert numbers.revenue_week == order.total.format(h.shop.config.shop.locale)
