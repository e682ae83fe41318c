"""Cash on delivery is paid when the order is delivered, through the plugin API: the cash method
hands the core a payment event, which the core applies once, for the order's total only, and only
to a delivered order; plugins hear of it through ``payment_updated`` as of any payment."""

from __future__ import annotations

from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentEvent, PaymentEventKind
from chatshop.plugins.payments.cod import CASH_COLLECTED
from chatshop.testing import ShopHarness
from tests.cod import payment_ledger
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order, toml

LEDGER = '\n[plugins]\nmodules = ["tests.cod.payment_ledger"]\n'


def plain_cod(storage: str) -> str:
    """The cash shop without its confirmation question: an order waits only for delivery."""
    asked = "confirm = true\nconfirm_remind_minutes = 30\nconfirm_cancel_minutes = 120\n"
    text = toml(storage)
    assert asked in text
    return text.replace(asked, "")


def collected(order: Order, *, event_id: str = "courier-1", amount: Money | None = None) -> PaymentEvent:
    return PaymentEvent(
        method="cod",
        event_id=event_id,
        kind=PaymentEventKind.PAID,
        order_number=order.number,
        amount=amount or order.total,
        raw_status=CASH_COLLECTED,
    )


async def delivered(h: ShopHarness, order: Order) -> Order:
    for status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        order = await h.shop.move_order(order.number, status)
    return order


async def test_delivering_a_cash_order_pays_it_once_and_tells_the_plugins(storage: str, cod_shop: CodShop) -> None:
    payment_ledger.APPLIED.clear()
    async with cod_shop(plain_cod(storage) + LEDGER) as h:
        order, _ = await cash_order(h)
        assert order.status is OrderStatus.COD_PENDING and order.paid_amount == 0
        order = await delivered(h, order)
        assert order.status is OrderStatus.DELIVERED
        assert order.paid_amount == order.total.minor == 29500  # 245 + 30 delivery + 20 COD fee
        assert order.history[-1]["note"] == CASH_COLLECTED
        [(number, event)] = payment_ledger.APPLIED
        assert number == order.number and event.method == "cod" and event.kind is PaymentEventKind.PAID
        again = await h.shop.apply_payment_event(event)  # the same event told twice
        assert again is not None and again.paid_amount == 29500 and again.history == order.history
        assert len(payment_ledger.APPLIED) == 1


async def test_cash_is_not_counted_before_delivery_nor_twice_nor_short(storage: str, cod_shop: CodShop) -> None:
    payment_ledger.APPLIED.clear()
    async with cod_shop(plain_cod(storage) + LEDGER) as h:
        order, _ = await cash_order(h)
        early = await h.shop.apply_payment_event(collected(order))  # nothing changed hands yet
        assert early is not None and early.paid_amount == 0 and early.status is OrderStatus.COD_PENDING
        assert early.history == order.history
        order = await delivered(h, order)
        assert order.paid_amount == 29500
        for event in (
            collected(order, event_id="courier-2"),  # a second collection of the same order
            collected(order, event_id="courier-3", amount=Money(100, "INR")),  # not the order's total
        ):
            after = await h.shop.apply_payment_event(event)
            assert after is not None and after.paid_amount == 29500 and after.history == order.history
        assert after.status is OrderStatus.DELIVERED


async def test_an_online_payment_for_a_cash_order_is_refused(storage: str, cod_shop: CodShop) -> None:
    """Only the order's own method pays it: an event naming another method changes nothing."""
    async with cod_shop(plain_cod(storage)) as h:
        order, _ = await cash_order(h)
        order = await delivered(h, order)
        forged = PaymentEvent(
            method="razorpay", event_id="e1", kind=PaymentEventKind.PAID, order_number=order.number, amount=order.total
        )
        after = await h.shop.apply_payment_event(forged)
        assert after is not None and after.paid_amount == order.paid_amount and after.history == order.history
