"""Scheduled jobs in a running shop: due by the shop's clock, run once, retried with backoff, kept
across a restart and taken over from a worker that died; a plugin's kind registered by its hook."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest

import chatshop.jobs
from chatshop.hookspecs import hookimpl
from chatshop.jobs import LEASE_SECONDS, MAX_ATTEMPTS, Job
from chatshop.plugin_manager import PluginError, Plugins
from chatshop.runtime import Shop
from tests.conftest import SHOP_TOML, ShopFactory, on_storage

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
TOML = SHOP_TOML.replace("[storage]", '[plugins]\nmodules = ["reminder_plugin"]\n\n[storage]')


class Reminders:
    """What the test plugin's job handler saw, and whether it should fail."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any], int]] = []
        self.failing = False
        self.hold: asyncio.Event | None = None  # the job "long", the first time it runs, waits for it
        self.started = asyncio.Event()

    async def remind(self, shop: Shop, job: Job) -> None:
        if job.key == "long" and self.hold is not None and not self.started.is_set():
            self.started.set()
            await self.hold.wait()
        if self.failing:
            raise TimeoutError("the messenger is away")
        self.ran.append((job.key, job.payload, job.attempts))
        await shop.notify(job.payload["customer"], *[])


@pytest.fixture
def reminders() -> Iterator[Reminders]:
    seen = Reminders()
    module = ModuleType("reminder_plugin")

    @hookimpl
    def register_jobs(register: Any) -> None:
        register("remind", seen.remind)

    module.register_jobs = register_jobs  # type: ignore[attr-defined]
    sys.modules["reminder_plugin"] = module
    yield seen
    del sys.modules["reminder_plugin"]


def at(shop: Shop, moment: datetime) -> None:
    shop.clock = lambda: moment


async def test_register_jobs_a_job_runs_once_when_due(reminders: Reminders, make_shop: ShopFactory) -> None:
    # The sweeper runs due jobs too: a long sweep keeps it out of the test's way.
    async with make_shop(TOML, sweep_seconds=3600) as h:
        at(h.shop, T0)
        assert await h.shop.jobs.schedule("remind", "cart-1", T0 + timedelta(minutes=30), {"customer": "terminal:a"})
        assert not await h.shop.jobs.schedule("remind", "cart-1", T0 + timedelta(minutes=5), {"customer": "x"})
        assert await h.shop.jobs.run_due() == 0
        at(h.shop, T0 + timedelta(minutes=30))  # the shop's clock moved, not slept
        assert await h.shop.jobs.run_due() == 1
        assert await h.shop.jobs.run_due() == 0
        assert reminders.ran == [("cart-1", {"customer": "terminal:a"}, 1)]
        job = await h.shop.store.get_job("remind", "cart-1")
        assert job is not None and job.status == "done"


async def test_a_cancelled_job_never_runs(reminders: Reminders, make_shop: ShopFactory) -> None:
    async with make_shop(TOML) as h:
        await h.shop.jobs.schedule("remind", "order-K7M", T0, {"customer": "terminal:a"})
        assert await h.shop.jobs.cancel("remind", "order-K7M")
        assert await h.shop.jobs.run_due(T0 + timedelta(days=1)) == 0
        assert reminders.ran == []


async def test_a_failing_job_is_retried_with_backoff_then_kept_dead(
    reminders: Reminders, make_shop: ShopFactory
) -> None:
    async with make_shop(TOML) as h:
        await h.shop.jobs.schedule("remind", "k", T0, {"customer": "terminal:a"})
        reminders.failing = True
        now = T0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert await h.shop.jobs.run_due(now) == 0
            job = await h.shop.store.get_job("remind", "k")
            assert job is not None and job.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert job.status == "pending" and job.due_at > now  # later, not at once
                assert await h.shop.jobs.run_due(now) == 0  # not before its new time
                now = job.due_at
        assert job.status == "dead"
        reminders.failing = False
        assert await h.shop.jobs.run_due(now + timedelta(days=30)) == 0
        assert reminders.ran == []


