"""One thread that owns the SQLite connection and commits queued writes together (group commit).

Every store call is a small function of the connection. Calls queue up while the thread is busy;
the thread then takes all of them at once and runs the writes among them in one transaction, so a
burst of a hundred inbound messages costs one commit instead of a hundred. Writes run without
savepoints (a pair costs more than a typical write): when one fails, the transaction is rolled back
and the others run again, each in its own savepoint, so a failing call still undoes only itself.
A write function must therefore act only through the connection; it may run twice. A caller's
future resolves only after the commit that holds its write, so "recorded" still means "on disk".
Reads see only committed data: an open group is committed before a read runs. Results go back to
the event loop with one wake-up for all that are ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

__all__ = ["SQLiteThread"]

T = TypeVar("T")

Call = Callable[[sqlite3.Connection], Any]


@dataclass(slots=True)
class _Op:
    fn: Call
    write: bool
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


_Outcome = tuple[_Op, Any, BaseException | None]


class SQLiteThread:
    def __init__(self, name: str = "chatshop-sqlite") -> None:
        self._queue: queue.SimpleQueue[list[_Op] | None] = queue.SimpleQueue()
        #: Calls made during the current turn of the event loop, handed over together at its end:
        #: one wake-up of the thread for all of them, not one each.
        self._outgoing: list[_Op] = []
        self._thread: threading.Thread | None = None
        self._name = name
        self.db: sqlite3.Connection | None = None
        self._ready: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        self._ready_lock = threading.Lock()

    def _ensure_started(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
            self._thread.start()

    async def call(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
        """Run ``fn(connection)`` on the thread; with ``write``, inside a (shared) transaction."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._outgoing:
            loop.call_soon(self._flush)
        self._outgoing.append(_Op(fn, write, future, loop))
        return await future

    def _flush(self) -> None:
        if self._outgoing:
            ops, self._outgoing = self._outgoing, []
            self._queue.put(ops)

    async def stop(self) -> None:
        """Finish what is queued, then end the thread."""
        if self._thread is None:
            return
        self._flush()
        self._queue.put(None)
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
        self._thread = None

    # --- on the thread -------------------------------------------------------------------------
    def _serve(self) -> None:
        while True:
            handed = [self._queue.get()]
            while True:
                try:
                    handed.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._run_batch([op for ops in handed if ops is not None for op in ops])
            if None in handed:
                return

    def _run_batch(self, batch: list[_Op]) -> None:
        done: list[_Outcome] = []
        group: list[_Outcome] = []
        for index, op in enumerate(batch):
            try:
                if op.write:
                    if not group:
                        self._connection().execute("BEGIN IMMEDIATE")
                    self._write(group, op)
                else:
                    if group:
                        done.extend(self._commit(group))
                        group = []
                    done.append(self._plain(op))
            except BaseException as e:
                self._rollback()
                done.extend((o, None, e) for o, _, _ in group)
                done.append((op, None, e))
                group = []
                if not isinstance(e, Exception):
                    done.extend((o, None, e) for o in batch[index + 1 :])
                    break
        if group:
            done.extend(self._commit(group))
        for outcome in done:
            self._hand_back(outcome)

    def _write(self, group: list[_Outcome], op: _Op) -> None:
        """Run ``op`` in the open transaction after the writes of ``group``, and add its outcome."""
        db = self._connection()
        try:
            group.append((op, op.fn(db), None))
            return
        except Exception as e:
            failed: _Outcome = (op, None, e)
        # ``op`` may have written part of its work: undo the transaction, then redo the group's
        # earlier writes, each in a savepoint now, without it.
        db.execute("ROLLBACK")
        db.execute("BEGIN IMMEDIATE")
        group[:] = [self._in_savepoint(o) if error is None else (o, result, error) for o, result, error in group]
        group.append(failed)

    def _hand_back(self, outcome: _Outcome) -> None:
        """Queue a result for its event loop, waking the loop only if no wake-up is on its way:
        a busy loop takes several batches' results in one go instead of one wake-up per batch."""
        loop = outcome[0].loop
        with self._ready_lock:
            waiting = self._ready.get(loop)
            if waiting is not None:
                waiting.append(outcome)
                return
            self._ready[loop] = [outcome]
        try:
            loop.call_soon_threadsafe(self._deliver, loop)
        except RuntimeError:  # a closed loop: nobody is waiting any more
            with self._ready_lock:
                self._ready.pop(loop, None)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the event loop: resolve every result queued for it since it was woken."""
        with self._ready_lock:
            outcomes = self._ready.pop(loop, [])
        _resolve(outcomes)

    def _rollback(self) -> None:
        if self.db is not None and self.db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")

    def _connection(self) -> sqlite3.Connection:
        if self.db is None:
            raise RuntimeError("store is not open")
        return self.db

    def _in_savepoint(self, op: _Op) -> _Outcome:
        db = self._connection()
        db.execute("SAVEPOINT call")
        try:
            result = op.fn(db)
        except Exception as e:
            db.execute("ROLLBACK TO call")  # if this fails, the whole group fails (see _run_batch)
            db.execute("RELEASE call")
            return (op, None, e)
        db.execute("RELEASE call")
        return (op, result, None)

    def _commit(self, group: list[_Outcome]) -> list[_Outcome]:
        db = self._connection()
        try:
            db.execute("COMMIT")
        except Exception as e:
            self._rollback()
            return [(op, None, e) for op, _, _ in group]
        return group

    def _plain(self, op: _Op) -> _Outcome:
        try:
            # ``self.db`` is None only for the call that opens the connection, which ignores it
            return (op, op.fn(cast(sqlite3.Connection, self.db)), None)
        except Exception as e:
            return (op, None, e)


def _resolve(outcomes: list[_Outcome]) -> None:
    for op, result, error in outcomes:
        if op.future.done():
            continue  # the caller gave up (cancelled); the work is done all the same
        if error is not None:
            op.future.set_exception(error)
        else:
            op.future.set_result(result)
