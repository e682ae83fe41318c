"""Group commit for whole statements: calls that arrive while the database is busy go together.

A call made while none of its kind is on its way to the database runs alone, at once, so a quiet
shop waits for nothing. Calls made while one is on its way queue, and go together in one statement
as soon as it returns (at most ``limit``, in arrival order). Under load, one round trip and one
commit then serve many messages: PostgreSQL's own group commit shares a disk flush among
transactions; this shares the statement, the round trip and the commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["Batches"]

A = TypeVar("A")
R = TypeVar("R")


class Batches(Generic[A, R]):
    """Run calls of one kind through ``run``, batched while one is in flight.

    ``run`` takes a list of arguments and returns one result per argument, in order, in one
    transaction. If a batch of several fails with an error that is not the database's fault
    (``faults``: a lost connection, a server restart), nothing of it committed, and each call is
    run alone so that one bad argument fails only its own caller. A fault fails every caller of
    the batch, as it would have failed each of them alone.
    """

    def __init__(
        self,
        run: Callable[[list[A]], Awaitable[list[R]]],
        faults: tuple[type[BaseException], ...],
        limit: int = 64,
    ) -> None:
        self._run = run
        self._faults = faults
        self._limit = limit
        self._waiting: list[tuple[A, asyncio.Future[R]]] = []
        self._busy = False
        self._flusher: asyncio.Task[None] | None = None
        #: Batches run and calls they carried, for the benchmark and the tests.
        self.batches = 0
        self.calls = 0

    async def __call__(self, argument: A) -> R:
        if self._busy:
            future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
            self._waiting.append((argument, future))
            return await future
        self._busy = True
        try:
            self.batches += 1
            self.calls += 1
            (result,) = await self._run([argument])
            return result
        finally:
            self._next()

    def _next(self) -> None:
        """Start the batch that queued meanwhile, or become idle."""
        if not self._waiting:
            self._busy = False
            return
        batch, self._waiting = self._waiting[: self._limit], self._waiting[self._limit :]
        self._flusher = asyncio.get_running_loop().create_task(self._flush(batch))

    async def _flush(self, batch: list[tuple[A, asyncio.Future[R]]]) -> None:
        try:
            await self._settle(batch)
        finally:
            self._next()

    async def _settle(self, batch: list[tuple[A, asyncio.Future[R]]]) -> None:
        self.batches += 1
        self.calls += len(batch)
        try:
            results = await self._run([argument for argument, _ in batch])
        except self._faults as error:
            _fail(batch, error)
        except Exception as error:
            if len(batch) == 1:
                _fail(batch, error)
                return
            for argument, future in batch:  # one bad argument: the others go through on their own
                try:
                    (result,) = await self._run([argument])
                except Exception as alone:
                    _fail([(argument, future)], alone)
                else:
                    if not future.done():
                        future.set_result(result)
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # its caller may have been cancelled meanwhile
                    future.set_result(result)


def _fail(batch: list[tuple[A, asyncio.Future[R]]], error: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(error)
