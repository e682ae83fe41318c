"""One send budget per number across workers: three workers under load stay within the tier together.

The fake Graph API (chatshop.testing.fakes.whatsapp) refuses a send with 130429 when the number's
messages in the last second of its clock, the customers' incoming ones included, reach the tier.
Every worker alone is allowed the whole tier; only the budget they share keeps them under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bench.customers import Customer
from bench.webhooks import PHONE_NUMBER_ID
from bench.workers import ACCESS_TOKEN, Worker, shop_toml
from chatshop.testing.fakes.whatsapp import FakeGraph

TIER = 80
CUSTOMERS = 45
#: Messages counted against the tier (incoming and sent) before the test stops the load.
COUNTED = 700
#: Seconds at the start left out of the sustained rate.
WARM_UP = 2.0


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeGraph, str]]:
    graph = FakeGraph(token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID, mps=TIER)
    server = TestServer(graph.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield graph, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@contextlib.contextmanager
def _ahead_of_the_host(workers: list[Worker]) -> Iterator[None]:
    """The test's processes ahead of the host's other work, where the test may raise them: this one
    (the fake Graph API and the customers: Meta and the customers' phones do not share the shop's
    machine), and the workers a step behind it. On a 2-core host shared with other busy work, a
    stall of a second starves the workers of their sends (the rate measured is then the host's)
    and, in the fake, counts a batch of sends in the next second of its clock. The budget must
    still absorb the workers' lateness: they run below the fake and share the host with the
    database and everything else."""
    try:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, -10)
    except (OSError, AttributeError):  # not allowed here (an unprivileged CI): as it is
        yield
        return
    try:
        for worker in workers:
            assert worker.process is not None
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, -5)
        yield
    finally:
        os.setpriority(os.PRIO_PROCESS, 0, before)


async def _replied(graph: FakeGraph, wa_id: str, count: int, within: float = 30.0) -> bool:
    """Whether ``wa_id`` has ``count`` replies (waits for them, with a bound; nothing is timed)."""
    try:
        await asyncio.wait_for(graph.sent_to(wa_id, count), within)
    except TimeoutError:
        return False
    return True


async def test_three_workers_share_the_numbers_throughput(
    postgres_url: str, fake: tuple[FakeGraph, str], tmp_path: Path
) -> None:
    graph, url = fake
    toml = tmp_path / "shop.toml"
    toml.write_text(shop_toml(postgres_url, url, messages_per_second=TIER), encoding="utf-8")
    workers = [Worker(toml) for _ in range(3)]
    try:
        for worker in workers:  # one at a time: each migrates the same fresh database
            await worker.start_ready()
        turn = itertools.count()
        stalled: list[str] = []

        async def customer(http: aiohttp.ClientSession) -> None:
            shopper = Customer(f"9197{uuid.uuid4().int % 10**8:08d}", http)
            replies = 0
            while len(graph.throughput_log) < COUNTED and not stalled:
                # Meta counts the customer's message against the number's tier when it arrives
                # there, before it posts the webhook (counted after our answer, a stalled worker's
                # answers would bunch in the fake's clock as they never do at Meta)
                graph.inbound()
                await shopper.send(("text", "hi"), [workers[next(turn) % 3].url])
                replies += 1
                if not await _replied(graph, shopper.wa_id, replies):
                    stalled.append(shopper.wa_id)

        with _ahead_of_the_host(workers):
            async with aiohttp.ClientSession() as http:
                await asyncio.gather(*(customer(http) for _ in range(CUSTOMERS)))
    finally:
        for worker in workers:
            worker.kill()
    assert not stalled, f"replies never came for {len(stalled)} customers"
    assert [code for code, _ in graph.refused] == [], _debug(graph)  # not one 130429
    # Sustained: the middle of the run, in the fake's own clock. The load ends raggedly, and starts
    # with every customer's first message at once: Meta counts those too, so the budget rightly
    # holds the replies back for most of a second after.
    log = sorted(graph.throughput_log)
    start, end = log[0] + WARM_UP, log[-1] - 1.0
    counted = sum(1 for at in log if start <= at < end)
    assert counted / (end - start) >= 0.9 * TIER, _debug(graph)


def _debug(graph: FakeGraph) -> str:
    """What the fake counted, for a failure's message: the busiest second, the sustained rate, and
    the longest silences (a stall of the whole host shows as one; a budget handing out too few
    slots does not)."""
    log = sorted(graph.throughput_log)
    busiest = max(sum(1 for t in log if 0 <= t - s < 1.0) for s in log)
    start, end = log[0] + WARM_UP, log[-1] - 1.0
    middle = sum(1 for at in log if start <= at < end) / (end - start)
    silences = sorted(((b - a, a - log[0]) for a, b in itertools.pairwise(log)), reverse=True)[:3]
    longest = ", ".join(f"{gap * 1000:.0f} ms at {at:.1f} s" for gap, at in silences)
    return (
        f"counted {len(log)} ({len(graph.inbound_log)} incoming), busiest second {busiest}, "
        f"middle {middle:.1f}/s, longest silences {longest}"
    )
