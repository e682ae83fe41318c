"""Claims (a coupon's uses, a slot's places) and invoice numbers, in both stores: taken atomically
with what they belong to, raced from two stores on one database, undone by a rollback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from chatshop.orders import Claim, OrderStatus
from chatshop.store.base import LimitReached, OutOfStock, Store

from .helpers import order


async def test_a_claim_at_its_limit_refuses_the_order_whole(store: Store) -> None:
    await store.update_inventory("ghee", stock=5)
    _, created = await store.place_order(order("asha"), [Claim("discount:X", 1), Claim("slot:A", 2)])
    assert created
    with pytest.raises(LimitReached) as refused:
        await store.place_order(order("ravi"), [Claim("slot:A", 2), Claim("discount:X", 1)])
    assert refused.value.key == "discount:X"
    assert (await store.inventory(["ghee"]))["ghee"].stock == 4  # the refused order took no stock
    assert await store.claim_counts(["discount:X", "slot:A", "slot:B"]) == {"discount:X": 1, "slot:A": 1}
    assert len(await store.list_orders()) == 1


async def test_a_claim_refused_by_stock_is_not_taken(store: Store) -> None:
    await store.update_inventory("ghee", stock=0)
    with pytest.raises(OutOfStock):
        await store.place_order(order("asha"), [Claim("discount:X", 1)])
    assert await store.claim_counts(["discount:X"]) in ({}, {"discount:X": 0})


async def test_cancelling_gives_the_claims_back_once(store: Store) -> None:
    placed, _ = await store.place_order(order("asha"), [Claim("discount:X", 1), Claim("discount:Y")])
    again, created = await store.place_order(
        order("asha", placement_key=placed.placement_key), [Claim("discount:X", 1)]
    )
    assert not created and again.number == placed.number
    assert await store.claim_counts(["discount:X"]) == {"discount:X": 1}  # the replay counted nothing
    await store.transition_order(placed.number, OrderStatus.CANCELLED)
    await store.transition_order(placed.number, OrderStatus.REFUNDED)  # a later move gives nothing twice
    assert await store.claim_counts(["discount:X", "discount:Y"]) == {"discount:X": 0, "discount:Y": 0}
    x, _ = await store.claim_uses("discount:")
    assert (x.key, x.used, x.orders, x.revenue_minor) == ("discount:X", 0, 0, 0)
    await store.place_order(order("ravi"), [Claim("discount:X", 1)])
    assert (await store.claim_uses("discount:X"))[0].revenue_minor == 64250


async def test_the_last_use_raced_from_two_workers_goes_to_one(store: Store, twin: Callable[[], Store]) -> None:
    other = twin()
    await other.open()
    try:
        results = await asyncio.gather(
            *((store, other)[i % 2].place_order(order(f"c{i}"), [Claim("discount:LAST", 3)]) for i in range(12)),
            return_exceptions=True,
        )
    finally:
        await other.close()
    placed = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, LimitReached)]
    assert len(placed) == 3 and len(refused) == 9
    assert await store.claim_counts(["discount:LAST"]) == {"discount:LAST": 3}


def _number(seq: int) -> str:
    return f"RE2026-{seq:05d}"


async def test_invoice_numbers_have_no_gap_across_workers_and_failures(store: Store, twin: Callable[[], Store]) -> None:
    orders = [(await store.place_order(order(f"c{i}")))[0] for i in range(16)]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(TypeError):  # a crash half way: the number it drew goes back
        await store.issue_invoice(orders[0].number, "2026", _number, {"bad": object()}, "t-crash", now)
    other = twin()
    await other.open()
    try:

        async def issue(i: int, number: str) -> tuple[str, bool]:
            invoice, created = await (store, other)[i % 2].issue_invoice(
                number, "2026", _number, {"i": i}, f"token-{i}-{number}", now
            )
            return invoice.number, created

        # every order twice, from both workers at once: one invoice each, numbers 1..16
        results = await asyncio.gather(*(issue(i, o.number) for i, o in enumerate(orders + orders)))
    finally:
        await other.close()
    created = sorted(number for number, made in results if made)
    assert created == [_number(seq) for seq in range(1, 17)]
    for o in orders:
        invoice = await store.get_invoice(order_number=o.number)
        assert invoice is not None
        assert await store.get_invoice(token=invoice.token) == invoice
    next_year, _ = await store.issue_invoice(
        (await store.place_order(order("z")))[0].number, "2027", lambda seq: f"RE2027-{seq:05d}", {}, "t-2027", now
    )
    assert next_year.seq == 1  # each year counts from one
