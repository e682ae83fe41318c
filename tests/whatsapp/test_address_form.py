"""WhatsApp's address form (India, ``address_message``) at checkout: a PIN code the shop does not
deliver to is marked in the form for the customer to fix, a new address is saved with consent, and
the next checkout offers it among the form's saved addresses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from chatshop.testing.fakes.whatsapp import FakeGraph, Sent

from .customer import Customer, choices_of, text_of
from .shops import CATALOG_FILE, COD, graph_url, whatsapp_shop, whatsapp_shop_toml

KIRANA = """name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en"]"""
CATALOG = "id,title,price,category,stock\natta-5kg,Aashirvaad Atta 5 kg,245.00,Staples,40\n"
MORE = (
    COD
    + """
[delivery]
areas = ["400050", "400069"]

[addresses]
remember = 2
"""
)


def form(customer: Customer, values: dict[str, str], saved_id: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"values": values}
    if saved_id is not None:
        response["saved_address_id"] = saved_id
    reply = {"type": "nfm_reply", "nfm_reply": {"name": "address_message", "response_json": json.dumps(response)}}
    return customer.message("interactive", interactive=reply)


def address_forms(sent: list[Sent]) -> list[dict[str, Any]]:
    return [
        s.content["action"]["parameters"]
        for s in sent
        if s.type == "interactive" and s.content.get("type") == "address_message"
    ]


async def test_the_form_checks_the_pin_saves_with_consent_and_offers_it_next_time(
    tmp_path: Path, fake: FakeGraph, graph: TestServer
) -> None:
    toml = whatsapp_shop_toml(
        graph_url(graph), shop=KIRANA, catalog=CATALOG_FILE, more=MORE, channel_extra="address_message = true"
    )
    async with whatsapp_shop(toml, tmp_path, CATALOG) as h:
        priya = Customer(h, fake, "919812345678", "Priya")
        await priya.say("hi")
        await priya.say("atta")
        await priya.tap(lambda found: found.startswith("add:atta-5kg"))
        (first,) = address_forms(await priya.tap("checkout"))
        assert first == {"country": "IN"}  # nothing saved yet: an empty form
        far = {"name": "Priya Sharma", "in_pin_code": "560001", "address": "22 MG Road", "city": "Bengaluru"}
        (again,) = address_forms(await priya.post_and_read(form(priya, far)))
        assert again["validation_errors"] == {"in_pin_code": "Sorry, we don't deliver to 560001 yet."}
        assert again["values"]["in_pin_code"] == "560001"
        home = {"name": "Priya Sharma", "in_pin_code": "400069", "address": "Sahar Road, Chakala", "city": "Mumbai"}
        consent = await priya.post_and_read(form(priya, home))
        assert "remember this address" in text_of(consent[-1])
        summary = await priya.tap("keepaddr:yes")
        assert "Please check your order" in text_of(summary[-1]) and "400069" in text_of(summary[-1])
        await priya.tap("confirm")
        await priya.say("atta")
        await priya.tap(lambda found: found.startswith("add:atta-5kg"))
        (offered,) = address_forms(await priya.tap("checkout"))
        (saved,) = offered["saved_addresses"]
        assert saved["id"] == "a0" and saved["value"]["in_pin_code"] == "400069"
        assert saved["value"]["name"] == "Priya Sharma" and "Sahar Road, Chakala" in saved["value"]["address"]
        picked = await priya.post_and_read(form(priya, {**saved["value"]}, saved_id="a0"))
        assert "Please check your order" in text_of(picked[-1])  # a saved address: no question again
        assert ("confirm", "Confirm order") in choices_of(picked[-1])
        assert not fake.refused
