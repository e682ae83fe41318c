"""WhatsApp's 24-hour window in the team inbox: inside it a reply reaches the fake Graph API as a
text; outside it the reply box is replaced by the shop's approved templates with the reason, a
free-form reply is refused (nothing queued that Meta would refuse), and an order update goes as
the approved template."""

from __future__ import annotations

import uuid
from pathlib import Path

from aiohttp.test_utils import TestServer

from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number
from chatshop.plugins.whatsapp.channel import WhatsAppChannel
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

from .staff import ADMIN_ENV, Staff, add_staff
from .test_team_inbox import note

WA_ID = "919812345678"
KEY = f"whatsapp:{WA_ID}"
SHOP = """name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en"]"""
CATALOG = "id,title,price,category,stock\natta-5kg,Aashirvaad Atta 5 kg,245.00,Staples,40\n"


def toml(url: str) -> str:
    more = f'[payments.cod]\nmax_order_total = "50000.00"\n\n[admin]\ntoken_env = "{ADMIN_ENV}"\n'
    return whatsapp_shop_toml(url, shop=SHOP, more=more)


def cod_order() -> Order:
    return Order(
        number=new_order_number(),
        customer_key=KEY,
        status=OrderStatus.COD_PENDING,
        lines=(OrderLine(product_id="atta-5kg", title="Atta 5 kg", quantity=1, unit_price=Money(24500, "INR")),),
        adjustments=(),
        currency="INR",
        payment_method="cod",
        placement_key=uuid.uuid4().hex,
        address="12 Hill Road, Bandra West",
        postal_code="400050",
    )


async def test_inside_the_window_a_reply_is_a_text_outside_only_a_template(
    tmp_path: Path, fake: FakeGraph, graph: TestServer
) -> None:
    async with whatsapp_shop(toml(graph_url(graph)), tmp_path, CATALOG) as h:
        await add_staff(h, "anna")
        asha = Customer(h, fake, WA_ID, "Asha")
        await asha.say("hi")
        await asha.say("agent")
        asha.new()
        order, _ = await h.shop.store.place_order(cod_order())
        async with Staff(h, "anna") as anna:
            assert note((await anna.post("/admin/inbox/reply", customer=KEY, text="Hello Asha!"))[1])[0] == "done"
            await h.shop.idle()
            (sent,) = asha.new()
            assert (sent.type, sent.content) == ("text", {"body": "Hello Asha!", "preview_url": False})
            # A day later without a word from Asha (Meta refused a message for it: 131047).
            channel = h.shop.channels["whatsapp"]
            assert isinstance(channel, WhatsAppChannel)
            await channel.window.closed(WA_ID)
            page = await anna.conversation(KEY)
            assert "more than 24 hours ago" in page and 'id="window-closed"' in page
            assert 'id="reply"' not in page and "order_update" in page
            _, where = await anna.post("/admin/inbox/reply", customer=KEY, text="Still there?")
            assert note(where)[0] == "error" and "approved templates" in note(where)[1]
            assert note((await anna.post("/admin/inbox/card", customer=KEY, product="atta-5kg"))[1])[0] == "error"
            await h.shop.idle()
            assert asha.new() == []  # nothing queued that Meta would refuse
            _, where = await anna.post(
                "/admin/inbox/template", customer=KEY, order=order.number, text="Your atta leaves today."
            )
            assert note(where)[0] == "done"
            await h.shop.idle()
            (template,) = asha.new()
            assert template.type == "template" and template.content["name"] == "order_update"
            params = [p["text"] for p in template.content["components"][0]["parameters"]]
            assert params == [order.number, "Your atta leaves today."]
            entries = await h.shop.store.transcript(KEY)
            assert entries[-1].author == "anna"
            # Asha writes again: the window is open, the reply box is back.
            await asha.say("thanks")
            assert 'id="reply"' in await anna.conversation(KEY)
