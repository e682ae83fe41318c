"""Group commit for statements: what waits goes together, what fails alone fails alone."""

from __future__ import annotations

import asyncio

import pytest

from chatshop.store.batches import Batches


class Fault(Exception):
    """The database's fault (a lost connection): it fails every call of its batch."""


class Database:
    """Runs batches when told to, so a test decides what is in flight."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.bad: set[str] = set()
        self.fault = False
        self.arrived = asyncio.Event()

    async def run(self, arguments: list[str]) -> list[str]:
        self.batches.append(list(arguments))
        self.arrived.set()
        await self.gate.wait()
        if self.fault:
            raise Fault("connection lost")
        if self.bad & set(arguments):
            raise ValueError(f"bad argument in {arguments}")
        return [argument.upper() for argument in arguments]


async def test_a_call_alone_runs_at_once_and_alone() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,))
    assert await batches("a") == "A"
    assert await batches("b") == "B"
    assert database.batches == [["a"], ["b"]]


async def test_calls_made_while_one_is_in_flight_go_together_in_arrival_order() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,))
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    rest = [asyncio.create_task(batches(name)) for name in ("b", "c", "d")]
    await asyncio.sleep(0)
    database.gate.set()
    assert await asyncio.gather(first, *rest) == ["A", "B", "C", "D"]
    assert database.batches == [["a"], ["b", "c", "d"]]
    assert (batches.batches, batches.calls) == (2, 4)


async def test_a_batch_holds_at_most_the_limit() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,), limit=2)
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    rest = [asyncio.create_task(batches(name)) for name in ("b", "c", "d", "e", "f")]
    await asyncio.sleep(0)
    database.gate.set()
    assert await asyncio.gather(first, *rest) == ["A", "B", "C", "D", "E", "F"]
    assert database.batches == [["a"], ["b", "c"], ["d", "e"], ["f"]]


async def test_a_bad_argument_fails_only_its_own_call() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,))
    database.bad = {"c"}
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    rest = [asyncio.create_task(batches(name)) for name in ("b", "c", "d")]
    await asyncio.sleep(0)
    database.gate.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    assert results[:2] == ["A", "B"] and isinstance(results[2], ValueError) and results[3] == "D"
    assert database.batches == [["a"], ["b", "c", "d"], ["b"], ["c"], ["d"]]


async def test_a_run_that_answers_the_wrong_number_of_calls_fails_them_with_that_error() -> None:
    database = Database()

    async def short(arguments: list[str]) -> list[str]:
        return (await database.run(arguments))[:1]

    batches = Batches(short, (Fault,))
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    rest = [asyncio.create_task(batches(name)) for name in ("b", "c")]
    await asyncio.sleep(0)
    database.gate.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    assert results[0] == "A"
    assert all(isinstance(result, RuntimeError) and "2 calls returned 1" in str(result) for result in results[1:])
    assert database.batches == [["a"], ["b", "c"]]  # not run again one by one: it may have written


async def test_a_fault_fails_every_call_of_its_batch_and_the_next_ones_still_run() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,))
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    rest = [asyncio.create_task(batches(name)) for name in ("b", "c")]
    await asyncio.sleep(0)
    database.fault = True
    database.gate.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    assert all(isinstance(result, Fault) for result in results)
    assert database.batches == [["a"], ["b", "c"]]  # not tried one by one: the database is away
    database.fault = False
    assert await batches("d") == "D"


async def test_a_caller_that_gives_up_before_its_batch_leaves_is_dropped_from_it() -> None:
    """A turn cancelled at shutdown must not commit after its worker gave the turn's lease back."""
    database = Database()
    batches = Batches(database.run, (Fault,))
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    quitter, stayer = asyncio.create_task(batches("b")), asyncio.create_task(batches("c"))
    await asyncio.sleep(0)
    quitter.cancel()
    database.gate.set()
    assert await first == "A" and await stayer == "C"
    with pytest.raises(asyncio.CancelledError):
        await quitter
    assert database.batches == [["a"], ["c"]]


async def test_a_flusher_cancelled_while_retrying_one_by_one_answers_every_caller() -> None:
    """Shutdown cancelling the batch while its calls run alone leaves no caller waiting for ever."""
    alone_started, alone_gate = asyncio.Event(), asyncio.Event()
    database = Database()

    async def run(arguments: list[str]) -> list[str]:
        if len(arguments) == 1 and len(database.batches) >= 2:  # a retry one by one
            database.batches.append(list(arguments))
            alone_started.set()
            await alone_gate.wait()
            return [a.upper() for a in arguments]
        return await database.run(arguments)

    batches = Batches(run, (Fault,))
    database.bad = {"c"}
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    rest = [asyncio.create_task(batches(name)) for name in ("b", "c", "d")]
    await asyncio.sleep(0)
    database.gate.set()
    await first
    await alone_started.wait()
    await batches.close()  # the store closing: the batch on its way is cancelled
    _, pending = await asyncio.wait(rest, timeout=2)
    assert not pending, f"{len(pending)} callers never got an answer"


