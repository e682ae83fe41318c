"""Pair budgets: how fast one customer may be messaged, a burst borrowed from the future and paid back.

The rule is WhatsApp's (research/whatsapp.md §2.9), with intervals long enough here that the test's
own pace never reaches them; nothing is timed.
"""

from __future__ import annotations

from collections.abc import Callable

from chatshop.store.base import Store
from chatshop.store.pair_rate import PairRule, pace
from chatshop.store.postgres import PostgresStore

#: One message per 100 s, bursts of 3 within 100 s, paid back 10 s late.
RULE = (100.0, 100.0, 3, 10.0)


async def test_a_burst_is_allowed_then_the_pair_waits_until_it_is_paid_back(store: Store) -> None:
    assert [await store.pace_pair("whatsapp-pair:1:a", *RULE) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await store.pace_pair("whatsapp-pair:1:a", *RULE)
    assert 300.0 < wait <= 310.0  # three intervals from the burst's start, and the guard
    assert await store.pace_pair("whatsapp-pair:1:a", *RULE) > 300.0  # waiting charged nothing
    assert await store.pace_pair("whatsapp-pair:1:b", *RULE) == 0.0  # each customer has a pair of their own


async def test_a_message_given_back_leaves_its_quota(store: Store) -> None:
    for _ in range(3):
        assert await store.pace_pair("whatsapp-pair:1:a", *RULE) == 0.0
    await store.give_back_pair("whatsapp-pair:1:a", 100.0)  # the last one was refused
    assert await store.pace_pair("whatsapp-pair:1:a", *RULE) == 0.0
    assert await store.pace_pair("whatsapp-pair:1:a", *RULE) > 300.0


async def test_giving_back_what_was_never_charged_changes_nothing(store: Store) -> None:
    await store.give_back_pair("whatsapp-pair:1:never", 100.0)
    assert await store.pace_pair("whatsapp-pair:1:never", *RULE) == 0.0


async def test_workers_share_a_pair(store: Store, twin: Callable[[], Store]) -> None:
    if not isinstance(store, PostgresStore):
        return  # SQLite serves one process: its pairs are that process's
    other = twin()
    await other.open()
    try:
        assert await store.pace_pair("whatsapp-pair:1:a", *RULE) == 0.0
        assert await other.pace_pair("whatsapp-pair:1:a", *RULE) == 0.0
        assert await store.pace_pair("whatsapp-pair:1:a", *RULE) == 0.0
        assert await other.pace_pair("whatsapp-pair:1:a", *RULE) > 300.0  # the burst both took is used up
    finally:
        await other.close()


def test_the_rule_after_the_window_and_after_the_pay_back() -> None:
    rule = PairRule(interval=6.0, window=6.0, burst=45, guard=1.0)
    state, wait = pace(None, 0.0, rule)
    for at in (1.0, 2.0):
        state, wait = pace(state, at, rule)
        assert wait == 0.0
    assert state is not None and (state.count, state.due) == (3, 19.0)  # 3 intervals, 1 s guard
    assert pace(state, 5.5, rule)[1] == 13.5  # the burst ended 1 s early (the guard): wait for the pay-back
    assert pace(state, 19.0, rule)[1] == 0.0  # paid back: a new burst
    full = state
    for at in range(40):
        full, _ = pace(full, 3.0 + at / 100, rule)
    assert full is not None and full.count == 43
    assert pace(pace(pace(full, 4.0, rule)[0], 4.0, rule)[0], 4.0, rule)[1] > 0  # 45 at most in a burst
