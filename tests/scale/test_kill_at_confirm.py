"""A worker SIGKILLed while it places a customer's order: the other worker answers the "Confirm" once,
the order is placed once and the stock counts it once.

Two real ``chatshop serve`` workers share one PostgreSQL. The customer's "Confirm" reaches the
victim alone; the test holds the victim at one point of that turn and kills it there:

- ``reserving``: a row lock held on the product's stock, so the victim waits before the order exists;
- ``committing``: a lock held on the outbox, so the order is placed but the turn (the conversation,
  the message handled, the reply queued) is not; the other worker runs the turn again, and must
  confirm the order placed rather than find its stock, or its coupon's last use, taken;
- ``sending``: the turn committed and the reply on its way to Meta, which never answers it.

The other worker takes the message (or the reply) over once the victim's lease lapses.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import asyncpg
import pytest
from aiohttp import web

from bench.customers import ADDRESS, Customer
from bench.graph_recorder import GraphRecorder
from bench.workers import Worker
from chatshop.store.postgres import PostgresStore

from .waiting import settled

STEPS = [("text", "hi"), ("choice", "add:ghee-1l:1"), ("choice", "checkout"), ("text", ADDRESS)]
PLACED = "Your order"
COUPON = """
[[discounts]]
code = "LAST1"
percent = "10"
max_uses = 1
"""  # "Thank you! Your order {number} is placed. ..."


class HeldGraph(GraphRecorder):
    """The recorder, except that while ``hold`` is set a reply is taken and not answered until
    ``release`` (by then its sender is dead, and the reply counts as never delivered)."""

    hold: bool = False
    held: asyncio.Event | None = None
    release: asyncio.Event | None = None

    async def _messages(self, request: web.Request) -> web.Response:
        if self.hold and self.held is not None and self.release is not None:
            body = await request.json()
            if body.get("status") != "read":  # read receipts go through; replies hang
                self.held.set()
                await self.release.wait()
                return web.Response(status=502)
        return await super()._messages(request)


@pytest.fixture
async def graph() -> AsyncIterator[tuple[GraphRecorder, str]]:
    """The workers' Graph API, one that can hold replies (replaces the conftest's recorder)."""
    recorder = HeldGraph()
    server = web.AppRunner(recorder.app())
    await server.setup()
    site = web.TCPSite(server, "127.0.0.1", 0)
    await site.start()
    port = server.addresses[0][1]
    try:
        yield recorder, f"http://127.0.0.1:{port}"
    finally:
        await server.cleanup()


async def blocked_on(db: asyncpg.Connection, within: float = 10.0) -> None:
    """Wait until a backend waits for the test's lock (the victim reached the held point)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await db.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))"
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no worker came to wait for the held lock")


async def placed_by_now(db: asyncpg.Connection, within: float = 10.0) -> None:
    """Wait until the victim's order is committed (it then waits at the held lock to commit its turn)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await db.fetchval("SELECT count(*) FROM orders"):
            return
        await asyncio.sleep(0.05)


def placed_replies(graph: GraphRecorder, wa_id: str) -> list[str]:
    texts = [
        str(r.body.get("text", {}).get("body") or r.body.get("interactive", {}).get("body", {}).get("text"))
        for r in graph.replies[wa_id]
    ]
    return [t for t in texts if PLACED in t and "is placed" in t]


@pytest.mark.parametrize(
    ("where", "coupon"),
    [("reserving", False), ("committing", False), ("committing", True), ("sending", False)],
    ids=["reserving", "committing", "committing with the coupon's last use", "sending"],
)
async def test_a_worker_killed_at_confirm_leaves_one_order_answered_once_by_the_other(
    where: str,
    coupon: bool,
    postgres_url: str,
    workers: Callable[..., Callable[[], Worker]],
    graph: tuple[GraphRecorder, str],
) -> None:
    recorder = graph[0]
    assert isinstance(recorder, HeldGraph)
    make = workers(postgres_url, ghee_stock=1, lease_seconds=1.0, sweep_seconds=0.2, extra=COUPON if coupon else "")
    steps = [*STEPS, ("text", "last1")] if coupon else STEPS
    victim, survivor = await asyncio.gather(make().start_ready(), make().start_ready())
    admin = await asyncpg.connect(postgres_url)
    try:
        async with aiohttp.ClientSession() as http:
            customer = Customer("919400000001", http)
            for step in steps:
                await customer.send(step, [victim.url])
            await settled(postgres_url, expected_messages=len(steps))
            before = len(recorder.replies[customer.wa_id])
            held = admin.transaction()
            await held.start()
            recorder.held, recorder.release = asyncio.Event(), asyncio.Event()
            if where == "reserving":
                await admin.execute("SELECT 1 FROM inventory WHERE product_id = 'ghee-1l' FOR UPDATE")
            elif where == "committing":
                await admin.execute("LOCK TABLE outbox IN SHARE MODE")
            else:
                recorder.hold = True
            await customer.send(("choice", "confirm"), [victim.url])  # answered 200: in the inbox
            if where in ("reserving", "committing"):
                await blocked_on(admin)
                if where == "committing":
                    # Another writer may wait for the lock first (the other worker reclaiming a send
                    # whose 1 s lease ran out on a loaded host): the victim is there once it placed.
                    await placed_by_now(admin)
            else:
                await asyncio.wait_for(recorder.held.wait(), 10)
            orders_when_killed = await admin.fetchval("SELECT count(*) FROM orders")
            victim.kill()
            recorder.hold = False
            recorder.release.set()
            await held.rollback()
            assert orders_when_killed == (0 if where == "reserving" else 1)
        ledger = await settled(postgres_url, expected_messages=len(steps) + 1, within=15.0)
        assert ledger.pending_inbox == 0 and ledger.pending_outbox == 0, survivor.tail()
        assert sum(ledger.orders.values()) == 1 and ledger.ghee_orders == 1
        answers = placed_replies(recorder, customer.wa_id)
        assert len(answers) == 1, [r.body for r in recorder.replies[customer.wa_id][before:]]
        store = PostgresStore(postgres_url)
        await store.open()
        try:
            assert (await store.inventory(["ghee-1l"]))["ghee-1l"].stock == 0
            if coupon:  # the rerun confirmed the order that holds the last use, not "used up"
                assert await store.claim_counts(["discount:LAST1"]) == {"discount:LAST1": 1}
                [order] = await store.list_orders()
                assert "coupon:LAST1" in dict(order.adjustments)
        finally:
            await store.close()
    finally:
        with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError):
            await admin.close()
