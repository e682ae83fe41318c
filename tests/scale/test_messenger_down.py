"""The messenger's API is down for a while: replies wait in the outbox and all arrive once it is up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bench.customers import Customer, journey
from bench.graph_recorder import GraphRecorder
from bench.workers import Worker

from .waiting import settled


async def test_replies_wait_while_the_api_is_down_and_all_arrive_after(
    tmp_path: Path, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    recorder = graph[0]
    storage = f"sqlite:///{tmp_path}/shop.db"
    worker = await workers(storage, sweep_seconds=0.2, retry_base_seconds=0.05)().start_ready()
    recorder.down = True
    steps = journey()[:5]
    async with aiohttp.ClientSession() as http:
        customers = [Customer(f"9194000{i:05d}", http) for i in range(10)]
        await asyncio.gather(*(_shop(c, steps, worker.url) for c in customers))
        assert await recorder.wait_until(lambda: recorder.refused_while_down >= 20, within=20)
        assert recorder.total == 0
        recorder.down = False
        ledger = await settled(storage, expected_messages=len(customers) * len(steps))
    assert ledger.pending_inbox == 0 and ledger.pending_outbox == 0
    for customer in customers:
        assert set(customer.acknowledged) <= ledger.answered
        assert len(recorder.replies[customer.wa_id]) >= ledger.replies_sent_to(customer.key) > 0
        assert ledger.outbox[(customer.key, "failed")] == 0


async def _shop(customer: Customer, steps: list[tuple[str, str]], url: str) -> None:
    for step in steps:
        await customer.send(step, [url])
