"""What the store forgets: idle conversations after retention, and one customer on request."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from chatshop.store.base import StaleConversation, Store
from chatshop.store.codec import utcnow
from chatshop.store.sqlite import SQLiteStore

from .helpers import message, order, reply

ADDRESS = "Flat 9, Mount Mary Road, Bandra 400050"
CART = {"currency": "INR", "lines": [{"product_id": "ghee", "title": "Ghee", "quantity": 1, "unit_minor": 61250}]}
CHECKOUT = {"placement_key": "pk-1", "address": ADDRESS, "postal_code": "400050", "contact_name": "Asha Rao"}


def abandoned(cart: dict[str, object] | None = None) -> dict[str, object]:
    """A conversation that stopped at the payment question, address and all."""
    return {
        "locale": "hi",
        "cart": cart or CART,
        "step": "payment",
        "checkout": CHECKOUT,
        "name": "Asha Rao",
        "query": "ghee for asha",
        "menu": ["pay:cod"],
        "labels": ["cash"],
        "welcomed": True,
        "last_order": "K7M-4QX",
    }


async def test_purge_drops_an_idle_checkout_and_name_but_keeps_the_cart(store: Store) -> None:
    await store.commit_turn("terminal:asha", None, abandoned(), 0, [])
    assert await store.purge(utcnow(), utcnow() - timedelta(days=1)) == 0  # not idle long enough yet
    assert await store.purge(utcnow(), utcnow() + timedelta(seconds=1)) == 1
    record = await store.load_conversation("terminal:asha")
    assert record.version == 2  # moved on: a turn holding the old state must read it again
    assert record.state == {
        "locale": "hi",
        "cart": CART,
        "step": "idle",
        "checkout": None,
        "name": None,
        "query": None,
        "menu": [],
        "labels": [],
        "welcomed": True,
        "last_order": "K7M-4QX",
    }
    assert await store.purge(utcnow(), utcnow() + timedelta(seconds=1)) == 0  # nothing left to drop
    # A turn that read the conversation before the purge must not write the address back.
    try:
        await store.commit_turn("terminal:asha", None, abandoned(), 1, [])
    except StaleConversation:
        pass
    else:
        raise AssertionError("a turn on the pre-purge version was committed")


async def test_purge_deletes_an_idle_conversation_with_an_empty_cart(store: Store) -> None:
    await store.commit_turn("terminal:asha", None, abandoned({"currency": "INR", "lines": []}), 0, [])
    await store.commit_turn("terminal:ravi", None, {"locale": "en", "step": "idle"}, 0, [])
    assert await store.purge(utcnow(), utcnow() + timedelta(seconds=1)) == 2
    for key in ("terminal:asha", "terminal:ravi"):
        record = await store.load_conversation(key)
        assert (record.state, record.version) == ({}, 0)


async def test_purge_leaves_a_conversation_with_a_message_waiting_or_recent(store: Store) -> None:
    await store.commit_turn("terminal:asha", None, abandoned(), 0, [])
    await store.add_inbound(message("asha", "are you there?"))  # unhandled, and a fresh last_inbound_at
    await store.commit_turn("terminal:ravi", None, abandoned(), 0, [])
    cutoff = utcnow()
    await store.commit_turn("terminal:ravi", None, abandoned(), 1, [])  # a turn after the cutoff
    assert await store.purge(utcnow(), cutoff) == 0
    assert (await store.load_conversation("terminal:asha")).state["checkout"] == CHECKOUT
    assert (await store.load_conversation("terminal:ravi")).state["checkout"] == CHECKOUT


async def test_forget_erases_one_customer_and_keeps_their_orders(store: Store) -> None:
    for who in ("asha", "ravi"):
        await store.add_inbound(message(who, ADDRESS))
        item = await store.next_inbound(f"terminal:{who}")
        assert item is not None
        (sent, _) = await store.commit_turn(f"terminal:{who}", item.id, abandoned(), 0, [reply("a"), reply("b")])
        await store.mark_sent(sent.id, f"wamid.{who}")
        await store.add_inbound(message(who, "unhandled"))
        await store.kv_set(f"terminal:history:{who}", f'[{{"text":"{ADDRESS}"}}]')
        await store.kv_set(f"terminal:notification:wamid.{who}", f'{{"customer":"{who}"}}')
    await store.kv_set("webchat:history:asha", "[]")  # another channel's customer with the same id
    await store.kv_set("terminal:token", "asha-is-not-a-customer-here")
    placed, _ = await store.place_order(order("asha"))

    # conversation, 2 inbox messages, 2 replies, 2 kv values
    assert await store.forget_customer("terminal:asha") == 7

    assert (await store.load_conversation("terminal:asha")).version == 0
    assert await store.next_inbound("terminal:asha") is None
    assert await store.customers_with_pending_inbound() == ["terminal:ravi"]
    assert await store.pending_outbox("terminal:asha", utcnow()) == []
    assert await store.kv_get("terminal:history:asha", utcnow()) is None
    assert await store.kv_get("terminal:notification:wamid.asha", utcnow()) is None
    assert await store.kv_get("webchat:history:asha", utcnow()) == "[]"
    assert await store.kv_get("terminal:token", utcnow()) == "asha-is-not-a-customer-here"
    # Everyone else is untouched.
    assert (await store.load_conversation("terminal:ravi")).state["checkout"] == CHECKOUT
    assert len(await store.pending_outbox("terminal:ravi", utcnow())) == 1
    assert await store.kv_get("terminal:history:ravi", utcnow()) is not None
    assert await store.kv_get("terminal:notification:wamid.ravi", utcnow()) is not None
    # The order is the shop's record of the sale: kept whole, delivery details included.
    kept = await store.get_order(placed.number)
    assert kept is not None and kept.address == placed.address and kept.customer_key == "terminal:asha"
    assert await store.forget_customer("terminal:asha") == 0  # idempotent


async def test_forget_treats_wildcards_in_an_id_as_plain_text(store: Store) -> None:
    await store.kv_set("wechat:history:o_x%", "mine")
    await store.kv_set("wechat:history:oAx1", "not mine")
    await store.kv_set("we:chat:history:o_x%", "another channel")
    assert await store.forget_customer("wechat:o_x%") == 1
    assert await store.kv_get("wechat:history:o_x%", utcnow()) is None
    assert await store.kv_get("wechat:history:oAx1", utcnow()) == "not mine"
    assert await store.kv_get("we:chat:history:o_x%", utcnow()) == "another channel"


async def test_a_forgotten_customer_cannot_be_read_from_the_sqlite_files(tmp_path: Path) -> None:
    """Not just gone from queries: the bytes are gone from the database file and its write-ahead log."""
    store = SQLiteStore(tmp_path / "shop.db")
    await store.open()
    try:
        for n in range(30):  # other customers on the same pages
            await store.add_inbound(message(f"c{n}", f"filler {n} " * 20))
        await store.add_inbound(message("asha", ADDRESS))
        item = await store.next_inbound("terminal:asha")
        assert item is not None
        await store.commit_turn("terminal:asha", item.id, abandoned(), 0, [reply(f"Deliver to {ADDRESS}?")])
        assert _raw(tmp_path).count(b"Mount Mary") >= 3  # inbox, conversation, outbox
        await store.forget_customer("terminal:asha")
        assert b"Mount Mary" not in _raw(tmp_path)
        assert b"filler 29" in _raw(tmp_path)  # the others are still there
    finally:
        await store.close()


def _raw(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.glob("shop.db*")))