async def test_a_job_survives_a_restart_and_a_dead_workers_lease(
    reminders: Reminders, make_shop: ShopFactory, tmp_path: Any
) -> None:
    folder = tmp_path / "kept"
    async with make_shop(TOML, directory=folder) as h:
        await h.shop.jobs.schedule("remind", "held-by-the-dead", T0 - timedelta(minutes=1), {"customer": "terminal:b"})
        await h.shop.jobs.schedule("remind", "after-restart", T0, {"customer": "terminal:a"})
        # A worker claims the first job and is SIGKILLed before it finishes: its lease is all that is left.
        (held,) = await h.shop.store.claim_due_jobs(T0, "killed-worker", 120, 1)
        assert held.key == "held-by-the-dead"
    async with make_shop(TOML, directory=folder) as h:  # a new process on the same database
        assert await h.shop.jobs.run_due(T0 + timedelta(seconds=60)) == 1  # the unclaimed one; the other is leased
        assert await h.shop.jobs.run_due(T0 + timedelta(seconds=121)) == 1  # the lease lapsed: taken over
        assert sorted(key for key, _, _ in reminders.ran) == ["after-restart", "held-by-the-dead"]


async def test_a_job_running_longer_than_its_lease_is_not_taken_over_by_another_worker(
    reminders: Reminders, make_shop: ShopFactory, storage: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live catalog's refresh may read a big store for minutes: the worker running it keeps its
    lease, so a second worker never starts the same job beside it (nor do the batch's later jobs)."""
    monkeypatch.setattr(chatshop.jobs, "RENEW_SECONDS", 0.001)  # the renewal's own pace, not a clock in the test
    toml, folder = on_storage(TOML, storage), tmp_path / "shared"
    async with make_shop(toml, directory=folder, sweep_seconds=3600) as a, make_shop(
        toml, directory=folder, sweep_seconds=3600
    ) as b:
        for key in ("long", "next-in-batch"):
            await a.shop.jobs.schedule("remind", key, T0, {"customer": "terminal:a"})
        at(a.shop, T0)
        reminders.hold = asyncio.Event()
        running = asyncio.create_task(a.shop.jobs.run_due())
        try:
            await reminders.started.wait()
            later = T0 + timedelta(seconds=LEASE_SECONDS * 3)
            at(a.shop, later)  # the long job is still running when its first lease would have lapsed
            for _ in range(2_000):  # renewed from worker A's clock, once the renewal comes round
                if await lease_until(b.shop, "next-in-batch") > later:
                    break
                await asyncio.sleep(0.001)
            assert await b.shop.jobs.run_due(later + timedelta(seconds=1)) == 0
        finally:
            reminders.hold.set()
            ran = await running
        assert ran == 2
        assert sorted(key for key, _, _ in reminders.ran) == ["long", "next-in-batch"]


async def lease_until(shop: Shop, key: str) -> datetime:
    """When the job's lease lapses, as the database holds it."""
    job = await shop.store.get_job("remind", key)
    assert job is not None and job.lease_until is not None
    return job.lease_until


async def test_scheduling_a_kind_no_plugin_runs_is_an_error(make_shop: ShopFactory) -> None:
    async with make_shop() as h:
        with pytest.raises(LookupError, match="remind"):
            await h.shop.jobs.schedule("remind", "k", T0)


def test_two_plugins_registering_one_kind_is_an_error_naming_it(reminders: Reminders) -> None:
    other = ModuleType("other_reminders")

    @hookimpl
    def register_jobs(register: Any) -> None:
        register("remind", lambda shop, job: None)

    other.register_jobs = register_jobs  # type: ignore[attr-defined]
    sys.modules["other_reminders"] = other
    try:
        with pytest.raises(PluginError, match="'remind'"):
            Plugins(["reminder_plugin", "other_reminders"], entry_points=False).job_handlers()
    finally:
        del sys.modules["other_reminders"]


def test_a_plugin_may_not_take_a_job_kind_of_the_core() -> None:
    """``chatshop.*`` kinds are the core's (an order's owed effects): a plugin's handler for one
    would run instead of them."""
    squatter = ModuleType("squatting_jobs")

    @hookimpl
    def register_jobs(register: Any) -> None:
        register("chatshop.order_effects", lambda shop, job: None)

    squatter.register_jobs = register_jobs  # type: ignore[attr-defined]
    sys.modules["squatting_jobs"] = squatter
    try:
        with pytest.raises(PluginError, match=r"chatshop\.order_effects"):
            Plugins(["squatting_jobs"], entry_points=False).job_handlers()
    finally:
        del sys.modules["squatting_jobs"]
