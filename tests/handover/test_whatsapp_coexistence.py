"""The owner answers from the WhatsApp Business app on the shop's own number: Meta's
``smb_message_echoes`` webhook pauses the bot for that customer as a hand-over does, and the
owner's message appears in the transcript. Payloads follow Meta's smb_message_echoes webhook
reference (docs/whatsapp.md): ``field: "smb_message_echoes"``, ``value.message_echoes[]`` with
``from`` (the business), ``to`` (the customer, as the app had it), ``id``, ``timestamp``, ``type``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer

from chatshop.messages import InboundKind
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, text_of
from tests.whatsapp.meta import PHONE_NUMBER_ID, signed
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

WA_ID = "919812345678"
SHOP = """name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en"]"""
CATALOG = "id,title,price,category,stock\natta-5kg,Aashirvaad Atta 5 kg,245.00,Staples,40\n"


def echoes(*messages: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "919800012345", "phone_number_id": PHONE_NUMBER_ID},
                            "message_echoes": list(messages),
                        },
                        "field": "smb_message_echoes",
                    }
                ],
            }
        ],
    }


def echo(body: str, message_id: str, to: str = "+" + WA_ID) -> dict[str, Any]:
    return {
        "from": "919800012345",
        "to": to,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    }


def toml(url: str) -> str:
    return whatsapp_shop_toml(url, shop=SHOP, more='[payments.cod]\nmax_order_total = "50000.00"\n\n[admin]\n')


async def test_an_echo_from_the_business_app_pauses_the_bot_and_shows_in_the_transcript(
    tmp_path: Path, fake: FakeGraph, graph: TestServer
) -> None:
    async with whatsapp_shop(toml(graph_url(graph)), tmp_path, CATALOG) as h:
        asha = Customer(h, fake, WA_ID, "Asha")
        assert await asha.say("hi")
        reads = len(fake.read_marks)
        record = await h.shop.store.load_conversation(asha.key)
        body, headers = signed(echoes(echo("Namaste Asha, your atta is packed!", "wamid.ECHO1")))
        assert (await h.client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 200
        await h.shop.idle()
        assert asha.new() == []  # nothing sent for the owner's own message
        assert len(fake.read_marks) == reads  # and no blue ticks on it
        assert [w.customer_key for w in await h.shop.store.waiting_conversations()] == [asha.key]
        # The owner writing opens no 24-hour window: only the customer's messages do.
        assert (await h.shop.store.load_conversation(asha.key)).last_inbound_at == record.last_inbound_at
        assert await asha.say("great, when will it come?") == []  # the bot is silent: a person talks
        assert await asha.say("atta") == []
        entries = await h.shop.store.transcript(asha.key)
        shop_words = [e.inbound for e in entries if e.inbound and e.inbound.kind is InboundKind.SHOP]
        assert [(m.text, m.author) for m in shop_words] == [
            ("Namaste Asha, your atta is packed!", "WhatsApp Business app")
        ]
        # Meta redelivers: the echo counts once.
        assert (await h.client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 200
        await h.shop.idle()
        assert len([e for e in await h.shop.store.transcript(asha.key) if e.inbound and e.inbound.author]) == 1
        # The customer's menu word gives the conversation back to the bot.
        back = await asha.say("menu")
        assert text_of(back[0]).startswith("You're back with the Kirana Corner assistant.\n\n")


async def test_an_echo_to_a_customer_the_shop_never_heard_from_is_kept_quietly(
    tmp_path: Path, fake: FakeGraph, graph: TestServer
) -> None:
    async with whatsapp_shop(toml(graph_url(graph)), tmp_path, CATALOG) as h:
        picture = {**echo("", "wamid.ECHO2", to="16505551234"), "type": "image", "image": {"id": "m1"}}
        picture.pop("text")
        body, headers = signed(echoes(picture, {"id": "wamid.broken"}))
        assert (await h.client.post("/webhooks/whatsapp", data=body, headers=headers)).status == 200
        await h.shop.idle()
        assert fake.sent == []
        (entry,) = await h.shop.store.transcript("whatsapp:16505551234")
        assert entry.inbound is not None and entry.inbound.text == "[image]"
        first = Customer(h, fake, "16505551234", "Sam")
        assert await first.say("hello") == []  # the owner is talking with them
