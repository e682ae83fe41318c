"""The access token and the customer-service client against the fake WeChat API."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from chatshop.channels import PermanentSendError, RetryableSendError, SendingHalted
from chatshop.plugins.wechat.client import WeChatClient
from chatshop.plugins.wechat.errors import ReplyWindowClosed
from chatshop.plugins.wechat.token import AccessTokens, MemoryKV
from chatshop.testing.fakes.wechat import FakeWeChat

from .conftest import SECRET, Clock
from .wire import APP_ID, OPENID

TEXT = {"touser": OPENID, "msgtype": "text", "text": {"content": "hello"}}


def _client(
    fake_url: str,
    session: aiohttp.ClientSession,
    clock: Clock,
    kv: MemoryKV | None = None,
    secret: str = SECRET,
) -> WeChatClient:
    tokens = AccessTokens(
        app_id=APP_ID,
        secret=secret,
        base_url=fake_url,
        session=lambda: session,
        kv=kv or MemoryKV(),
        clock=clock,
    )
    return WeChatClient(base_url=fake_url, session=lambda: session, tokens=tokens)


async def test_token_fetched_once_and_cached(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    for _ in range(3):
        await client.send_custom(TEXT)
    assert len(fake.token_requests) == 1
    assert fake.token_requests[0] == {
        "grant_type": "client_credential",
        "appid": APP_ID,
        "secret": SECRET,
        "force_refresh": False,
    }
    assert len(fake.sent) == 3


async def test_concurrent_callers_fetch_one_token(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    tokens = await asyncio.gather(*(client.tokens.get() for _ in range(20)))
    assert len(set(tokens)) == 1 and len(fake.token_requests) == 1


async def test_workers_share_the_token_through_storage(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    shared = MemoryKV()
    one, two = _client(fake_url, session, clock, shared), _client(fake_url, session, clock, shared)
    assert await one.tokens.get() == await two.tokens.get()
    assert len(fake.token_requests) == 1


async def test_refreshed_shortly_before_expiry(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    first = await client.tokens.get()
    clock.now += 7200 - 200
    assert await client.tokens.get() == first and len(fake.token_requests) == 1
    clock.now += 100  # 100 s before expiry: inside the margin, ask the platform again
    await client.tokens.get()
    assert len(fake.token_requests) == 2


async def test_a_token_one_worker_refreshed_is_picked_up_by_the_others(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    shared = MemoryKV()
    one, two = _client(fake_url, session, clock, shared), _client(fake_url, session, clock, shared)
    fake.customer_wrote(OPENID)
    await one.send_custom(TEXT)
    await two.send_custom(TEXT)
    fake.expire_tokens()
    await one.send_custom(TEXT)  # 42001: worker one refreshes
    await two.send_custom(TEXT)  # 42001 with its cached token: takes the shared new one
    assert len(fake.token_requests) == 2 and len(fake.sent) == 4


async def test_expired_token_refreshed_once_and_the_send_retried(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    await client.send_custom(TEXT)
    fake.expire_tokens()  # e.g. another tool force-refreshed it
    await client.send_custom(TEXT)
    assert len(fake.sent) == 2 and len(fake.token_requests) == 2


async def test_invalid_token_refreshed_with_force_when_platform_repeats_it(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    token = await client.tokens.get()
    fake.fail_next.append({"errcode": 40001, "errmsg": "invalid credential"})
    await client.send_custom(TEXT)
    assert [r["force_refresh"] for r in fake.token_requests] == [False, False, True]
    assert token not in fake.tokens and len(fake.sent) == 1


async def test_token_rejected_twice_is_not_a_loop(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    fake.fail_next += [
        {"errcode": 40014, "errmsg": "invalid"},
        {"errcode": 40014, "errmsg": "invalid"},
    ]
    with pytest.raises(RetryableSendError):
        await client.send_custom(TEXT)


async def test_outside_48_hours_kept_for_later(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    clock.now += 48 * 3600 + 1
    with pytest.raises(ReplyWindowClosed) as info:
        await client.send_custom(TEXT)
    assert info.value.code == "45015" and info.value.retryable


async def test_sixth_reply_is_over_quota(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    for _ in range(5):
        await client.send_custom(TEXT)
    with pytest.raises(ReplyWindowClosed) as info:
        await client.send_custom(TEXT)
    assert info.value.code == "45047"
    fake.customer_wrote(OPENID)  # a new message from the customer resets the quota
    await client.send_custom(TEXT)


async def test_wrong_secret_halts_sending(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock, secret="wrong")
    with pytest.raises(SendingHalted):
        await client.send_custom(TEXT)


async def test_bad_request_is_permanent(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    with pytest.raises(PermanentSendError):
        await client.send_custom({**TEXT, "text": {"content": "x" * 3000}})
    assert fake.rejected[0][0] == 45002


async def test_busy_and_unreachable_are_retryable(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    fake.fail_next.append({"errcode": -1, "errmsg": "system error"})
    with pytest.raises(RetryableSendError):
        await client.send_custom(TEXT)
    dead = _client("http://127.0.0.1:9", session, clock)
    with pytest.raises(RetryableSendError):
        await dead.send_custom(TEXT)


async def test_forced_refresh_not_repeated_within_30_seconds(
    fake: FakeWeChat, fake_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    client = _client(fake_url, session, clock)
    fake.customer_wrote(OPENID)
    await client.tokens.get()
    fake.fail_next.append({"errcode": 40001, "errmsg": "invalid credential"})
    await client.send_custom(TEXT)  # forced once
    fake.fail_next.append({"errcode": 40001, "errmsg": "invalid credential"})
    with pytest.raises(RetryableSendError):
        await client.send_custom(TEXT)  # the platform's token refused again at once: wait
    assert [r["force_refresh"] for r in fake.token_requests].count(True) == 1
    clock.now += 31
    fake.fail_next.append({"errcode": 40001, "errmsg": "invalid credential"})
    await client.send_custom(TEXT)
    assert [r["force_refresh"] for r in fake.token_requests].count(True) == 2
