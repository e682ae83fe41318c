"""Group commit for whole statements: calls that arrive while the database is busy go together.

A call made while none of its kind is on its way to the database runs alone, at once, so a quiet
shop waits for nothing. Calls made while one is on its way queue, and go together in one statement
as soon as it returns (at most ``limit``, in arrival order). Under load, one round trip and one
commit then serve many messages: PostgreSQL's own group commit shares a disk flush among
transactions; this shares the statement, the round trip and the commit.

A worker that is busy but not flat out (one of several sharing a load) often has nothing of a kind
on its way when the next call comes, and would send most calls alone. So while calls of a kind come
on average less than three ``linger`` apart, one made with nothing of its kind on its way waits ``linger``
for company, as PostgreSQL's ``commit_delay`` waits for other commits when enough transactions are
open.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Batches"]

A = TypeVar("A")
R = TypeVar("R")
_Waiting = list[tuple[A, asyncio.Future[R]]]
#: How much one gap between calls moves the pace: after a quiet second the pace is 200 ms at least.
_PACE_WEIGHT = 0.2
#: Waiting ``linger`` pays while calls come at most this many ``linger`` apart on average: a third
#: of a call or more is then expected to join, and each that joins saves a round trip and a commit.
_WORTH_WAITING = 3


class Batches(Generic[A, R]):
    """Run calls of one kind through ``run``, batched while one is in flight.

    ``run`` takes a list of arguments and returns one result per argument, in order, in one
    transaction. When a batch of several fails, nothing of it committed, and:

    - an error in ``split_on`` (a lock the batch waited for too long, a deadlock with another
      worker's batch: things the batch's size brought about) or any error that is not the
      database's fault runs each call alone, so only a call that fails alone fails; calls of
      different ``key`` (customers) alone run side by side, those of one key in order;
    - a fault (``faults``: the connection lost, the server restarting) fails every caller of the
      batch, as it would have failed each of them alone.

    With ``linger``, while calls come on average less than three times that apart, a call made
    while none is on its way waits up to ``linger`` for others to go with (or until ``limit`` have come).

    A batch on its way longer than ``patience`` (it waits for a customer's locked row, or the
    database is slow) does not hold up the calls queued behind it: they go at once, as a batch of
    their own. A caller that gives up (is cancelled) before its batch leaves is dropped from it:
    a turn cancelled at shutdown must not commit after its worker gave the turn's lease back.
    """

    def __init__(
        self,
        run: Callable[[list[A]], Awaitable[list[R]]],
        faults: tuple[type[BaseException], ...],
        *,
        split_on: tuple[type[BaseException], ...] = (),
        key: Callable[[A], Hashable] | None = None,
        limit: int = 64,
        patience: float = 0.02,
        linger: float = 0.0,
    ) -> None:
        self._run = run
        self._faults = faults
        self._split_on = split_on
        self._key = key
        self._limit = limit
        self._patience = patience
        self._linger = linger
        self._waiting: _Waiting[A, R] = []
        self._in_flight = 0
        #: Bumped by close() and a new event loop: a call or batch of an earlier epoch returning
        #: afterwards no longer counts itself off ``_in_flight`` (set to 0 then).
        self._epoch = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        #: When the last call came (loop time), the average time between calls (a moving average:
        #: the worker's pace, not one gap's luck), and the timer of a batch waiting for company.
        self._last_call = -math.inf
        self._pace = math.inf
        self._lingering: asyncio.TimerHandle | None = None
        self._flushers: set[asyncio.Task[None]] = set()
        #: Batches run and calls they carried, for the benchmark and the tests.
        self.batches = 0
        self.calls = 0

    async def __call__(self, argument: A) -> R:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (the store reused by another asyncio.run)
            self._loop, self._waiting, self._in_flight, self._timer, self._flushers = loop, [], 0, None, set()
            self._last_call, self._pace, self._lingering = -math.inf, math.inf, None
            self._epoch += 1
        busy = self._busy(loop.time())  # every call counts towards the pace, queued or not
        if self._in_flight or self._lingering is not None or busy:
            future: asyncio.Future[R] = loop.create_future()
            self._waiting.append((argument, future))
            if self._in_flight:
                if self._timer is None:
                    self._timer = loop.call_later(self._patience, self._overdue)
            elif len(self._waiting) >= self._limit:  # full: nobody more could come with it
                self._next()
            elif self._lingering is None:
                self._lingering = loop.call_later(self._linger, self._next)
            return await future
        epoch = self._epoch
        self._in_flight += 1
        try:
            self.batches += 1
            self.calls += 1
            (result,) = await self._run([argument])
            return result
        finally:
            self._done(epoch)

    def _busy(self, now: float) -> bool:
        """Whether calls come often enough to wait ``linger`` for company (a quiet shop's never do)."""
        gap, self._last_call = now - self._last_call, now
        self._pace = gap if math.isinf(self._pace) else self._pace + (gap - self._pace) * _PACE_WEIGHT
        return self._pace < self._linger * _WORTH_WAITING

    async def close(self) -> None:
        """Stop: batches still on their way are cancelled (their callers gave up: the store
        closes after the turns stopped), and calls still queued are cancelled."""
        self._epoch += 1  # what is on its way now returns uncounted: nothing is on its way after
        self._in_flight = 0
        for timer in (self._timer, self._lingering):
            if timer is not None:
                timer.cancel()
        self._timer = self._lingering = None
        waiting, self._waiting = self._waiting, []
        for _, future in waiting:
            future.cancel()
        flushers, self._flushers = list(self._flushers), set()
        for flusher in flushers:
            flusher.cancel()
        await asyncio.gather(*flushers, return_exceptions=True)

    def _overdue(self) -> None:
        """The batch on its way is slow: what queued behind it goes now, on its own."""
        self._timer = None
        self._next()

    def _next(self) -> None:
        """Start the batch that queued meanwhile, if any."""
        if self._lingering is not None:
            self._lingering.cancel()
            self._lingering = None
        loop = self._loop
        waiting = [(argument, future) for argument, future in self._waiting if not future.done()]
        if not waiting or loop is None or loop.is_closed():
            self._waiting = []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return
        batch, self._waiting = waiting[: self._limit], waiting[self._limit :]
        if not self._waiting and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._in_flight += 1
        flusher = loop.create_task(self._flush(batch, self._epoch))
        self._flushers.add(flusher)
        flusher.add_done_callback(self._flushers.discard)
        # a flusher cancelled before it first ran (close() in the step that made it) never runs
        # _settle: its callers are cancelled here, as close() cancels the calls still queued
        flusher.add_done_callback(lambda _: _abandon(batch))

    async def _flush(self, batch: _Waiting[A, R], epoch: int) -> None:
        try:
            await self._settle(batch)
        finally:
            self._done(epoch)

    def _done(self, epoch: int) -> None:
        """A call or batch of ``epoch`` returned: one fewer on its way, and the next may go."""
        if epoch == self._epoch:  # else close() or a new loop already counted it off
            self._in_flight -= 1
            self._next()

    async def _settle(self, batch: _Waiting[A, R]) -> None:
        batch = [(argument, future) for argument, future in batch if not future.done()]
        if not batch:
            return
        self.batches += 1
        self.calls += len(batch)
        try:
            try:
                results = await self._run([argument for argument, _ in batch])
            except self._split_on:
                await self._one_by_one(batch)
            except self._faults as error:
                _fail(batch, error)
            except Exception as error:
                if len(batch) == 1:
                    _fail(batch, error)
                else:
                    await self._one_by_one(batch)
            else:
                if len(results) != len(batch):  # a bug in run: no answer goes to the wrong call
                    _fail(batch, RuntimeError(f"a batch of {len(batch)} calls returned {len(results)} results"))
                    return
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # its caller may have been cancelled meanwhile
                        future.set_result(result)
        except BaseException:
            for _, future in batch:  # cancelled itself (shutdown): no caller is left waiting
                future.cancel()
            raise

    async def _one_by_one(self, batch: _Waiting[A, R]) -> None:
        """Each call alone: one key's calls in order, different keys' side by side."""
        by_key: dict[Hashable, _Waiting[A, R]] = {}
        for argument, future in batch:
            by_key.setdefault(self._key(argument) if self._key else None, []).append((argument, future))
        await asyncio.gather(*(self._alone(calls) for calls in by_key.values()))

    async def _alone(self, calls: _Waiting[A, R]) -> None:
        for argument, future in calls:
            if future.done():
                continue
            try:
                (result,) = await self._run([argument])
            except Exception as alone:
                _fail([(argument, future)], alone)
            else:
                if not future.done():
                    future.set_result(result)


def _abandon(batch: _Waiting[A, R]) -> None:
    for _, future in batch:
        future.cancel()  # a no-op for those answered


def _fail(batch: _Waiting[A, R], error: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(error)
