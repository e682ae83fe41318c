"""A worker killed with SIGKILL mid-load loses nothing it acknowledged; SIGTERM drains and exits 0."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bench.customers import Customer, journey
from bench.graph_recorder import GraphRecorder
from bench.workers import Worker

from .ledger import Ledger
from .waiting import settled

CUSTOMERS = 16


def assert_nothing_lost(customers: list[Customer], ledger: Ledger, graph: GraphRecorder) -> None:
    acknowledged = [m for c in customers for m in c.acknowledged]
    assert len(acknowledged) == len(set(acknowledged)) == CUSTOMERS * len(journey())
    missing = [m for m in acknowledged if m not in ledger.inbox]
    assert missing == [], "acknowledged but not in the inbox"
    assert ledger.pending_inbox == 0, "acknowledged but never handled"
    assert set(acknowledged) <= ledger.answered, "handled without a reply"
    assert ledger.pending_outbox == 0, "replies never sent"
    for customer in customers:
        assert ledger.orders[customer.key] == 1, f"{customer.key} has {ledger.orders[customer.key]} orders"
        # at least once: every reply the shop committed reached the (fake) messenger
        assert len(graph.replies[customer.wa_id]) >= ledger.replies_sent_to(customer.key)


async def shop_for_a_while(customers: list[Customer], urls: list[str], progress: asyncio.Event, after: int) -> None:
    count = 0

    async def one(customer: Customer, own: list[str]) -> None:
        nonlocal count
        for step in journey():
            await customer.send(step, own)
            count += 1
            if count >= after:
                progress.set()

    await asyncio.gather(*(one(c, urls[i % len(urls) :] + urls[: i % len(urls)]) for i, c in enumerate(customers)))


async def test_sigkill_a_worker_mid_load_and_restart_it(
    postgres_url: str, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    make = workers(postgres_url, lease_seconds=1.0, sweep_seconds=0.2)
    victim, survivor = await asyncio.gather(make().start_ready(), make().start_ready())
    async with aiohttp.ClientSession() as http:
        customers = [Customer(f"9198000{i:05d}", http) for i in range(CUSTOMERS)]
        halfway = asyncio.Event()
        load = asyncio.create_task(
            shop_for_a_while(customers, [victim.url, survivor.url], halfway, after=CUSTOMERS * len(journey()) // 3)
        )
        await halfway.wait()
        victim.kill()
        await asyncio.sleep(0.3)
        await victim.start_ready()
        await load
    assert sum(c.errors for c in customers) > 0  # the kill really hit webhooks in flight
    ledger = await settled(postgres_url, expected_messages=CUSTOMERS * len(journey()))
    assert_nothing_lost(customers, ledger, graph[0])


async def test_sigterm_drains_and_exits_0_and_a_restart_finishes_the_rest(
    tmp_path: Path, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    storage = f"sqlite:///{tmp_path}/shop.db"
    make = workers(storage, sweep_seconds=0.2)
    worker = await make().start_ready()
    async with aiohttp.ClientSession() as http:
        customers = [Customer(f"9197000{i:05d}", http) for i in range(CUSTOMERS)]
        started = asyncio.Event()
        load = asyncio.create_task(shop_for_a_while(customers, [worker.url], started, after=CUSTOMERS * 3))
        await started.wait()
        code = await asyncio.to_thread(worker.terminate)
        assert code == 0, worker.tail()
        await worker.start_ready()
        await load
    ledger = await settled(storage, expected_messages=CUSTOMERS * len(journey()))
    assert_nothing_lost(customers, ledger, graph[0])