def test_a_batch_left_behind_by_a_closed_loop_does_not_block_the_next_loop() -> None:
    """A store used by one asyncio.run and then another (a command, a test with a loop per test)."""

    async def run(arguments: list[int]) -> list[int]:
        await asyncio.sleep(0.05)
        return arguments

    batches: Batches[int, int] = Batches(run, (Fault,))

    async def first_loop() -> None:
        asyncio.get_running_loop().create_task(batches(1))
        asyncio.get_running_loop().create_task(batches(2))
        await asyncio.sleep(0.01)  # 1 in flight, 2 queued; the loop ends

    asyncio.run(first_loop())

    async def second_loop() -> int:
        return await asyncio.wait_for(batches(3), timeout=2)

    assert asyncio.run(second_loop()) == 3


async def test_a_slow_batch_does_not_hold_up_the_calls_behind_it() -> None:
    """One customer's call waiting for a locked row: the others go on their own after the patience."""
    database = Database()
    batches = Batches(database.run, (Fault,), patience=0.01)
    database.gate.clear()
    stuck = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    database.gate = asyncio.Event()  # the next batch is not held
    database.gate.set()
    assert list(await asyncio.wait_for(asyncio.gather(batches("b"), batches("c")), timeout=2)) == ["B", "C"]
    assert database.batches == [["a"], ["b", "c"]]
    stuck.cancel()


async def test_a_batch_that_waited_too_long_for_a_lock_runs_its_calls_alone_side_by_side() -> None:
    class LockTimeout(Exception):
        """What the batch statement raises past its lock timeout."""

    order: list[str] = []

    async def run(arguments: list[str]) -> list[str]:
        if len(arguments) > 1:
            raise LockTimeout
        order.append(arguments[0])
        return [arguments[0].upper()]

    batches = Batches(run, (Fault, LockTimeout), split_on=(LockTimeout,), key=lambda a: a[0])
    gate = asyncio.Event()

    async def leader(arguments: list[str]) -> list[str]:
        await gate.wait()
        return await run(arguments)

    batches._run = leader  # the first call holds the way until the others queued
    first = asyncio.create_task(batches("x"))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(batches(name)) for name in ("a1", "b1", "a2")]
    await asyncio.sleep(0)
    batches._run = run
    gate.set()
    # a deadlock or lock timeout is a fault to the store, but not the calls': each alone succeeds,
    # and one key's calls keep their order
    assert await asyncio.gather(first, *rest) == ["X", "A1", "B1", "A2"]
    assert order.index("a1") < order.index("a2")


