"""The Graph client against the fake: retries with backoff, errors by code, the rate limiter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from chatshop.plugins.whatsapp.client import GraphClient, RetryPolicy
from chatshop.plugins.whatsapp.errors import GraphError
from chatshop.plugins.whatsapp.ratelimit import RateLimiter
from chatshop.testing.fakes.whatsapp import FakeGraph

from .meta import ACCESS_TOKEN, PHONE_NUMBER_ID

TEXT = {
    "messaging_product": "whatsapp",
    "to": "919812345678",
    "type": "text",
    "text": {"body": "hi"},
}


@pytest.fixture
def make_client(graph: TestServer, session: aiohttp.ClientSession) -> Callable[..., GraphClient]:
    def build(
        token: str = ACCESS_TOKEN, rate: int = 1000, attempts: int = 4, period: float = 1.1, **kw: Any
    ) -> GraphClient:
        return GraphClient(
            lambda: session,
            base_url=str(graph.make_url("")),
            version="v23.0",
            phone_number_id=kw.pop("phone_number_id", PHONE_NUMBER_ID),
            token=token,
            limiter=RateLimiter(rate, period=period),
            retry=RetryPolicy(attempts=attempts, base_delay=0.001, max_delay=0.005),
        )

    return build


async def test_send_returns_the_wamid(fake: FakeGraph, make_client: Callable[..., GraphClient]) -> None:
    wamid = await make_client().send_message(TEXT)
    assert wamid.startswith("wamid.") and fake.sent[0].wamid == wamid


@pytest.mark.parametrize("code", [130429, 131056, 500, 503])
async def test_throttles_and_server_errors_are_retried(
    fake: FakeGraph, make_client: Callable[..., GraphClient], code: int
) -> None:
    fake.storm(code, 3)
    await make_client(attempts=4).send_message(TEXT)
    assert len(fake.sent) == 1 and fake.requests == 4


async def test_a_storm_longer_than_the_attempts_goes_back_retryable(
    fake: FakeGraph, make_client: Callable[..., GraphClient]
) -> None:
    fake.storm(130429, 10)
    with pytest.raises(GraphError) as info:
        await make_client(attempts=3).send_message(TEXT)
    assert info.value.code == 130429 and info.value.retryable
    assert fake.sent == [] and fake.requests == 3


@pytest.mark.parametrize(("code", "auth", "bad"), [(190, True, False), (100, False, True)])
async def test_auth_and_bad_parameter_are_not_retried(
    fake: FakeGraph, make_client: Callable[..., GraphClient], code: int, auth: bool, bad: bool
) -> None:
    fake.storm(code, 1)
    with pytest.raises(GraphError) as info:
        await make_client().send_message(TEXT)
    assert (info.value.code, info.value.auth, info.value.bad_parameter) == (code, auth, bad)
    assert not info.value.retryable and fake.requests == 1


async def test_wrong_token_and_wrong_path_are_refused_like_graph(
    fake: FakeGraph, make_client: Callable[..., GraphClient]
) -> None:
    with pytest.raises(GraphError) as info:
        await make_client(token="revoked").send_message(TEXT)
    assert info.value.code == 190 and info.value.status == 401 and info.value.auth
    with pytest.raises(GraphError) as info:
        await make_client(phone_number_id="1").send_message(TEXT)
    assert info.value.code == 100
    with pytest.raises(GraphError) as info:
        await make_client().send_message({**TEXT, "text": {"body": "x" * 4097}})
    assert info.value.bad_parameter
    assert fake.sent == []


async def test_unreachable_api_is_retryable(session: aiohttp.ClientSession) -> None:
    client = GraphClient(
        lambda: session,
        base_url="http://127.0.0.1:9",
        version="v23.0",
        phone_number_id=PHONE_NUMBER_ID,
        token=ACCESS_TOKEN,
        limiter=RateLimiter(10),
        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002, timeout=2),
    )
    with pytest.raises(GraphError) as info:
        await client.send_message(TEXT)
    assert info.value.retryable


async def test_mark_read_with_typing_indicator(fake: FakeGraph, make_client: Callable[..., GraphClient]) -> None:
    await make_client().mark_read("wamid.ABC", typing=True)
    assert fake.read_marks == [
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.ABC",
            "typing_indicator": {"type": "text"},
        }
    ]


def test_backoff_grows_with_jitter_and_faster_for_the_pair_limit() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=100.0)
    throttle = GraphError("x", status=400, code=130429)
    pair = GraphError("x", status=400, code=131056)
    for attempt in range(4):
        assert 2**attempt / 2 <= policy.delay(attempt, throttle) <= 2**attempt
        assert 4**attempt / 2 <= policy.delay(attempt, pair) <= 4**attempt
    assert policy.delay(20, throttle) <= 100.0
    assert len({policy.delay(3, throttle) for _ in range(20)}) > 1  # jitter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_rate_limiter_never_starts_more_than_rate_in_any_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(80, period=1.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(250):
        await limiter.acquire()
        starts.append(clock.now)
    for i in range(len(starts) - 80):
        assert starts[i + 80] - starts[i] >= 1.0
    assert starts[-1] == pytest.approx(3.0)  # 250 sends at 80/s: the fourth second has begun


async def test_the_limiter_keeps_a_burst_under_the_fakes_throughput(
    fake: FakeGraph, make_client: Callable[..., GraphClient]
) -> None:
    fake.mps = 20
    # The fake counts arrivals; on a loaded machine a request can take longer than the default
    # period's 0.1 s margin to arrive, so this test gives the window more room than production needs.
    client = make_client(rate=20, attempts=1, period=1.5)
    await asyncio.gather(*(client.send_message(TEXT) for _ in range(30)))
    assert len(fake.sent) == 30
    assert [c for c, _ in fake.refused] == []


async def test_incoming_messages_count_against_the_same_throughput() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, period=1.0, clock=clock, sleep=clock.sleep)
    limiter.observe(10)  # a burst of customers' messages
    await limiter.acquire()
    assert clock.now == pytest.approx(1.0)
    limiter.observe(25)  # more than a whole second's worth: wait until the newest ten are old
    await limiter.acquire()
    assert clock.now == pytest.approx(2.0)
