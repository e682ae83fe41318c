"""Signed webhooks of every documented shape, with types and values perturbed: never a 5xx.

Meta resends a batch it got a 5xx for, for days, every good message in it refused again with it.
So each POST here carries, beside the perturbed updates, one untouched text in its own entry: it
must be in the inbox afterwards, whatever its neighbours held.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatshop.messages import Inbound, InboundKind
from chatshop.testing import ShopHarness
from tests.perturbed import perturbed, without_missing

from .meta import fixture, signed, text_message
from .test_endpoint import PATH, open_shop
from .test_pay import PAY

FIXTURES = [
    "webhook_text.json",
    "webhook_interactive_button_reply.json",
    "webhook_interactive_list_reply.json",
    "webhook_interactive_nfm_reply_address.json",
    "webhook_location.json",
    "webhook_order.json",
    "webhook_status_failed.json",
    "webhook_status_payment_captured.json",
]
WA_ID = "919812345678"


def _value(name: str) -> dict[str, Any]:
    value: dict[str, Any] = fixture(name)["entry"][0]["changes"][0]["value"]
    return value


#: Documented shapes the fixtures do not show (research/whatsapp.md §1.3): an edit, a template
#: button, media, a referral, shared contacts, a "Message business" question about a product.
EXTRA_MESSAGES: list[dict[str, Any]] = [
    {
        "from": WA_ID,
        "id": "wamid.EDIT",
        "timestamp": "1764038400",
        "type": "edit",
        "edit": {"original_message_id": "wamid.X", "message": {"type": "text", "text": {"body": "milk"}}},
    },
    {
        "from": WA_ID,
        "id": "wamid.BTN",
        "timestamp": "1764038400",
        "type": "button",
        "button": {"payload": "p", "text": "t"},
    },
    {
        "from": WA_ID,
        "id": "wamid.IMG",
        "timestamp": "1764038400",
        "type": "image",
        "image": {"caption": "c", "id": "1"},
    },
    {
        "from": WA_ID,
        "id": "wamid.REF",
        "timestamp": "1764038400",
        "type": "text",
        "text": {"body": "I saw your ad"},
        "referral": {
            "source_url": "https://fb.me/x",
            "source_id": "120",
            "source_type": "ad",
            "headline": "Diwali sale",
            "body": "20% off",
            "media_type": "image",
            "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ",
        },
    },
    {
        "from": WA_ID,
        "id": "wamid.CONTACTS",
        "timestamp": "1764038400",
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Ravi", "first_name": "Ravi"}, "phones": [{"phone": "+91 98"}]}],
    },
    {
        "from": WA_ID,
        "id": "wamid.ASK",
        "timestamp": "1764038400",
        "type": "text",
        "text": {"body": "is it fresh?"},
        "context": {
            "from": "919800012345",
            "id": "wamid.Y",
            "referred_product": {"catalog_id": "7", "product_retailer_id": "milk-1l"},
        },
    },
    {"from": WA_ID, "id": "wamid.WELCOME", "timestamp": "1764038400", "type": "request_welcome"},
]


def _values() -> list[dict[str, Any]]:
    values = [_value(name) for name in FIXTURES]
    base = _value("webhook_text.json")
    for message in EXTRA_MESSAGES:
        values.append({**copy.deepcopy(base), "messages": [message]})
    return values


VALUES = _values()
_counter = itertools.count()


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async for harness in open_shop(graph, tmp_path / "shop", PAY):
        yield harness


@st.composite
def hostile_batches(draw: st.DrawFn) -> dict[str, Any]:
    """One to three documented updates, perturbed, in one entry."""
    picked = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=3))
    changes = [
        draw(perturbed({"value": value, "field": "messages"}, odds=draw(st.sampled_from([6, 12, 24]))))
        for value in picked
    ]
    return {"id": "109876543210987", "changes": without_missing(changes)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=hostile_batches())
async def test_no_signed_update_gets_a_5xx_and_the_good_message_beside_it_is_kept(
    shop: ShopHarness, entry: dict[str, Any]
) -> None:
    good_id = f"wamid.GOOD{next(_counter)}"
    good = {
        "id": "109876543210987",
        "changes": [
            {
                "value": {**_value("webhook_text.json"), "messages": [text_message(WA_ID, "hi", good_id)]},
                "field": "messages",
            }
        ],
    }
    body, headers = signed({"object": "whatsapp_business_account", "entry": [entry, good]})
    async with shop.client.session.post(shop.url(PATH), data=body, headers=headers) as response:
        assert response.status < 500, await response.text()
        assert response.status == 200
    again = Inbound(channel="whatsapp", customer_id=WA_ID, message_id=good_id, kind=InboundKind.TEXT)
    assert not await shop.shop.store.add_inbound(again), "the untouched message of the batch was lost"
