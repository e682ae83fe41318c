"""Credit notes in both stores: a series of their own without gaps, and the same credit asked for
twice, from two workers at once, issued once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chatshop.store.base import Store

from .helpers import order

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _number(seq: int) -> str:
    return f"CN2026-{seq:05d}"


def _data(amount: int) -> dict[str, Any]:
    return {"kind": "credit_note", "total_minor": amount}


async def test_a_credit_asked_twice_at_once_is_issued_once_and_numbers_have_no_gap(
    store: Store, twin: Callable[[], Store]
) -> None:
    orders = [(await store.place_order(order(f"c{i}")))[0] for i in range(6)]
    for i, placed in enumerate(orders):
        await store.issue_invoice(placed.number, "2026", lambda seq: f"RE2026-{seq:05d}", {}, f"inv-{i}", NOW)
    other = twin()
    await other.open()
    try:

        async def credit(i: int, number: str, upto: int) -> str | None:
            note = await (store, other)[i % 2].issue_credit_note(
                number, upto, "2026", _number, _data, f"cn-{i}-{number}-{upto}", NOW
            )
            return note.number if note else None

        # each order credited 1000 twice at once (a hook and the provider's news of the same refund)
        twice = [(o.number, 1000) for o in orders] * 2
        results = await asyncio.gather(*(credit(i, n, upto) for i, (n, upto) in enumerate(twice)))
        assert sorted(r for r in results if r) == [_number(seq) for seq in range(1, 7)]
        # then the rest of the first order (6125 + 3000 delivery), and a smaller total changes nothing
        assert await credit(0, orders[0].number, 64250) == _number(7)
        assert await credit(1, orders[0].number, 1000) is None
    finally:
        await other.close()
    notes = await store.credit_notes(orders[0].number)
    assert [note.data["total_minor"] for note in notes] == [1000, 63250]  # each for what was not credited yet
    assert await store.get_credit_note(notes[1].token) == notes[1]
    assert await store.get_credit_note("nope") is None
