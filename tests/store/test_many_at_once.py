"""Messages recorded and turns committed many at once (PostgreSQL puts them in one statement): each
call gets what it would have got alone, in the order the calls were made."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from chatshop.catalog import Product
from chatshop.money import Money
from chatshop.store.base import OutboxItem, StaleConversation, Store
from chatshop.store.codec import utcnow
from chatshop.store.postgres import PostgresStore

from .helpers import message, reply


def _batched(store: Store) -> int:
    """How many calls went in a statement with others (0 on a store that does not batch)."""
    if not isinstance(store, PostgresStore):
        return 0
    return store._receives.calls - store._receives.batches + store._finishes.calls - store._finishes.batches


async def test_messages_recorded_at_once_are_each_recorded_claimed_or_refused_as_alone(store: Store) -> None:
    hi = message("asha", "hi", message_id="wamid.1")
    results = await asyncio.gather(
        store.receive(hi, "turns:terminal:asha", "w1", 30),
        store.receive(message("ravi", "namaste"), "turns:terminal:ravi", "w1", 30),
        store.receive(message("asha", "milk"), "turns:terminal:asha", "w1", 30),
        store.receive(hi, "turns:terminal:asha", "w1", 30),  # Meta delivered it twice
        store.receive(message("mei", "ni hao"), "turns:terminal:mei", "w2", 30),
        store.receive(message("mei", "hello"), "turns:terminal:mei", "w1", 30),  # w2 holds mei's turn
    )
    (asha, asha_claim), (ravi, ravi_claim), (milk, milk_claim), duplicate = results[:4]
    (mei, mei_claim), (hello, hello_claim) = results[4:]
    assert asha and ravi and milk and mei and hello and duplicate == (False, None)
    assert asha_claim is not None and asha_claim[0] and asha_claim[1] is not None
    assert asha_claim[1].inbound.text == "hi" and asha_claim[2] is not None and asha_claim[2].version == 0
    assert milk_claim is not None and milk_claim[0] and milk_claim[1] is not None
    assert milk_claim[1].inbound.text == "hi"  # the turn starts from the oldest unhandled message
    assert ravi_claim is not None and ravi_claim[1] is not None and ravi_claim[1].inbound.text == "namaste"
    assert mei_claim is not None and mei_claim[0] and hello_claim == (False, None, None)
    assert [i.inbound.text for i in await _unhandled(store, "terminal:asha")] == ["hi", "milk"]
    if isinstance(store, PostgresStore):
        assert _batched(store) >= 4  # the five after the first went together


async def _unhandled(store: Store, key: str) -> list[object]:
    items = []
    while (item := await store.next_inbound(key)) is not None:
        items.append(item)
        await store.commit_turn(key, item.id, {"seen": len(items)}, len(items) - 1, [])
    return items


async def test_turns_committed_at_once_each_commit_their_replies_in_order(store: Store) -> None:
    claims = {}
    for name in ("asha", "ravi", "mei", "li"):
        added, claim = await store.receive(message(name, "hi"), f"turns:terminal:{name}", "w1", 30)
        assert added and claim is not None and claim[1] is not None and claim[2] is not None
        claims[name] = claim
    await store.commit_turn("terminal:mei", None, {"elsewhere": True}, 0, [])  # another worker won mei's turn

    def finish(name: str, replies: list[str]) -> object:
        _, item, record = claims[name]
        return store.finish_turn(
            f"terminal:{name}", item.id, {"name": name}, record.version, [reply(r) for r in replies],
            f"turns:terminal:{name}", "w1", f"send:terminal:{name}", "w1#0", 30,
        )  # fmt: skip

    results = await asyncio.gather(
        finish("ravi", ["namaste", "menu"]),
        finish("asha", ["hello"]),
        finish("mei", ["lost"]),
        finish("li", []),
        return_exceptions=True,
    )
    ravi, asha, mei, li = results
    assert [s.message for s in ravi.sends] == [reply("namaste"), reply("menu")]  # type: ignore[union-attr]
    assert [s.message for s in asha.sends] == [reply("hello")]  # type: ignore[union-attr]
    assert isinstance(mei, StaleConversation)
    assert li.sends is None and li.item is None  # type: ignore[union-attr]
    assert (await store.load_conversation("terminal:asha")).state == {"name": "asha"}
    assert (await store.load_conversation("terminal:mei")).state == {"elsewhere": True}
    assert await store.pending_outbox("terminal:mei", utcnow()) == []
    # each turn's lease went back with it
    for name in ("asha", "ravi", "li"):
        assert (await store.claim_inbound(f"terminal:{name}", f"turns:terminal:{name}", "w2", 30))[0] is True
    if isinstance(store, PostgresStore):
        assert _batched(store) >= 2


async def test_sends_recorded_at_once_each_read_their_customers_next_replies(store: Store) -> None:
    sends = {}
    for name, replies in (("asha", ["one", "two"]), ("ravi", ["only"]), ("mei", ["first", "second", "third"])):
        added, claim = await store.receive(message(name, "hi"), f"turns:terminal:{name}", "w1", 30)
        assert added and claim is not None and claim[1] is not None and claim[2] is not None
        finished = await store.finish_turn(
            f"terminal:{name}", claim[1].id, {}, claim[2].version, [reply(r) for r in replies],
            f"turns:terminal:{name}", "w1", f"send:terminal:{name}", "w1#0", 30,
        )  # fmt: skip
        assert finished.sends is not None
        sends[name] = finished.sends
    await store.mark_sent(sends["mei"][0].id, "wamid.mei.1")
    now = utcnow()

    def sent(name: str, index: int) -> Awaitable[tuple[list[OutboxItem], bool]]:
        key, outbox_id = f"terminal:{name}", sends[name][index].id
        return store.sent_then_pending_or_release(outbox_id, f"wamid.{name}", key, f"send:{key}", "w1#0", now)

    (asha, asha_wanted), (ravi, ravi_wanted), (mei, _) = await asyncio.gather(
        sent("asha", 0), sent("ravi", 0), sent("mei", 1)
    )
    assert [i.message for i in asha] == [reply("two")] and not asha_wanted
    assert ravi == [] and not ravi_wanted  # nothing left: ravi's send lease went back
    assert [i.message for i in mei] == [reply("third")]
    assert await store.acquire_lease("send:terminal:ravi", "w2", 30)  # ravi's went back
    assert not await store.acquire_lease("send:terminal:asha", "w2", 30)  # asha's is still held
    if isinstance(store, PostgresStore):
        assert store._sents.calls - store._sents.batches >= 1


async def test_stock_looked_up_at_once_answers_each_with_its_own_products(store: Store) -> None:
    await store.seed_inventory(
        [
            Product(id="ghee", title="Ghee", price=Money(61250, "INR"), stock=3),
            Product(id="rice", title="Rice", price=Money(9900, "INR"), stock=0),
            Product(id="latte", title="Latte", price=Money(9900, "INR")),
        ]
    )
    ghee, rice_and_latte, unknown, everything = await asyncio.gather(
        store.inventory(["ghee"]),
        store.inventory(["rice", "latte"]),
        store.inventory(["tea"]),
        store.inventory(["latte", "ghee", "rice", "tea"]),
    )
    assert {k: v.stock for k, v in ghee.items()} == {"ghee": 3}
    assert {k: v.stock for k, v in rice_and_latte.items()} == {"rice": 0, "latte": None}
    assert unknown == {}
    assert set(everything) == {"ghee", "rice", "latte"}
    if isinstance(store, PostgresStore):
        assert store._inventory_reads.calls - store._inventory_reads.batches >= 2
