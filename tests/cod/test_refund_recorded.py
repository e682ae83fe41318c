"""Cash is refunded by UPI or bank transfer, not in cash: the owner records the refund they sent
(amount, reference) on the delivered cash order; it counts as refunded, the customer is told, and
nothing is counted twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.money import Money
from chatshop.ordering import RefundAlreadyRecorded
from chatshop.orders import OrderStatus
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order
from tests.cod.test_cash_collected import delivered, plain_cod
from tests.operations.test_cli_order_faults import chatshop


async def test_a_refund_sent_by_upi_counts_once_and_the_customer_is_told(cod_shop: CodShop, storage: str) -> None:
    async with cod_shop(plain_cod(storage)) as h:
        order, _ = await cash_order(h)
        order = await delivered(h, order)
        assert order.paid_amount == 29500
        await h.shop.idle()
        told = len(h.texts_to(order.customer_key))
        part = await h.shop.ordering.record_refund(order.number, Money(10000, "INR"), "UPI 4021 7788")
        assert (part.status, part.refunded_amount) == (OrderStatus.DELIVERED, 10000)
        with pytest.raises(RefundAlreadyRecorded):
            await h.shop.ordering.record_refund(order.number, Money(10000, "INR"), "UPI  4021 7788")
        with pytest.raises(ValueError, match=r"195\.00 INR refundable"):
            await h.shop.ordering.record_refund(order.number, Money(19600, "INR"), "UTR2")
        with pytest.raises(ValueError, match="reference"):
            await h.shop.ordering.record_refund(order.number, Money(100, "INR"), " \t")
        assert (await h.shop.store.get_order(order.number)) == part
        rest = await h.shop.ordering.record_refund(order.number, Money(19500, "INR"), "UTR2")
        assert (rest.status, rest.refunded_amount) == (OrderStatus.REFUNDED, 29500)
        await h.shop.idle()
        assert h.texts_to(order.customer_key)[told:] == [
            f"We sent you ₹100.00 back for order {order.number} (reference UPI 4021 7788). "
            "It can take a day or two to show in your account.",
            f"We sent you ₹195.00 back for order {order.number} (reference UTR2). "
            "It can take a day or two to show in your account.",
        ]


async def test_nothing_is_recorded_for_cash_not_taken(cod_shop: CodShop, storage: str) -> None:
    async with cod_shop(plain_cod(storage)) as h:
        order, _ = await cash_order(h)  # placed, not delivered: no cash changed hands
        with pytest.raises(ValueError, match=r" 0\.00 INR refundable"):
            await h.shop.ordering.record_refund(order.number, Money(100, "INR"), "UTR1")


async def test_the_command_records_a_refund_once(cod_shop: CodShop, tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    async with cod_shop(plain_cod("sqlite:///shop.db"), folder) as h:
        order, _ = await cash_order(h)
        await delivered(h, order)
    shop_toml = str(folder / "shop.toml")
    code, out, err = await chatshop("record-refund", shop_toml, order.number, "--amount", "295", "--reference", "UTR9")
    assert code == 0, err
    assert f"{order.number}: refunded, 0.00 INR left to refund" in out
    code, out, err = await chatshop("record-refund", shop_toml, order.number, "--amount", "295", "--reference", "UTR9")
    assert code == 0 and "recorded already" in out
    code, out, err = await chatshop("record-refund", shop_toml, order.number, "--amount", "1", "--reference", "UTR10")
    assert code == 1 and "0.00 INR refundable" in err and "Traceback" not in err
    async with cod_shop(plain_cod("sqlite:///shop.db"), folder) as h:
        back = await h.shop.store.get_order(order.number)
        assert back is not None and back.refunded_amount == 29500
        assert sum("refund sent outside chatshop" in str(e["note"]) for e in back.history) == 1
