"""WhatsApp's pair rate (131056): the fake enforces it as Meta documents it, and the shop keeps to it.

Meta (research/whatsapp.md §2.9): one message every 6 s from the number to one customer; bursts
of up to 45 within 6 s borrow from the future, so after a burst of 20 the pair waits about two
minutes. The shop tests run the rule scaled to one second, so a conversation shows it in seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatshop.plugins.whatsapp.client import GraphClient, RetryPolicy
from chatshop.plugins.whatsapp.errors import PAIR_RATE_LIMIT, GraphError
from chatshop.plugins.whatsapp.ratelimit import RateLimiter
from chatshop.testing.fakes.whatsapp import FakeGraph

from .customer import Customer, text_of
from .meta import ACCESS_TOKEN, PHONE_NUMBER_ID
from .shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG = "id,title,price,category,stock\natta-5kg,Atta 5 kg,245.00,Staples,40\n"


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def send(graph: TestServer, session: aiohttp.ClientSession) -> Callable[[str], object]:
    client = GraphClient(
        lambda: session,
        base_url=str(graph.make_url("")),
        version="v23.0",
        phone_number_id=PHONE_NUMBER_ID,
        token=ACCESS_TOKEN,
        limiter=RateLimiter(1000),
        retry=RetryPolicy(attempts=1),
    )

    async def to(wa_id: str) -> int:
        """0 when the fake took the message, else Meta's error code."""
        try:
            await client.send_message(
                {"messaging_product": "whatsapp", "to": wa_id, "type": "text", "text": {"body": "hi"}}
            )
        except GraphError as error:
            return error.code
        return 0

    return to


async def test_the_fake_lets_a_burst_through_then_waits_for_it_to_be_paid_back(
    fake: FakeGraph, send: Callable[[str], object]
) -> None:
    clock = Clock()
    fake.clock, fake.pair_burst = clock, 45
    for _ in range(20):
        assert await send("919811111111") == 0  # type: ignore[misc]
    clock.now = 7.0  # the burst's 6 s are over; 20 intervals are owed
    assert await send("919811111111") == PAIR_RATE_LIMIT  # type: ignore[misc]
    assert await send("919822222222") == 0  # type: ignore[misc]  # another customer: a pair of its own
    clock.now = 119.9
    assert await send("919811111111") == PAIR_RATE_LIMIT  # type: ignore[misc]
    clock.now = 120.0  # "a burst of 20 requires about a 2-minute wait"
    assert await send("919811111111") == 0  # type: ignore[misc]
    assert fake.refused == [(PAIR_RATE_LIMIT, "pair"), (PAIR_RATE_LIMIT, "pair")]


async def test_the_fake_takes_one_message_every_interval_and_no_more_than_45_at_once(
    fake: FakeGraph, send: Callable[[str], object]
) -> None:
    clock = Clock()
    fake.clock, fake.pair_burst = clock, 45
    for at in range(10):
        clock.now = at * 6.0
        assert await send("919811111111") == 0  # type: ignore[misc]
    codes = [await send("919833333333") for _ in range(46)]  # type: ignore[misc]
    assert codes == [0] * 45 + [PAIR_RATE_LIMIT]


async def test_a_quick_customer_is_answered_within_the_pair_rate(fake: FakeGraph, tmp_path: Path) -> None:
    """Replies that would go too fast wait their turn in the shop instead of being refused by Meta
    (without the shop's pacing, the fourth reply meets 131056)."""
    fake.pair_burst, fake.pair_seconds = 45, 1.0
    server = TestServer(fake.app())
    await server.start_server()
    try:
        toml = whatsapp_shop_toml(graph_url(server), shop='name = "Pair Shop"\ncurrency = "INR"', pair_seconds=1.0)
        async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
            asha = Customer(h, fake, "919812345678", "Asha")
            for _ in range(3):  # a burst: three turns, one reply each, within the burst's second
                assert len(await asha.say("hi")) == 1
            await asyncio.sleep(1.1)  # the customer reads; the burst is over and three intervals owed
            replies = await asha.say("hi")
    finally:
        await server.close()
    assert fake.refused == []
    assert len(replies) == 1 and text_of(replies[0]) == "What would you like to do?"
    assert len(fake.texts("919812345678")) == 4  # each reply once
