"""The conversation goes back to the bot when staff say so, or after ``[support] idle_minutes``
without a staff reply (a durable job, run by the shop's clock); staff act for the customer through
the inbox, in order with what the customer writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chatshop.jobs import Job
from chatshop.plugins.handover import events, idle
from chatshop.testing import ShopHarness
from tests.conftest import ShopFactory

#: Tuesday 10:00 in Kolkata: the team is there.
T0 = datetime(2026, 12, 8, 4, 30, tzinfo=UTC)
KEY = "terminal:asha"


async def waiting(h: ShopHarness) -> list[str]:
    return [w.customer_key for w in await h.shop.store.waiting_conversations()]


async def handed_over(h: ShopHarness) -> None:
    h.set_clock(T0)
    await h.say("asha", "atta")
    await h.say("asha", "1")
    await h.say("asha", "agent")
    assert await waiting(h) == [KEY]


async def run_jobs(h: ShopHarness, moment: datetime) -> list[str]:
    """Move the clock to ``moment``, run what fell due, and return what the customer was sent."""
    h.set_clock(moment)
    before = len(h.texts_to(KEY))
    await h.shop.jobs.run_due()
    await h.shop.idle()
    return h.texts_to(KEY)[before:]


async def test_staff_give_the_conversation_back(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        await handed_over(h)
        await events.queue(h.shop, KEY, events.RELEASE, "anna")
        await h.shop.idle()
        said = h.texts_to(KEY)[-1]  # one message: the news and the menu, the cart intact
        assert said.startswith("You're back with the Test Kirana assistant.\n\n")
        assert "My cart (1)" in said
        assert await waiting(h) == []
        assert "Aashirvaad Atta" in await h.say("asha", "atta")  # the bot answers again


async def test_after_idle_minutes_without_a_staff_reply_the_bot_answers_again(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        await handed_over(h)
        assert await run_jobs(h, T0 + timedelta(minutes=59)) == []
        assert await waiting(h) == [KEY]
        said = await run_jobs(h, T0 + timedelta(minutes=60))
        assert said[0].startswith("Sorry, nobody from our team could answer yet.")
        assert await waiting(h) == []
        assert await run_jobs(h, T0 + timedelta(days=1)) == []  # once


async def test_a_staff_reply_moves_the_idle_time(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        await handed_over(h)
        h.set_clock(T0 + timedelta(minutes=45))
        since = (await h.shop.store.waiting_conversations())[0].since
        await idle.staff_replied(h.shop, KEY, since.isoformat())
        assert await run_jobs(h, T0 + timedelta(minutes=100)) == []
        assert await waiting(h) == [KEY]
        assert (await run_jobs(h, T0 + timedelta(minutes=105)))[0].startswith("Sorry, nobody")


async def test_outside_the_hours_the_idle_time_counts_from_the_opening(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        saturday_night = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
        h.set_clock(saturday_night)
        await h.say("asha", "agent")
        monday_nine = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
        assert await run_jobs(h, monday_nine + timedelta(minutes=59)) == []
        assert await waiting(h) == [KEY]
        assert (await run_jobs(h, monday_nine + timedelta(minutes=60)))[0].startswith("Sorry, nobody")


async def test_the_idle_job_of_an_earlier_hand_over_leaves_a_new_one_alone(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        await handed_over(h)
        first = (await h.shop.store.waiting_conversations())[0].since
        await h.say("asha", "menu")
        h.set_clock(T0 + timedelta(minutes=5))
        await h.say("asha", "agent")
        stale = Job(id=0, kind=idle.KIND, key=KEY, due_at=T0 + timedelta(hours=1), payload={"since": first.isoformat()})
        await idle.idle_due(h.shop, stale)
        await h.shop.idle()
        assert await waiting(h) == [KEY]


async def test_a_staff_member_takes_a_conversation_without_the_customer_being_told_to_wait(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        h.set_clock(T0)
        await h.say("asha", "hi")
        await events.queue(h.shop, KEY, events.TAKE, "anna")
        await h.shop.idle()
        assert await waiting(h) == [KEY]
        assert await h.say("asha", "hello?") == ""  # a person is already writing: no "wait"
        notes = [e.inbound for e in await h.shop.store.transcript(KEY) if e.inbound and e.inbound.author]
        assert [(n.event, n.author) for n in notes] == [("take", "anna")]


async def test_staff_put_a_product_in_the_cart_for_the_customer(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        await handed_over(h)
        await events.queue(h.shop, KEY, events.CHOOSE, "anna", "add:ghee-1l:1")
        await h.shop.idle()
        assert "Added 1 × Amul Pure Ghee 1 l. Your cart: 2 item(s)" in h.texts_to(KEY)[-1]
        record = await h.shop.store.load_conversation(KEY)
        assert [line["product_id"] for line in record.state["cart"]["lines"]] == ["atta-5kg", "ghee-1l"]
        assert await waiting(h) == [KEY]  # still with the person


async def test_staff_cannot_make_any_other_choice_for_the_customer(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        await handed_over(h)
        before = len(h.texts_to(KEY))
        await events.queue(h.shop, KEY, events.CHOOSE, "anna", "clear")
        await h.shop.idle()
        assert h.texts_to(KEY)[before:] == []
        record = await h.shop.store.load_conversation(KEY)
        assert len(record.state["cart"]["lines"]) == 1
