"""A paid online order: the dashboard offers no "paid" button, and its refund goes through the method."""

from __future__ import annotations

from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number
from chatshop.payments import (
    PaymentConfig,
    PaymentError,
    PaymentEvent,
    PaymentEventKind,
    PaymentMethod,
    PaymentStart,
    RefundResult,
)
from chatshop.testing import ShopHarness

from .admin_client import csrf_of, login

CUSTOMER = "webchat:refund-customer"


class FakeCard(PaymentMethod):
    name = "fakecard"

    def __init__(self, *args: object, fail: bool = False) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.fail = fail
        self.refunds: list[Money] = []

    async def start(self, order: Order) -> PaymentStart:
        return PaymentStart()

    async def refund(self, order: Order, amount: Money) -> RefundResult:
        if self.fail:
            raise PaymentError("provider says no")
        self.refunds.append(amount)
        return RefundResult(refund_id=f"rf_{len(self.refunds)}", amount=amount)


async def paid_order(h: ShopHarness, method: FakeCard) -> str:
    h.shop.payment_methods[method.name] = method
    number = new_order_number()
    line = OrderLine(product_id="atta-5kg", title="Aashirvaad Atta 5 kg", quantity=1, unit_price=Money(24500, "INR"))
    await h.shop.store.place_order(
        Order(number, CUSTOMER, OrderStatus.PENDING_PAYMENT, (line,), (), "INR", method.name, f"k-{number}")
    )
    page = await (await h.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="paid"' not in page and 'data-status="cancelled"' in page
    event = PaymentEvent(method.name, f"evt-{number}", PaymentEventKind.PAID, number, Money(24500, "INR"))
    await h.shop.apply_payment_event(event)
    return number


async def test_a_paid_order_is_refunded_through_its_payment_method(web: ShopHarness) -> None:
    await login(web)
    method = FakeCard(web.shop, PaymentConfig())
    number = await paid_order(web, method)
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="refunded"' in page and "₹245.00" in page
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "refunded", "csrf": csrf_of(page)}, allow_redirects=False
    )
    assert "done=refunded" in resp.headers["Location"]
    assert method.refunds == [Money(24500, "INR")]
    order = await web.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.REFUNDED
    await web.shop.idle()
    assert "₹245.00" in web.texts_to(CUSTOMER)[-1]  # the customer is told in their chat


async def test_a_refund_the_provider_refuses_is_shown_not_crashed(web: ShopHarness) -> None:
    await login(web)
    number = await paid_order(web, FakeCard(web.shop, PaymentConfig(), fail=True))
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    resp = await web.client.post(f"/admin/orders/{number}/move", data={"status": "refunded", "csrf": csrf_of(page)})
    assert resp.status == 200 and "provider says no" in await resp.text()
    order = await web.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.PAID


async def refund_failed_later(h: ShopHarness, method: FakeCard, number: str) -> None:
    """The provider's ``refund.failed`` after the dashboard's refund: the amount is owed again."""
    event = PaymentEvent(
        method.name, f"evt-failed-{number}", PaymentEventKind.REFUND_FAILED, number, Money(24500, "INR"), "rf_1"
    )
    await h.shop.apply_payment_event(event)
    order = await h.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.REFUNDED and order.refunded_amount == 0


async def test_a_refund_that_failed_later_is_paid_from_the_dashboards_refund(web: ShopHarness) -> None:
    await login(web)
    method = FakeCard(web.shop, PaymentConfig())
    number = await paid_order(web, method)
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    await web.client.post(f"/admin/orders/{number}/move", data={"status": "refunded", "csrf": csrf_of(page)})
    await refund_failed_later(web, method, number)
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="refunded"' in page, "the order page offers Refund for the amount owed again"
    assert 'id="owed"' in page and "₹245.00" in page
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "refunded", "csrf": csrf_of(page)}, allow_redirects=False
    )
    assert "done=refunded" in resp.headers["Location"]
    assert method.refunds == [Money(24500, "INR"), Money(24500, "INR")]  # really sent, this time too
    order = await web.shop.store.get_order(number)
    assert order is not None and order.refunded_amount == 24500 and order.status == OrderStatus.REFUNDED
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    assert 'data-status="refunded"' not in page and 'id="owed"' not in page  # nothing owed now


async def test_the_dashboard_never_says_done_for_a_refund_it_did_not_send(web: ShopHarness) -> None:
    await login(web)
    method = FakeCard(web.shop, PaymentConfig())
    number = await paid_order(web, method)
    page = await (await web.client.get(f"/admin/orders/{number}")).text()
    await web.client.post(f"/admin/orders/{number}/move", data={"status": "refunded", "csrf": csrf_of(page)})
    await refund_failed_later(web, method, number)
    method.fail = True
    resp = await web.client.post(
        f"/admin/orders/{number}/move", data={"status": "refunded", "csrf": csrf_of(page)}, allow_redirects=False
    )
    location = resp.headers["Location"]
    assert "done=" not in location and "error=" in location
    assert method.refunds == [Money(24500, "INR")]
    order = await web.shop.store.get_order(number)
    assert order is not None and order.refunded_amount == 0
