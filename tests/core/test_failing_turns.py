"""A turn that keeps failing is retried, then answered with an apology; it never blocks the customer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog.testing

from chatshop.channels import SendResult
from chatshop.config import load_config
from chatshop.messages import Inbound, InboundKind, Outbound, Text
from chatshop.runtime import MAX_TURN_FAILURES, Shop
from chatshop.store.base import FinishedTurn, OutboxItem
from chatshop.store.sqlite import SQLiteStore
from tests.conftest import SHOP_TOML


class FlakyStore(SQLiteStore):
    """A real SQLite store whose commits fail ``failures`` times (a fault injected for the test)."""

    failures = 0

    def _fail(self, outbound: Sequence[Outbound]) -> None:
        if self.failures and not (outbound and isinstance(outbound[0], Text) and outbound[0].body.startswith("Sorry")):
            self.failures -= 1
            raise OSError("disk I/O error")

    async def commit_turn(
        self,
        customer_key: str,
        inbox_id: int | None,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
    ) -> list[OutboxItem]:
        self._fail(outbound)
        return await super().commit_turn(customer_key, inbox_id, state, expected_version, outbound)

    async def finish_turn(
        self,
        customer_key: str,
        inbox_id: int,
        state: dict[str, Any],
        expected_version: int,
        outbound: Sequence[Outbound],
        lease: str,
        owner: str,
        send_lease: str,
        send_owner: str,
        seconds: float,
    ) -> FinishedTurn:
        self._fail(outbound)
        return await super().finish_turn(
            customer_key, inbox_id, state, expected_version, outbound, lease, owner, send_lease, send_owner, seconds
        )


def message(text: str, n: int) -> Inbound:
    return Inbound(channel="terminal", customer_id="rita", message_id=f"m{n}", kind=InboundKind.TEXT, text=text)


async def run(tmp_path: Path, failures: int) -> list[str]:
    (tmp_path / "shop.toml").write_text(SHOP_TOML + "\n[channels.terminal]\n")
    store = FlakyStore(tmp_path / "shop.db")
    store.failures = failures
    shop = Shop(load_config(tmp_path / "shop.toml"), store=store)
    sent: list[str] = []
    terminal = shop.channels["terminal"]

    async def send(customer_id: str, outbound: Outbound) -> SendResult:
        sent.append(getattr(outbound, "body", ""))
        return SendResult()

    terminal.send = send  # type: ignore[method-assign]
    await shop.start()
    try:
        for n, text in enumerate(("hi", "atta")):
            await shop.receive(message(text, n))
            for _ in range(MAX_TURN_FAILURES + 2):  # each failed attempt waits for the next kick
                await shop.idle()
                await shop.recover()
        await shop.idle()
    finally:
        await shop.stop()
    return sent


async def test_a_passing_fault_is_retried_and_the_message_handled_normally(tmp_path: Path) -> None:
    sent = await run(tmp_path, failures=2)
    assert any("Welcome to Test Kirana" in s for s in sent)
    assert any("Aashirvaad Atta" in s for s in sent)


async def test_a_message_that_always_fails_is_answered_with_an_apology_and_the_next_one_handled(
    tmp_path: Path,
) -> None:
    sent = await run(tmp_path, failures=MAX_TURN_FAILURES)  # every attempt at "hi" fails
    assert sent[0].startswith("Sorry, I didn't understand")  # "hi" failed every time
    assert any("Aashirvaad Atta" in s for s in sent[1:])  # "atta" after it was not held up


async def test_a_channel_whose_read_receipt_breaks_still_answers_and_the_fault_is_logged(tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text(SHOP_TOML + "\n[channels.terminal]\n")
    shop = Shop(load_config(tmp_path / "shop.toml"))
    terminal = shop.channels["terminal"]
    sent: list[str] = []

    async def send(customer_id: str, outbound: Outbound) -> SendResult:
        sent.append(getattr(outbound, "body", ""))
        return SendResult()

    async def acknowledge(inbound: Inbound) -> None:
        raise RuntimeError("a plugin's bug")

    terminal.send = send  # type: ignore[method-assign]
    terminal.acknowledge = acknowledge  # type: ignore[method-assign]
    await shop.start()
    try:
        with structlog.testing.capture_logs() as logs:
            await shop.receive(message("hi", 1))
            await shop.idle()
    finally:
        await shop.stop()
    assert any("Welcome to Test Kirana" in s for s in sent)
    [failure] = [entry for entry in logs if entry["event"] == "inbound.acknowledge_failed"]
    assert failure["log_level"] == "warning" and isinstance(failure["exc_info"], RuntimeError)
