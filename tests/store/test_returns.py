"""A shipped parcel that comes back to the shop (return to origin): its goods and claims go back."""

from __future__ import annotations

import pytest

from chatshop.orders import Claim, IllegalTransition, OrderStatus
from chatshop.store.base import Store

from .helpers import order


async def test_a_returned_parcel_puts_its_stock_and_its_claims_back_once(store: Store) -> None:
    await store.update_inventory("ghee", stock=3)
    placed, _ = await store.place_order(order(quantity=2), [Claim("discount:DIWALI", 5), Claim("slot:A", 1)])
    await store.transition_order(placed.number, OrderStatus.SHIPPED)
    assert (await store.inventory(["ghee"]))["ghee"].stock == 1
    returned, old = await store.transition_order(placed.number, OrderStatus.RETURNED, note="refused at the door")
    assert old == OrderStatus.SHIPPED and returned.status == OrderStatus.RETURNED
    assert returned.history[-1]["note"] == "refused at the door"
    assert (await store.inventory(["ghee"]))["ghee"].stock == 3
    assert await store.claim_counts(["discount:DIWALI", "slot:A"]) == {"discount:DIWALI": 0, "slot:A": 0}
    (use,) = await store.claim_uses("discount:")
    assert use.orders == 0 and use.revenue_minor == 0  # a parcel that came back sold nothing
    # Refunded later (it had been paid online): nothing goes back a second time.
    await store.record_amounts(placed.number, paid_amount=placed.total.minor)
    await store.transition_order(placed.number, OrderStatus.REFUNDED, refunded_amount=placed.total.minor)
    assert (await store.inventory(["ghee"]))["ghee"].stock == 3
    assert await store.claim_counts(["discount:DIWALI"]) == {"discount:DIWALI": 0}


async def test_only_a_shipped_order_can_come_back(store: Store) -> None:
    await store.update_inventory("ghee", stock=3)
    placed, _ = await store.place_order(order())
    with pytest.raises(IllegalTransition):
        await store.transition_order(placed.number, OrderStatus.RETURNED)
    await store.transition_order(placed.number, OrderStatus.SHIPPED)
    await store.transition_order(placed.number, OrderStatus.DELIVERED)
    with pytest.raises(IllegalTransition):
        await store.transition_order(placed.number, OrderStatus.RETURNED)
    assert (await store.inventory(["ghee"]))["ghee"].stock == 2
