"""PostgreSQL drops the workers' connections under load (``pg_terminate_backend``: a failover, an
operator, a pooler restarting): each webhook meanwhile is answered 200 after its commit or 503 (so
Meta delivers it again), never anything else; every acknowledged message is handled and answered,
and each customer's order is placed once. The server itself is never stopped."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable

import aiohttp
import asyncpg

from bench import webhooks
from bench.customers import journey
from bench.graph_recorder import GraphRecorder
from bench.workers import APP_SECRET, Worker

from .waiting import settled

CUSTOMERS = 10
#: How often a refused webhook is delivered again (Meta retries with backoff; faster here).
REDELIVERY_SECONDS = 0.1
ROUNDS = 4


async def terminate_workers_backends(admin: asyncpg.Connection) -> int:
    """Drop every other connection to this test's database; how many there were."""
    return int(
        await admin.fetchval(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )


async def test_backends_terminated_under_load_answer_200_or_503_and_lose_nothing(
    postgres_url: str, workers: Callable[..., Callable[[], Worker]], graph: tuple[GraphRecorder, str]
) -> None:
    recorder = graph[0]
    make = workers(postgres_url, lease_seconds=1.0, sweep_seconds=0.2)
    pair = await asyncio.gather(make().start_ready(), make().start_ready())
    statuses: Counter[int] = Counter()
    acknowledged: list[str] = []
    ids = itertools.count()
    progress = asyncio.Condition()

    async def deliver(http: aiohttp.ClientSession, n: int, wa_id: str, step: tuple[str, str]) -> None:
        """One message, delivered again (to the other worker) until it is answered 200, as Meta does."""
        message_id = f"wamid.terminated{next(ids)}.{wa_id}"
        kind, value = step
        payload = (webhooks.text if kind == "text" else webhooks.choice)(wa_id, message_id, value)
        body, headers = webhooks.signed(payload, APP_SECRET)
        deadline = time.monotonic() + 30
        for attempt in itertools.count(n):
            url = pair[attempt % 2].url
            try:
                async with http.post(f"{url}/webhooks/whatsapp", data=body, headers=headers) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0  # no answer at all
            statuses[status] += 1
            if status == 200:
                async with progress:
                    acknowledged.append(message_id)
                    progress.notify_all()
                return
            assert time.monotonic() < deadline, f"{message_id} was never accepted: {dict(statuses)}"
            await asyncio.sleep(REDELIVERY_SECONDS)

    async def customer(http: aiohttp.ClientSession, n: int) -> None:
        for step in journey():  # without waiting for replies: the messages keep coming meanwhile
            await deliver(http, n, f"9192000{n:05d}", step)

    total = CUSTOMERS * len(journey())
    admin = await asyncpg.connect(postgres_url)
    terminated = 0
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
            load = asyncio.gather(*(customer(http, n) for n in range(CUSTOMERS)))
            for round_ in range(1, ROUNDS + 1):
                due = total * round_ // (ROUNDS + 1)  # cut at a fifth, two fifths, ... of the messages
                async with progress:
                    await progress.wait_for(lambda: len(acknowledged) >= due)  # noqa: B023 (awaited at once)
                terminated += await terminate_workers_backends(admin)
            await load
        ledger = await settled(postgres_url, expected_messages=total, within=30.0)
    finally:
        await admin.close()
    logs = "\n".join(worker.tail() for worker in pair)
    assert terminated > 0
    assert set(statuses) <= {200, 503}, f"answers other than 200 and 503: {dict(statuses)}\n{logs}"
    assert len(acknowledged) == len(set(acknowledged)) == total
    assert [m for m in acknowledged if m not in ledger.inbox] == [], "acknowledged but not in the inbox"
    assert ledger.pending_inbox == 0, "acknowledged but never handled"
    assert set(acknowledged) <= ledger.answered, "handled without a reply"
    assert ledger.pending_outbox == 0, "replies never sent"
    for n in range(CUSTOMERS):
        key = f"whatsapp:9192000{n:05d}"
        assert ledger.orders[key] == 1, f"{key} has {ledger.orders[key]} orders"
        assert len(recorder.replies[key.split(":")[1]]) >= ledger.replies_sent_to(key)
    # nothing was answered with the apology of a turn that failed for good (a passing fault heals)
    apologies = [r for replies in recorder.replies.values() for r in replies if "Sorry" in str(r.body)]
    assert apologies == [], apologies[:3]
