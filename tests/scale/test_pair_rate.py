"""WhatsApp's pair rate across workers: a customer whose turns land on different workers is still
written to no faster than Meta allows, and a worker killed on the way loses and doubles nothing.

The fake Graph API (chatshop.testing.fakes.whatsapp) refuses with 131056 as research/whatsapp.md
§2.9 documents the pair rate: bursts of up to 45 messages to one customer, then one per interval
until the burst is paid back. The interval is scaled from Meta's 6 s to 1 s (``pair_seconds`` on
both sides) so a conversation shows it in seconds. Each worker paced alone would send a customer's
next reply as soon as its turn came; only the pair state they share through PostgreSQL holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bench.customers import Customer
from bench.webhooks import PHONE_NUMBER_ID
from bench.workers import ACCESS_TOKEN, Worker, shop_toml
from chatshop.testing.fakes.whatsapp import FakeGraph

INTERVAL = 1.0
CUSTOMERS = 6


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeGraph, str]]:
    graph = FakeGraph(token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID, pair_burst=45, pair_seconds=INTERVAL)
    server = TestServer(graph.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield graph, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def _replies(graph: FakeGraph, wa_id: str, count: int, within: float = 30.0) -> int:
    """How many replies ``wa_id`` has once it has ``count`` (waits for them, with a bound)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(graph.sent_to(wa_id, count), within)
    return len(graph.texts(wa_id))


async def test_turns_on_three_workers_keep_each_customers_pair_rate_and_survive_a_killed_worker(
    postgres_url: str, fake: tuple[FakeGraph, str], tmp_path: Path
) -> None:
    graph, url = fake
    toml = tmp_path / "shop.toml"
    toml.write_text(shop_toml(postgres_url, url, pair_seconds=INTERVAL), encoding="utf-8")
    workers = [Worker(toml) for _ in range(3)]
    counts: dict[str, list[int]] = {}
    try:
        for worker in workers:  # one at a time: each migrates the same fresh database
            await worker.start_ready()

        async def customer(http: aiohttp.ClientSession, phase: int, shopper: Customer, order: list[Worker]) -> None:
            seen = counts.setdefault(shopper.wa_id, [])
            for turn in range(3):  # three turns, each on the next worker, each after its reply
                await shopper.send(("text", "hi"), [w.url for w in order[turn:] + order[:turn]])
                seen.append(await _replies(graph, shopper.wa_id, 3 * phase + turn + 1))

        async with aiohttp.ClientSession() as http:
            shoppers = [Customer(f"9198{uuid.uuid4().int % 10**8:08d}", http) for _ in range(CUSTOMERS)]
            # A burst: three replies each within the first interval, from three workers.
            await asyncio.gather(*(customer(http, 0, s, workers) for s in shoppers))
            workers[0].kill()  # with whatever it held: its turns and sends are taken over
            await asyncio.sleep(INTERVAL * 1.1)  # the customers read; the burst is over and owed
            # Three more turns each, on the two workers left: every reply waits for its pair's time.
            await asyncio.gather(*(customer(http, 1, s, workers[1:] + workers[:1]) for s in shoppers))
            await asyncio.sleep(INTERVAL)  # room for a doubled send to show
    finally:
        for worker in workers:
            worker.kill()
    assert [code for code, _ in graph.refused] == []  # not one 131056
    for shopper in shoppers:
        assert counts[shopper.wa_id] == [1, 2, 3, 4, 5, 6], counts  # each reply, once, after its message
        assert len(graph.texts(shopper.wa_id)) == 6