async def _settle() -> None:
    """Let every task that can run now run (no time passes)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_calls_coming_close_together_wait_for_company() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,), linger=0.2)
    assert await batches("a") == "A"  # nothing came before it: at once
    lingering = [asyncio.create_task(batches(name)) for name in ("b", "c")]
    await _settle()
    assert database.batches == [["a"]]  # b came right after a: it waits, and c joins it
    assert await asyncio.gather(*lingering) == ["B", "C"]
    assert database.batches == [["a"], ["b", "c"]]


async def test_a_call_after_a_quiet_spell_goes_at_once() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,), linger=0.01)
    await batches("a")
    await asyncio.sleep(0.1)  # calls 0.1 s apart: too far apart for waiting 0.01 s to find company
    database.gate.clear()
    alone = asyncio.create_task(batches("b"))
    await _settle()
    assert database.batches == [["a"], ["b"]]
    database.gate.set()
    assert await alone == "B"


async def test_calls_waiting_for_company_go_when_the_limit_is_reached() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,), limit=2, linger=60)
    await batches("a")
    full = [asyncio.create_task(batches(name)) for name in ("b", "c")]
    await _settle()
    assert database.batches == [["a"], ["b", "c"]]  # not a minute later
    assert await asyncio.gather(*full) == ["B", "C"]


async def test_a_caller_that_gives_up_while_waiting_for_company_is_dropped() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,), linger=0.05)
    await batches("a")
    gone, kept = asyncio.create_task(batches("b")), asyncio.create_task(batches("c"))
    await _settle()
    gone.cancel()
    assert await kept == "C"
    assert database.batches == [["a"], ["c"]]


async def test_closing_cancels_calls_waiting_for_company() -> None:
    database = Database()
    batches = Batches(database.run, (Fault,), linger=60)
    await batches("a")
    waiting = asyncio.create_task(batches("b"))
    await _settle()
    await batches.close()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert database.batches == [["a"]]


async def test_closing_before_a_batch_that_stopped_waiting_for_company_leaves_answers_every_caller() -> None:
    """The limit sent the lingering batch off; the store closes before its flusher first ran: its
    callers are cancelled like every other call still queued, not left waiting for ever."""
    database = Database()
    batches = Batches(database.run, (Fault,), limit=2, linger=60)
    await batches("a")
    full = [asyncio.create_task(batches(name)) for name in ("b", "c")]
    await asyncio.sleep(0)  # b waits for company, c fills the batch: its flusher is made, not yet run
    await batches.close()
    _, pending = await asyncio.wait(full, timeout=2)
    assert not pending, f"{len(pending)} callers never got an answer"
    assert all(call.cancelled() for call in full)
    assert database.batches == [["a"]]


async def test_closing_right_after_a_call_returned_answers_the_calls_queued_behind_it() -> None:
    """The call in flight returns and hands its queue to a new flusher; closing before that one ran."""
    database = Database()
    batches = Batches(database.run, (Fault,))
    database.gate.clear()

    async def then_close() -> None:
        await batches("a")
        await batches.close()  # in the step the call returned in: the flusher it made has not run

    first = asyncio.create_task(then_close())
    await database.arrived.wait()
    queued = asyncio.create_task(batches("b"))
    await asyncio.sleep(0)
    database.gate.set()
    await first
    _, pending = await asyncio.wait([queued], timeout=2)
    assert not pending, "the queued caller never got an answer"
    assert queued.cancelled()


async def test_a_limit_of_one_does_not_wait_for_company() -> None:
    """With room for one call a batch is full as it starts: waiting could bring nobody in."""
    database = Database()
    batches = Batches(database.run, (Fault,), limit=1, linger=60)
    await batches("a")
    second = asyncio.create_task(batches("b"))
    await _settle()
    assert database.batches == [["a"], ["b"]]  # not a minute later
    assert await second == "B"


async def test_a_call_still_on_its_way_when_closing_does_not_hold_up_the_calls_after() -> None:
    """A call returning after close() (its caller was not cancelled) leaves the count of calls on
    their way right: a lone call made afterwards (the store opened again) goes at once."""
    database = Database()
    batches = Batches(database.run, (Fault,), patience=60)
    database.gate.clear()
    first = asyncio.create_task(batches("a"))
    await database.arrived.wait()
    await batches.close()
    database.gate.set()
    assert await first == "A"
    alone = asyncio.create_task(batches("b"))
    await _settle()
    assert database.batches == [["a"], ["b"]]  # not a minute later
    assert await alone == "B"


async def test_a_quiet_spell_after_a_busy_one_lets_the_next_call_go_at_once() -> None:
    """However busy it was (calls at the very same moment: a pace of 0), a fifth of one quiet gap
    moves the pace past three lingers: the first call after the quiet goes alone, at once."""
    database = Database()
    batches = Batches(database.run, (Fault,), linger=0.01)
    await batches("a")
    await asyncio.gather(*(batches(f"b{i}") for i in range(30)))  # all at once: the pace falls to 0
    await asyncio.sleep(0.2)
    database.gate.clear()
    alone = asyncio.create_task(batches("c"))
    await _settle()
    assert database.batches[-1] == ["c"]
    database.gate.set()
    assert await alone == "C"


async def test_a_batch_that_waited_for_company_fails_as_any_batch_does() -> None:
    """A bad argument fails only its own call; a fault fails every call of the batch."""
    database = Database()
    batches = Batches(database.run, (Fault,), linger=0.05)
    await batches("a")
    database.bad = {"c"}
    lingering = [asyncio.create_task(batches(name)) for name in ("b", "c", "d")]
    results = await asyncio.gather(*lingering, return_exceptions=True)
    assert results[0] == "B" and isinstance(results[1], ValueError) and results[2] == "D"
    assert database.batches == [["a"], ["b", "c", "d"], ["b"], ["c"], ["d"]]
    database.bad, database.fault = set(), True
    lingering = [asyncio.create_task(batches(name)) for name in ("e", "f")]
    results = await asyncio.gather(*lingering, return_exceptions=True)
    assert all(isinstance(result, Fault) for result in results)
    assert database.batches[-1] == ["e", "f"]  # not tried one by one: the database is away


def test_a_call_waiting_for_company_when_its_loop_ended_does_not_block_the_next_loop() -> None:
    database: Database | None = None
    batches: Batches[str, str] | None = None

    async def first_loop() -> None:
        nonlocal database, batches
        database = Database()
        batches = Batches(database.run, (Fault,), linger=60)
        await batches("a")
        asyncio.get_running_loop().create_task(batches("b"))  # waits a minute for company; the loop ends
        await asyncio.sleep(0.01)

    asyncio.run(first_loop())
    assert batches is not None and database is not None

    async def second_loop() -> str:
        assert batches is not None
        return await asyncio.wait_for(batches("c"), timeout=2)  # the first call of a new loop: at once

    assert asyncio.run(second_loop()) == "C"
    assert database.batches == [["a"], ["c"]]
