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


async def test_a_caller_that_gives_up_leaves_the_others_their_answers() -> None:
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
    assert database.batches == [["a"], ["b", "c"]]  # its call still ran: it may have committed
