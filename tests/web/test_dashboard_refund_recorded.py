"""The order page of a delivered cash order: no Refund button (no provider can send cash back), a
form to record the UPI or bank transfer the owner sent instead; owners only, audited, once."""

from __future__ import annotations

from chatshop.orders import OrderStatus
from tests.conftest import ShopFactory
from tests.inbox.staff import INBOX_TOML, Staff, add_staff
from tests.staff.test_roles import placed_order


async def test_the_owner_records_a_transfer_once_and_an_agent_cannot(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "ravi")
        await add_staff(h, "meera", "owner")
        number = await placed_order(h)
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(number, status)
        order = await h.shop.store.get_order(number)
        assert order is not None and order.paid_amount == order.total.minor > 0
        async with Staff(h, "ravi") as ravi:
            _, page = await ravi.get(f"/admin/orders/{number}")
            assert 'id="refund-form"' not in page
            assert (await ravi.post(f"/admin/orders/{number}/refund", amount="10", reference="UTR1"))[0] == 403
        async with Staff(h, "meera") as meera:
            _, page = await meera.get(f"/admin/orders/{number}")
            assert 'id="refund-form"' in page and 'data-status="refunded"' not in page
            status, where = await meera.post(f"/admin/orders/{number}/refund", amount="10.00", reference="UTR1")
            assert status == 303 and "done=delivered" in where
            status, where = await meera.post(f"/admin/orders/{number}/refund", amount="10.00", reference="UTR1")
            assert status == 303 and "error" not in where  # a double click: recorded once
            status, where = await meera.post(f"/admin/orders/{number}/refund", amount="10,00", reference="UTR2")
            assert status == 303 and "error=" in where
        order = await h.shop.store.get_order(number)
        assert order is not None and order.refunded_amount == 1000 and order.status is OrderStatus.DELIVERED
        (entry, *_) = await h.shop.store.audit_log()
        assert (entry.actor, entry.action, entry.subject, entry.detail) == (
            "meera",
            "order.refund_recorded",
            number,
            "10.00 INR ref UTR1",
        )
