"""Durable scheduled work: a reminder, a time-out, a sync, due at a time and run once across workers.

A plugin registers what a kind of job does (``register_jobs``) and schedules jobs with
``shop.jobs.schedule(kind, key, due_at, payload)``. Jobs live with the shop's data, so a restart, a
SIGKILL or another worker loses none: each worker's sweeper claims the due ones under a lease
(``Store.claim_due_jobs``, renewed while it runs them, however long), runs them, and marks them
done. A job whose handler raises is tried again later with backoff, up to ``MAX_ATTEMPTS``; then
it is kept as dead and the owner alerted.

A job is idempotent by ``(kind, key)``: scheduling a key that is pending or done again changes
nothing (one cart reminder per cart), unless ``replace=True`` (a later time-out after a new
reply). ``cancel`` drops a pending job that is no longer relevant (an order confirmed before its
reminder). A handler may run twice if its worker dies between its work and the "done" mark, so it
checks the state it acts on (the order is still unconfirmed) before acting.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import structlog

if TYPE_CHECKING:
    from chatshop.runtime import Shop

__all__ = ["MAX_ATTEMPTS", "Job", "JobHandler", "Jobs"]

log = structlog.get_logger("chatshop.jobs")

#: Tries before a failing job is kept as dead (with backoff, about a day in all).
MAX_ATTEMPTS = 8
#: How long a worker may hold a claimed job before another may take it over (it died).
LEASE_SECONDS = 120.0
#: How often a worker running jobs renews the leases of those it still holds: a job may run for
#: longer than a lease (a live catalog's refresh reads a big store for minutes), and the batch's
#: later jobs wait behind it; neither may be taken over while their worker lives.
RENEW_SECONDS = LEASE_SECONDS / 4
#: Jobs claimed per sweep; the rest wait for the next (a backlog never holds one worker for long).
BATCH = 50


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job. ``attempts`` counts this run (1 the first time)."""

    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 1
    customer_key: str | None = None
    status: str = "pending"  # pending, done, or dead (failed MAX_ATTEMPTS times)
    lease_until: datetime | None = None  # while a worker holds it: when another may take it over


JobHandler: TypeAlias = Callable[["Shop", Job], Awaitable[None] | None]


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most 6 h between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


class Jobs:
    """The shop's scheduled jobs: schedule, cancel, and run what is due."""

    def __init__(self, shop: Shop, handlers: Mapping[str, JobHandler]) -> None:
        self.shop = shop
        self.handlers = dict(handlers)

    async def schedule(
        self,
        kind: str,
        key: str,
        due_at: datetime,
        payload: Mapping[str, Any] | None = None,
        *,
        customer_key: str | None = None,
        replace: bool = False,
    ) -> bool:
        """Schedule ``kind`` for ``key`` at ``due_at``; True if a job was created (or moved).

        ``customer_key`` ties the job to a customer: ``chatshop forget`` drops it with their data.
        """
        if kind not in self.handlers:
            raise LookupError(f"no plugin registered the job kind {kind!r}")
        text = json.dumps(dict(payload or {}), ensure_ascii=False, separators=(",", ":"))
        return await self.shop.store.schedule_job(kind, key, due_at, text, customer_key=customer_key, replace=replace)

    async def cancel(self, kind: str, key: str) -> bool:
        """Drop the pending job ``(kind, key)``; True if there was one."""
        return await self.shop.store.cancel_job(kind, key)

    async def run_due(self, now: datetime | None = None) -> int:
        """Claim and run the jobs due by ``now`` (the shop's clock); how many ran to the end."""
        now = now or self.shop.now()
        store = self.shop.store
        claimed = await store.claim_due_jobs(now, self.shop.worker_id, LEASE_SECONDS, BATCH)
        if not claimed:
            return 0
        held = {job.id for job in claimed}
        keeper = asyncio.create_task(self._keep_leases(held))
        try:
            return await self._run(claimed, now, held)
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _keep_leases(self, held: set[int]) -> None:
        """Renew the leases of the jobs this worker still holds until it has run them all."""
        while held:
            await asyncio.sleep(RENEW_SECONDS)
            until = self.shop.now() + timedelta(seconds=LEASE_SECONDS)
            try:
                await self.shop.store.extend_job_leases(sorted(held), self.shop.worker_id, until)
            except Exception as error:  # the database away for a moment: the next renewal may do
                log.warning("job.lease_not_renewed", error=type(error).__name__)

    async def _run(self, claimed: list[Job], now: datetime, held: set[int]) -> int:
        store = self.shop.store
        done = 0
        for job in claimed:
            handler = self.handlers.get(job.kind)
            if handler is None:  # its plugin left the shop: kept, for when it comes back
                held.discard(job.id)
                log.warning("job.no_handler", kind=job.kind, job=job.id)
                await store.retry_job(job.id, self.shop.worker_id, now + timedelta(hours=1), "no handler")
                continue
            try:
                result = handler(self.shop, job)
                if result is not None:
                    await result
            except Exception as error:  # the database or a messenger away too: tried again later
                held.discard(job.id)
                await self._failed(job, now, error)
                continue
            held.discard(job.id)
            await store.finish_job(job.id, self.shop.worker_id)
            done += 1
        return done

    async def _failed(self, job: Job, now: datetime, error: Exception) -> None:
        reason = type(error).__name__
        if job.attempts >= MAX_ATTEMPTS:
            log.error("job.dead", alert=True, kind=job.kind, job=job.id, attempts=job.attempts, error=reason)
            await self.shop.store.bury_job(job.id, self.shop.worker_id, reason)
            return
        log.warning("job.failed", exc_info=error, kind=job.kind, job=job.id, attempts=job.attempts)
        await self.shop.store.retry_job(job.id, self.shop.worker_id, now + backoff(job.attempts), reason)
