"""A placement or a move writes the job owing its effects in its own transaction (chatshop.order_effects):
the change and what it owes are saved together or not at all."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from chatshop.order_effects import KIND, Owed
from chatshop.orders import IllegalTransition, OrderStatus
from chatshop.store.base import OutOfStock, Store
from chatshop.store.codec import utcnow

from .helpers import order


async def test_a_placement_owes_its_effects_once(store: Store) -> None:
    await store.update_inventory("ghee", stock=5)
    due = utcnow() + timedelta(seconds=30)
    placed, created = await store.place_order(order(placement_key="c1"), owed=Owed(due, notify=False))
    again, created_again = await store.place_order(order(placement_key="c1"), owed=Owed(due + timedelta(hours=1)))
    assert created and not created_again and again.number == placed.number
    job = await store.get_job(KIND, f"{placed.number}:placed")
    assert job is not None and job.status == "pending"
    assert abs(job.due_at - due) < timedelta(seconds=1)  # the first placement's, not the retry's
    assert job.payload == {"old": None, "new": "cod_pending", "notify": False}


async def test_a_placement_refused_owes_nothing(store: Store) -> None:
    await store.update_inventory("ghee", stock=0)
    with pytest.raises(OutOfStock):
        await store.place_order(order(placement_key="c2"), owed=Owed(utcnow()))
    assert not await store.claim_due_jobs(utcnow() + timedelta(days=1), "w", 30, 10)


async def test_a_move_owes_its_effects_and_a_refused_move_nothing(store: Store) -> None:
    placed, _ = await store.place_order(order())
    due = utcnow() + timedelta(seconds=30)
    moved, old = await store.transition_order(placed.number, OrderStatus.CONFIRMED, owed=Owed(due))
    assert old is OrderStatus.COD_PENDING and moved.status is OrderStatus.CONFIRMED
    job = await store.get_job(KIND, f"{placed.number}:confirmed")
    assert job is not None and job.payload == {"old": "cod_pending", "new": "confirmed", "notify": True}
    with pytest.raises(IllegalTransition):
        await store.transition_order(placed.number, OrderStatus.PAID, owed=Owed(due))
    assert await store.get_job(KIND, f"{placed.number}:paid") is None
    # Struck off by the worker that carried them out: the sweeper finds nothing.
    assert await store.cancel_job(KIND, f"{placed.number}:confirmed")
    assert not await store.claim_due_jobs(due + timedelta(days=1), "w", 30, 10)


async def test_owed_effects_fall_due_for_the_sweeper(store: Store) -> None:
    placed, _ = await store.place_order(order())
    due = utcnow() + timedelta(seconds=30)
    await store.transition_order(placed.number, OrderStatus.CANCELLED, owed=Owed(due, notify=False))
    assert not await store.claim_due_jobs(due - timedelta(seconds=1), "w", 30, 10)  # its worker's time
    (job,) = await store.claim_due_jobs(due, "w", 30, 10)
    assert (job.kind, job.key) == (KIND, f"{placed.number}:cancelled")
    assert json.loads(json.dumps(job.payload))["notify"] is False


async def test_concurrent_placements_of_one_checkout_owe_once(store: Store) -> None:
    await store.update_inventory("ghee", stock=5)
    due = utcnow()
    results = await asyncio.gather(*(store.place_order(order(placement_key="same"), owed=Owed(due)) for _ in range(6)))
    (number,) = {placed.number for placed, _ in results}
    claimed = await store.claim_due_jobs(due + timedelta(seconds=1), "w", 30, 10)
    assert [job.key for job in claimed] == [f"{number}:placed"]
