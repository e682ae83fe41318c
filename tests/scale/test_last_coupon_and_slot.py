"""The last use of a coupon and the last place of a delivery slot, raced by customers on two
``chatshop serve`` workers sharing one PostgreSQL: each goes to exactly one order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import aiohttp

from bench.customers import ADDRESS, Customer
from bench.graph_recorder import GraphRecorder
from bench.workers import Worker
from chatshop.store.postgres import PostgresStore

from .waiting import settled

COUPON = """
[[discounts]]
code = "LAST1"
percent = "10"
max_uses = 1
"""

SLOT = """
[delivery.slots]
windows = ["00:00-23:59"]
capacity = 1
cutoff_minutes = 0
days_ahead = 3
"""


async def race(
    postgres_url: str, make: Callable[[], Worker], steps: list[tuple[str, str]], customers: int = 10
) -> tuple[int, PostgresStore]:
    one, two = await asyncio.gather(make().start_ready(), make().start_ready())
    async with aiohttp.ClientSession() as http:
        people = [Customer(f"9195100{i:05d}", http) for i in range(customers)]

        async def prepare(i: int, customer: Customer) -> None:
            for step in steps:
                await customer.send(step, [(one, two)[i % 2].url])

        await asyncio.gather(*(prepare(i, c) for i, c in enumerate(people)))
        await settled(postgres_url, expected_messages=customers * len(steps))
        # everyone holds the last one in the summary in front of them: now all confirm at once
        await asyncio.gather(*(c.send(("choice", "confirm"), [(one, two)[i % 2].url]) for i, c in enumerate(people)))
    ledger = await settled(postgres_url, expected_messages=customers * (len(steps) + 1))
    store = PostgresStore(postgres_url)
    await store.open()
    return sum(ledger.orders.values()), store


async def test_the_last_use_of_a_coupon_goes_to_one_order(
    postgres_url: str, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    make = workers(postgres_url, extra=COUPON)
    steps = [("text", "hi"), ("choice", "add:atta-5kg:1"), ("choice", "checkout"), ("text", ADDRESS), ("text", "last1")]
    orders, store = await race(postgres_url, make, steps)
    try:
        assert orders == 1  # the others were shown the summary again, without the coupon
        assert await store.claim_counts(["discount:LAST1"]) == {"discount:LAST1": 1}
        (placed,) = await store.list_orders()
        assert dict(placed.adjustments)["coupon:LAST1"].minor == -2450
    finally:
        await store.close()


async def test_the_last_place_of_a_slot_goes_to_one_order(
    postgres_url: str, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    make = workers(postgres_url, extra=SLOT, shop_extra='timezone = "UTC"\n')
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    slot = f"slot:{tomorrow}T00:00"
    steps = [("text", "hi"), ("choice", "add:atta-5kg:1"), ("choice", "checkout"), ("text", ADDRESS), ("choice", slot)]
    orders, store = await race(postgres_url, make, steps)
    try:
        assert orders == 1  # the others were asked to pick another time
        assert await store.claim_counts([slot]) == {slot: 1}
        (placed,) = await store.list_orders()
        assert placed.extras["slots"]["key"] == f"{tomorrow}T00:00"
    finally:
        await store.close()
