"""No shopper's data in clear in any log line."""

from __future__ import annotations

import io
import json
import sys

import pytest
import structlog

from chatshop.logs import configure_logging, mask_private, pseudonym
from chatshop.testing import ShopHarness


def masked(**event: object) -> dict[str, object]:
    return dict(mask_private(None, "info", dict(event)))


def test_customer_ids_become_a_stable_pseudonym() -> None:
    line = masked(event="x", customer="whatsapp:919876543210")
    assert line["customer"] == pseudonym("whatsapp:919876543210")
    assert "9876543210" not in json.dumps(line)
    assert masked(customer="a")["customer"] == masked(customer="a")["customer"]


def test_addresses_names_and_secrets_are_redacted() -> None:
    line = masked(address="12 Hill Road 400050", profile_name="Asha", access_token="EAAG123456789", app_secret="s")
    assert set(line.values()) == {"***"}


def test_free_text_is_scrubbed_of_phones_emails_and_tokens() -> None:
    line = masked(event="send failed for +91 98765 43210 to asha@example.com with Bearer EAAGm0PX4ZCpsBAKZB7")
    text = str(line["event"])
    assert "98765" not in text and "asha@" not in text and "EAAGm0PX" not in text
    nested = masked(error={"to": "919876543210", "detail": "token sk_live_abcdefghijkl rejected"})
    assert "919876543210" not in json.dumps(nested) and "sk_live_abcdefghijkl" not in json.dumps(nested)


def test_order_numbers_and_amounts_stay_readable() -> None:
    line = masked(event="order.placed", order="K7M-4QX", total="275.00 INR")
    assert line == {"event": "order.placed", "order": "K7M-4QX", "total": "275.00 INR"}


async def test_a_whole_journey_logs_nothing_private(harness: ShopHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    configure_logging("debug", json=True)
    try:
        await harness.say("919876543210", "ghee")
        await harness.say("919876543210", "1")
        await harness.say("919876543210", "checkout")
        await harness.say("919876543210", "Flat 9, Mount Mary Road, Bandra 400050")
        await harness.say("919876543210", "1")
        (order,) = await harness.shop.store.list_orders()
        await harness.shop.move_order(order.number, order.status.__class__("shipped"))
    finally:
        structlog.reset_defaults()
    logged = buffer.getvalue()
    assert "order.placed" in logged and order.number in logged
    for private in ("919876543210", "9876543210", "Mount Mary", "400050"):
        assert private not in logged
    for line in logged.splitlines():
        json.loads(line)  # JSON lines when not a terminal
