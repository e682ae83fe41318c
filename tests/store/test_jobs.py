"""The scheduled-jobs contract, on SQLite and PostgreSQL: idempotent by key, claimed by one worker
at a time, taken over when a worker dies, kept done so a key never runs twice, erased with a customer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chatshop.store.base import Store

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


async def test_a_key_is_scheduled_once_unless_replaced(store: Store) -> None:
    assert await store.schedule_job("remind", "cart-1", T0, '{"n":1}', customer_key="web:a", replace=False)
    assert not await store.schedule_job(
        "remind", "cart-1", T0 + timedelta(hours=1), '{"n":2}', customer_key=None, replace=False
    )
    job = await store.get_job("remind", "cart-1")
    assert job is not None and job.due_at == T0 and job.payload == {"n": 1} and job.customer_key == "web:a"
    assert await store.schedule_job(
        "remind", "cart-1", T0 + timedelta(hours=1), '{"n":2}', customer_key=None, replace=True
    )
    job = await store.get_job("remind", "cart-1")
    assert job is not None and job.due_at == T0 + timedelta(hours=1) and job.payload == {"n": 2}
    assert await store.get_job("remind", "cart-2") is None
    assert await store.get_job("other", "cart-1") is None


async def test_only_due_jobs_are_claimed_in_due_order_and_counted(store: Store) -> None:
    await store.schedule_job("k", "late", T0 + timedelta(minutes=5), "{}", customer_key=None, replace=False)
    await store.schedule_job("k", "b", T0, "{}", customer_key=None, replace=False)
    await store.schedule_job("k", "a", T0 - timedelta(minutes=1), "{}", customer_key=None, replace=False)
    claimed = await store.claim_due_jobs(T0, "w1", 60, 10)
    assert [job.key for job in claimed] == ["a", "b"]
    assert all(job.attempts == 1 for job in claimed)
    assert await store.claim_due_jobs(T0, "w2", 60, 10) == []  # leased to w1


async def test_a_job_is_claimed_by_one_of_two_racing_workers(store: Store, twin: Callable[[], Store]) -> None:
    for n in range(20):
        await store.schedule_job("k", f"job-{n}", T0, "{}", customer_key=None, replace=False)
    other = twin()
    await other.open()
    try:
        first, second = await asyncio.gather(
            store.claim_due_jobs(T0, "w1", 60, 15), other.claim_due_jobs(T0, "w2", 60, 15)
        )
    finally:
        await other.close()
    keys = [job.key for job in first] + [job.key for job in second]
    assert sorted(keys) == sorted(f"job-{n}" for n in range(20))  # each exactly once


async def test_a_dead_workers_job_is_taken_over_after_its_lease(store: Store) -> None:
    await store.schedule_job("k", "x", T0, "{}", customer_key=None, replace=False)
    (claimed,) = await store.claim_due_jobs(T0, "dead-worker", 60, 10)
    assert await store.claim_due_jobs(T0 + timedelta(seconds=59), "w2", 60, 10) == []
    (again,) = await store.claim_due_jobs(T0 + timedelta(seconds=61), "w2", 60, 10)
    assert again.id == claimed.id and again.attempts == 2
    await store.finish_job(claimed.id, "dead-worker")  # the late worker's "done" changes nothing
    job = await store.get_job("k", "x")
    assert job is not None and job.status == "pending"
    await store.finish_job(again.id, "w2")
    job = await store.get_job("k", "x")
    assert job is not None and job.status == "done"


async def test_a_done_key_is_not_scheduled_again_and_cancel_leaves_it(store: Store) -> None:
    await store.schedule_job("k", "once", T0, "{}", customer_key=None, replace=False)
    (job,) = await store.claim_due_jobs(T0, "w", 60, 10)
    await store.finish_job(job.id, "w")
    assert not await store.schedule_job("k", "once", T0, "{}", customer_key=None, replace=False)
    assert not await store.cancel_job("k", "once")
    assert await store.claim_due_jobs(T0 + timedelta(days=1), "w", 60, 10) == []


async def test_cancel_drops_a_pending_job(store: Store) -> None:
    await store.schedule_job("k", "c", T0, "{}", customer_key=None, replace=False)
    assert await store.cancel_job("k", "c")
    assert not await store.cancel_job("k", "c")
    assert await store.get_job("k", "c") is None
    assert await store.claim_due_jobs(T0, "w", 60, 10) == []


async def test_retry_moves_the_job_and_bury_keeps_it_dead(store: Store) -> None:
    await store.schedule_job("k", "r", T0, "{}", customer_key=None, replace=False)
    (job,) = await store.claim_due_jobs(T0, "w", 60, 10)
    await store.retry_job(job.id, "w", T0 + timedelta(minutes=10), "TimeoutError")
    assert await store.claim_due_jobs(T0 + timedelta(minutes=9), "w", 60, 10) == []
    (job,) = await store.claim_due_jobs(T0 + timedelta(minutes=10), "w", 60, 10)
    assert job.attempts == 2
    await store.bury_job(job.id, "w", "ValueError")
    dead = await store.get_job("k", "r")
    assert dead is not None and dead.status == "dead"
    assert await store.claim_due_jobs(T0 + timedelta(days=30), "w", 60, 10) == []
    assert await store.schedule_job("k", "r", T0, "{}", customer_key=None, replace=True)  # revived on purpose


async def test_forgetting_a_customer_drops_their_jobs_and_purge_drops_old_done_ones(store: Store) -> None:
    await store.schedule_job("k", "mine", T0, "{}", customer_key="whatsapp:919812345678", replace=False)
    await store.schedule_job("k", "theirs", T0, "{}", customer_key="whatsapp:919800000000", replace=False)
    await store.forget_customer("whatsapp:919812345678")
    assert await store.get_job("k", "mine") is None
    assert await store.get_job("k", "theirs") is not None
    (job,) = await store.claim_due_jobs(T0, "w", 60, 10)
    await store.finish_job(job.id, "w")
    await store.schedule_job("k", "pending", T0, "{}", customer_key=None, replace=False)
    now = datetime.now(UTC)
    await store.purge(now + timedelta(days=2), now + timedelta(days=1))
    assert await store.get_job("k", "theirs") is None  # done, past retention
    assert await store.get_job("k", "pending") is not None  # never purged while pending
