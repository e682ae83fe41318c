"""Run work per key, one at a time for each key and concurrently across keys.

Messages of one customer must be handled in order; different customers must not wait for each
other. ``kick(key)`` says "this key has work"; a task per busy key drains it and then ends, so idle
customers cost nothing and there is no process-wide lock on the message path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


class SerialRunner:
    def __init__(self, work: Callable[[str], Awaitable[None]], *, name: str, concurrency: int = 64) -> None:
        self._work = work
        self._name = name
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._closed = False

    def kick(self, key: str) -> None:
        """Make sure ``key``'s work runs soon; a kick during a run makes it run once more."""
        if self._closed:
            return
        if key in self._tasks:
            self._again.add(key)
            return
        self._tasks[key] = asyncio.create_task(self._run(key), name=f"{self._name}:{key[:12]}")

    async def _run(self, key: str) -> None:
        try:
            while True:
                self._again.discard(key)
                async with self._slots:
                    try:
                        await self._work(key)
                    except Exception:
                        log.exception("serial.work_failed", runner=self._name, customer=key)
                if key not in self._again or self._closed:
                    break
        finally:
            self._tasks.pop(key, None)
            self._again.discard(key)

    def running(self, key: str) -> bool:
        """Whether ``key``'s work is running or about to (a kick now only makes it run once more)."""
        return key in self._tasks

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until no key has work in progress (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def close(self, grace: float = 10.0) -> None:
        """Stop taking kicks and let running work finish (it is durable: unfinished work resumes)."""
        self._closed = True
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
