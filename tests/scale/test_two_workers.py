"""Two workers on one PostgreSQL: one customer's messages stay in order, the last item sells once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp

from bench.customers import ADDRESS, Customer
from bench.graph_recorder import GraphRecorder
from bench.workers import Worker
from chatshop.store.postgres import PostgresStore

from .waiting import settled

PRODUCTS = ["atta-5kg", "ghee-1l", "rice-5kg", "tea-500g", "dal-1kg", "salt-1kg"]


async def test_interleaved_messages_of_one_customer_end_as_if_processed_in_order(
    postgres_url: str, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    make = workers(postgres_url)
    one, two = await asyncio.gather(make().start_ready(), make().start_ready())
    async with aiohttp.ClientSession() as http:
        customers = [Customer(f"9196000{i:05d}", http) for i in range(8)]

        async def shop(index: int, customer: Customer) -> list[str]:
            # each customer adds the products in its own order, alternating between the workers
            order = PRODUCTS[index % len(PRODUCTS) :] + PRODUCTS[: index % len(PRODUCTS)]
            await customer.send(("text", "hi"), [one.url])
            for n, product in enumerate(order):
                await customer.send(("choice", f"add:{product}:{n + 1}"), [(one, two)[n % 2].url])
            return order

        orders = await asyncio.gather(*(shop(i, c) for i, c in enumerate(customers)))
    await settled(postgres_url, expected_messages=len(customers) * (1 + len(PRODUCTS)))
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        for customer, order in zip(customers, orders, strict=True):
            cart = (await store.load_conversation(customer.key)).state["cart"]
            lines = [(line["product_id"], line["quantity"]) for line in cart["lines"]]
            assert lines == [(product, n + 1) for n, product in enumerate(order)]
    finally:
        await store.close()


async def test_the_last_item_raced_by_customers_on_two_workers_sells_once(
    postgres_url: str, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    make = workers(postgres_url, ghee_stock=1)
    one, two = await asyncio.gather(make().start_ready(), make().start_ready())
    steps = [("text", "hi"), ("choice", "add:ghee-1l:1"), ("choice", "checkout"), ("text", ADDRESS)]
    async with aiohttp.ClientSession() as http:
        customers = [Customer(f"9195000{i:05d}", http) for i in range(12)]

        async def prepare(i: int, customer: Customer) -> None:
            for step in steps:
                await customer.send(step, [(one, two)[i % 2].url])

        await asyncio.gather(*(prepare(i, c) for i, c in enumerate(customers)))
        await settled(postgres_url, expected_messages=len(customers) * len(steps))
        # everyone has the ghee in the cart and the summary in front of them: now all confirm at once
        await asyncio.gather(*(c.send(("choice", "confirm"), [(one, two)[i % 2].url]) for i, c in enumerate(customers)))
    ledger = await settled(postgres_url, expected_messages=len(customers) * (len(steps) + 1))
    assert ledger.ghee_orders == 1
    assert sum(ledger.orders.values()) == 1
    store = PostgresStore(postgres_url)
    await store.open()
    try:
        assert (await store.inventory(["ghee-1l"]))["ghee-1l"].stock == 0
    finally:
        await store.close()
