"""A customer's export and the anonymising of old orders, on both stores (the contract)."""

from __future__ import annotations

import json
from datetime import timedelta

from chatshop.export import customer_export
from chatshop.store.base import Store
from chatshop.store.codec import utcnow

from .helpers import message, order, reply


async def test_the_export_holds_everything_kept_about_the_customer_and_nothing_else(store: Store) -> None:
    asha = "terminal:asha"
    assert await store.add_inbound(message("asha", "12 Hill Road, Mumbai 400050", "m1"))
    assert await store.add_inbound(message("ravi", "ravi's words", "m2"))
    item = await store.next_inbound(asha)
    assert item is not None
    await store.commit_turn(asha, item.id, {"locale": "en", "name": "Asha"}, 0, [reply("Where should we deliver?")])
    await store.kv_set("terminal:history:asha", json.dumps([{"who": "customer", "text": "hi"}]))
    await store.kv_set("terminal:history:ravi", json.dumps([{"who": "customer", "text": "ravi"}]))
    await store.schedule_job("reminder", "cart:asha", utcnow(), "{}", customer_key=asha, replace=False)
    placed, _ = await store.place_order(order("asha"))
    await store.place_order(order("ravi"))

    export = await customer_export(store, asha, shop="Test Kirana")
    text = json.dumps(export, ensure_ascii=False)
    assert export["customer"] == asha and "ravi" not in text
    assert export["conversation"]["state"]["name"] == "Asha"
    assert [m["message"]["text"] for m in export["messages_received"]] == ["12 Hill Road, Mumbai 400050"]
    assert export["messages_received"][0]["handled_at"] is not None
    assert [m["message"]["body"] for m in export["messages_sent"]] == ["Where should we deliver?"]
    assert [v["key"] for v in export["kept_values"]] == ["terminal:history:asha"]
    assert [j["key"] for j in export["scheduled"]] == ["cart:asha"]
    [exported] = export["orders"]
    assert exported["number"] == placed.number and exported["total"] == "642.50"
    assert exported["history"][0]["to"] == placed.status.value

    await store.forget_customer(asha)
    after = await store.export_customer(asha)
    assert after == {"conversation": None, "received": [], "sent": [], "jobs": [], "values": []}


async def test_old_orders_lose_their_customer_and_keep_the_sale(store: Store) -> None:
    old, _ = await store.place_order(order("asha"))
    assert [o.number for o in await store.list_orders(search="Sea View")] == [old.number]
    assert await store.anonymise_orders(utcnow() - timedelta(days=1)) == 0  # none that old yet
    assert await store.anonymise_orders(utcnow() + timedelta(seconds=1)) == 1
    assert await store.anonymise_orders(utcnow() + timedelta(seconds=1)) == 0  # once
    kept = await store.get_order(old.number)
    assert kept is not None
    assert kept.customer_key == "terminal:anonymised"
    assert kept.address is None and kept.contact_name is None and kept.postal_code is None
    assert kept.total == old.total and kept.lines == old.lines and kept.status == old.status
    assert await store.list_orders(customer_key="terminal:asha") == []
    assert [o.number for o in await store.list_orders(search="Sea View")] == []
