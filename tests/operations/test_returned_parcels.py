"""``chatshop order ... return``: a shipped parcel came back undelivered. Paid online, its money
goes back through the provider as for a cancel; its stock is on the shelf again."""

from __future__ import annotations

from pathlib import Path

from chatshop.orders import Order, OrderStatus
from chatshop.testing import running_shop
from tests.operations.providers import HeldRazorpay
from tests.operations.test_cli_order_faults import chatshop, paid, status_of

__all__ = ["paid"]


async def test_a_paid_parcel_that_comes_back_is_refunded_and_restocked(
    paid: tuple[Path, Order, str], razorpay_api: HeldRazorpay
) -> None:
    shop_toml, order, toml = paid
    code, out, err = await chatshop("order", str(shop_toml), order.number, "return")
    assert code == 1 and "cannot go from paid to returned" in err  # only a shipped parcel comes back
    code, out, err = await chatshop("order", str(shop_toml), order.number, "ship")
    assert code == 0, err
    razorpay_api.outage = [503] * 20
    code, _, err = await chatshop("order", str(shop_toml), order.number, "return")
    assert code == 1 and "not returned" in err and "unchanged" in err
    assert await status_of(shop_toml, order.number, toml) == (OrderStatus.SHIPPED, 0)
    razorpay_api.outage.clear()
    code, out, err = await chatshop("order", str(shop_toml), order.number, "return")
    assert code == 0, err
    assert f"{order.number}: refunded" in out
    assert await status_of(shop_toml, order.number, toml) == (OrderStatus.REFUNDED, 27500)
    async with running_shop(toml, shop_toml.parent) as h:
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 40
        back = await h.shop.store.get_order(order.number)
        assert back is not None
        assert [entry["new"] for entry in back.history][-2:] == ["returned", "refunded"]
