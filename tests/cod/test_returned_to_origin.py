"""A cash parcel the customer refused, or the courier could not deliver, comes back to the shop
("return to origin"): its goods are on the shelf again, no money moves, the customer is told."""

from __future__ import annotations

import pytest

from chatshop.orders import IllegalTransition, OrderStatus
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order
from tests.cod.test_cash_collected import plain_cod


async def test_a_refused_cash_parcel_comes_back_to_the_shelf(cod_shop: CodShop, storage: str) -> None:
    async with cod_shop(plain_cod(storage)) as h:
        order, _ = await cash_order(h)
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 39
        await h.shop.move_order(order.number, OrderStatus.SHIPPED)
        await h.shop.idle()
        told = len(h.texts_to(order.customer_key))
        returned = await h.shop.move_order(order.number, OrderStatus.RETURNED, note="refused at the door")
        await h.shop.idle()
        assert returned.status == OrderStatus.RETURNED
        assert (returned.paid_amount, returned.refunded_amount) == (0, 0)  # cash: nothing was taken
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 40
        news = h.texts_to(order.customer_key)[told:]
        back = f"Your order {order.number} came back to us undelivered. If you still want it, just order again."
        assert news == [back]
        # The courier's "delivered" cannot follow: the parcel is back, and no cash was collected.
        with pytest.raises(IllegalTransition):
            await h.shop.move_order(order.number, OrderStatus.DELIVERED)
        assert (await h.shop.store.get_order(order.number)) == returned
