"""The team inbox over HTTP, as staff use it: the waiting list, a conversation's transcript with
the cart and orders, replies through the outbox with the writer's name, quick actions, taking a
conversation (one of two gets it), and back to the bot with the cart intact."""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from chatshop.messages import Text
from chatshop.testing import ShopHarness
from tests.conftest import ShopFactory

from .staff import INBOX_TOML, Staff, add_staff

KEY = "terminal:asha"


def note(location: str) -> tuple[str, str]:
    """The note a redirect carries: ("done" or "error", its text)."""
    query = parse_qs(urlparse(location).query)
    for kind in ("done", "error"):
        if kind in query:
            return kind, query[kind][0]
    raise AssertionError(f"no note in {location!r}")


async def asked_for_a_person(h: ShopHarness) -> None:
    await h.say("asha", "atta")
    await h.say("asha", "1")  # in the cart
    await h.say("asha", "checkout")
    await h.say("asha", "agent")
    await h.say("asha", "is it <b>fresh</b>?")


async def test_a_waiting_conversation_is_listed_and_shown_with_its_cart(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await asked_for_a_person(h)
        await h.say("ravi", "hi")  # the bot has Ravi: not waiting
        async with Staff(h, "anna") as anna:
            _, page = await anna.get("/admin/inbox")
            assert "asha" in page and "ravi" not in page and "nobody yet" in page
            _, rows = await anna.get("/admin/inbox/rows")
            assert 'data-number="terminal:asha"' in rows
            page = await anna.conversation(KEY)
            assert "is it &lt;b&gt;fresh&lt;/b&gt;?" in page  # the customer's words, as text
            assert "<b>fresh</b>" not in page
            assert "I&#39;ve asked a person" in page  # what the shop said, in order
            assert 'id="cart"' in page and "Aashirvaad Atta 5 kg" in page and "₹245.00" in page
            assert "Where they are: address" in page
            assert "Take this conversation" in page


async def test_a_reply_goes_through_the_outbox_with_the_writers_name_and_the_bot_stays_silent(
    make_shop: ShopFactory,
) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await asked_for_a_person(h)
        async with Staff(h, "anna") as anna:
            status, where = await anna.post("/admin/inbox/reply", customer=KEY, text="Yes, milled this week!")
            assert status == 303 and note(where) == ("done", "Sent.")
            await h.shop.idle()
            assert h.texts_to(KEY)[-1] == "Yes, milled this week!"
            entries = await h.shop.store.transcript(KEY)
            assert (entries[-1].author, entries[-1].status) == ("anna", "sent")
            assert (await h.shop.store.waiting_conversations())[0].assigned_to == "anna"  # replying took it
            assert await h.say("asha", "great, thanks") == ""  # still with Anna: the bot is silent
            page = await anna.conversation(KEY)
            assert "Yes, milled this week!" in page and "great, thanks" in page
            (entry, *_) = await h.shop.store.audit_log()
            assert (entry.actor, entry.action, entry.subject) == ("anna", "reply", KEY)
            assert "milled" not in entry.detail  # the audit log says what was done, not the words


async def test_back_to_bot_restores_the_shopping_dialog_with_the_cart(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await asked_for_a_person(h)
        async with Staff(h, "anna") as anna:
            await anna.post("/admin/inbox/take", customer=KEY)
            status, where = await anna.post("/admin/inbox/back-to-bot", customer=KEY)
            assert status == 303 and note(where)[0] == "done"
            await h.shop.idle()
            said = h.texts_to(KEY)[-1]  # one message: the news, then the checkout where it was
            assert said.startswith("You're back with the Test Kirana assistant.\n\n")
            assert "Where should we deliver?" in said
            summary = await h.say("asha", "12 Hill Road, Bandra West, Mumbai 400050")
            assert "Aashirvaad Atta 5 kg" in summary and "Confirm" in summary
            _, page = await anna.get("/admin/inbox")
            assert "Nobody is waiting for a person." in page


async def test_of_two_agents_taking_one_conversation_one_gets_it(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await add_staff(h, "ravi")
        await asked_for_a_person(h)
        async with Staff(h, "anna") as anna, Staff(h, "ravi") as ravi:
            (_, a), (_, r) = await asyncio.gather(
                anna.post("/admin/inbox/take", customer=KEY), ravi.post("/admin/inbox/take", customer=KEY)
            )
            outcomes = {note(a)[0], note(r)[0]}
            assert outcomes == {"done", "error"}
            holder = (await h.shop.store.waiting_conversations())[0].assigned_to
            loser = ravi if holder == "anna" else anna
            assert holder in ("anna", "ravi")
            assert note(r if holder == "anna" else a) == ("error", f"{holder} has this conversation.")
            page = await loser.conversation(KEY)
            assert f'<bdi id="holder">{holder}</bdi>' in page and "answers this customer" in page
            before = len(h.texts_to(KEY))
            _, where = await loser.post("/admin/inbox/reply", customer=KEY, text="I'll help!")
            assert note(where) == ("error", f"{holder} has this conversation: they answer it.")
            await h.shop.idle()
            assert len(h.texts_to(KEY)) == before  # nothing sent


async def test_quick_actions_send_a_card_fill_the_cart_and_resend_a_summary(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await h.say("asha", "atta")
        await h.say("asha", "1")
        await h.say("asha", "checkout")
        await h.say("asha", "12 Hill Road, Bandra West, Mumbai 400050")
        placed = await h.say("asha", "1")  # confirm: cash on delivery
        assert "is placed" in placed
        (order,) = await h.shop.store.list_orders(customer_key=KEY)
        await h.say("asha", "agent")
        async with Staff(h, "anna") as anna:
            assert note((await anna.post("/admin/inbox/card", customer=KEY, product="ghee-1l"))[1])[0] == "done"
            await h.shop.idle()
            assert isinstance(h.sent_to(KEY)[-1], Text)  # a terminal shows a product card as text
            assert "Amul Pure Ghee 1 l" in h.texts_to(KEY)[-1] and "612.50" in h.texts_to(KEY)[-1]
            _, where = await anna.post("/admin/inbox/cart", customer=KEY, product="cafe-latte", quantity=2)
            assert note(where)[0] == "done"
            await h.shop.idle()
            assert "Added 2 × Café Latte Premix" in h.texts_to(KEY)[-1]
            record = await h.shop.store.load_conversation(KEY)
            assert [(ln["product_id"], ln["quantity"]) for ln in record.state["cart"]["lines"]] == [("cafe-latte", 2)]
            await anna.post("/admin/inbox/summary", customer=KEY, order=order.number)
            await h.shop.idle()
            assert f"Order {order.number}" in h.texts_to(KEY)[-1] and "₹275.00" in h.texts_to(KEY)[-1]
            page = await anna.conversation(KEY)
            assert "anna put in the cart cafe-latte" in page
            assert html.escape(f"Order {order.number}") in page
            # Quick actions check what they are given: nothing is sent for a made-up product or order.
            before = len(h.texts_to(KEY))
            assert note((await anna.post("/admin/inbox/card", customer=KEY, product="nope"))[1])[0] == "error"
            assert note((await anna.post("/admin/inbox/cart", customer=KEY, product="ghee-1l", quantity=0))[1])[0] == (
                "error"
            )
            assert note((await anna.post("/admin/inbox/summary", customer=KEY, order="ZZZ-999"))[1])[0] == "error"
            assert note((await anna.post("/admin/inbox/pay-link", customer=KEY, order=order.number))[1]) == (
                "error",
                f"Order {order.number} is not waiting for a payment.",
            )
            await h.shop.idle()
            assert len(h.texts_to(KEY)) == before
            actions = [e.action for e in await h.shop.store.audit_log()]
            assert actions[:3] == ["summary", "cart.add", "card"]


async def test_a_reply_to_a_customer_the_bot_has_pauses_the_bot(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await h.say("asha", "hi")
        async with Staff(h, "anna") as anna:
            await anna.post("/admin/inbox/reply", customer=KEY, text="Hello Asha, your order ships today.")
            await h.shop.idle()
            assert [w.customer_key for w in await h.shop.store.waiting_conversations()] == [KEY]
            assert await h.say("asha", "thanks!") == ""
            assert (await h.shop.store.waiting_conversations())[0].assigned_to == "anna"


async def test_bad_requests_change_nothing(make_shop: ShopFactory) -> None:
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await asked_for_a_person(h)
        async with Staff(h, "anna") as anna:
            before = len(h.texts_to(KEY))
            assert (await anna.get("/admin/inbox/chat?customer=nocolon"))[0] == 400
            assert (await anna.get("/admin/inbox/chat?customer=terminal:nobody"))[0] == 404
            assert (await anna.post("/admin/inbox/reply", customer="bad", text="x"))[0] == 400
            assert note((await anna.post("/admin/inbox/reply", customer=KEY, text="   "))[1])[0] == "error"
            too_long = "x" * 4097
            assert note((await anna.post("/admin/inbox/reply", customer=KEY, text=too_long))[1])[0] == "error"
            anna.csrf = "forged"
            assert (await anna.post("/admin/inbox/reply", customer=KEY, text="forged"))[0] == 403
            await h.shop.idle()
            assert len(h.texts_to(KEY)) == before


async def test_a_quantity_in_superscript_or_other_script_digits(make_shop: ShopFactory) -> None:
    """Python calls "²" a digit but int() refuses it: refused like any other non-number, while a
    quantity in the digits of another script ("٣", Arabic-Indic 3) is that number."""
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await asked_for_a_person(h)
        async with Staff(h, "anna") as anna:
            status, where = await anna.post("/admin/inbox/cart", customer=KEY, product="ghee-1l", quantity="²")
            assert status == 303 and note(where) == ("error", "A quantity is a whole number from 1 to 99.")
            status, where = await anna.post("/admin/inbox/cart", customer=KEY, product="cafe-latte", quantity="٣")
            assert status == 303 and note(where)[0] == "done"
            await h.shop.idle()
            record = await h.shop.store.load_conversation(KEY)
            assert ("cafe-latte", 3) in [(ln["product_id"], ln["quantity"]) for ln in record.state["cart"]["lines"]]


async def test_who_has_a_conversation_is_known_however_many_wait_before_it(make_shop: ShopFactory) -> None:
    """The conversation page looked its holder up among the 200 longest-waiting conversations:
    for the 201st it said nobody had it, and any agent could give it back to the bot."""
    async with make_shop(INBOX_TOML) as h:
        await add_staff(h, "anna")
        await add_staff(h, "ravi")
        await asked_for_a_person(h)  # asha waits from now: after all of those below
        earlier = (h.shop.now() - timedelta(hours=1)).isoformat()
        for i in range(201):
            state = {"locale": "en", "handover_since": earlier}
            await h.shop.store.commit_turn(f"terminal:waiting-{i:03d}", None, state, 0, [])
        assert KEY not in [w.customer_key for w in await h.shop.store.waiting_conversations()]
        assert await h.shop.store.assign(KEY, "anna", h.shop.now()) == "anna"
        async with Staff(h, "ravi") as ravi:
            page = await ravi.conversation(KEY)
            assert '<bdi id="holder">anna</bdi>' in page and 'id="reply-held"' in page
            status, where = await ravi.post("/admin/inbox/back-to-bot", customer=KEY)
            assert status == 303 and note(where) == ("error", "anna has this conversation: they give it back.")
        record = await h.shop.store.load_conversation(KEY)
        assert record.state.get("handover_since")  # still with a person
