"""End to end through the real shop and its aiohttp app, with WhatsApp played by the fake Graph API.

The shop is started from a TOML string on a temporary SQLite file; customers write signed webhooks
to ``/webhooks/whatsapp`` and see only what the fake Graph API accepted from the shop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.messages import DeliveryReport, DeliveryState
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph

from .customer import Customer, choices_of, eventually, text_of
from .meta import envelope, fixture, signed
from .shops import ORDER_TEMPLATES, graph_url, whatsapp_shop, whatsapp_shop_toml

WA_ID = "919812345678"
KIRANA_CORNER = """name = "Kirana Corner"
currency = "INR"
locale = "en"
locales = ["en"]"""
OIL_NAMES = [
    "Cold-Pressed Virgin Coconut Oil from Kerala Family Value Pack",
    "Kachi Ghani Mustard Oil Traditional Wood-Pressed Bottle",
    "Refined Sunflower Oil Light and Healthy Pouch for Everyday Cooking",
    "Pure Cow Ghee Made the Slow Bilona Way in Glass Jar",
]


def catalog_csv() -> str:
    rows = ["id,title,price,category,stock,description,image_url"]
    for n in range(1, 38):
        title = f"{OIL_NAMES[n % len(OIL_NAMES)]} Number {n}"
        rows.append(f"oil-{n},{title},{100 + n}.00,Oils and Ghee,20,Batch {n},https://img.example/oil-{n}.jpg")
    rows += [
        "ATTA-AASH-5KG,Aashirvaad Shudh Chakki Atta 5 kg,289.00,Staples,40,Whole wheat,",
        "RICE-BASM-1KG,India Gate Basmati Rice 1 kg,149.50,Staples,30,Basmati,",
        "TOOR-DAL-1KG,Tata Sampann Toor Dal 1 kg,180.00,Staples,50,Toor dal,",
        "milk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100,Toned milk,",
    ]
    return "\n".join(rows) + "\n"


def shop_toml(graph_url: str, extra: str = "", channel_extra: str = "") -> str:
    """Kirana Corner in English with cash on delivery; ``extra`` follows the templates table (more
    template keys, or sections of its own), ``channel_extra`` adds keys to ``[channels.whatsapp]``."""
    return whatsapp_shop_toml(
        graph_url,
        shop=KIRANA_CORNER,
        channel_extra="messages_per_second = 80\n" + channel_extra,
        templates=ORDER_TEMPLATES + extra,
    )


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    async with whatsapp_shop(shop_toml(graph_url(graph)), tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.fixture
def priya(shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(shop, fake, WA_ID, "Priya Sharma")


async def test_hi_then_the_last_of_37_long_named_products_bought_with_cod(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    [menu] = await priya.say("hi")
    assert "Hi Priya" in text_of(menu)
    assert fake.read_marks[-1]["typing_indicator"] == {"type": "text"}

    await priya.tap("browse")
    pages = [await priya.tap(lambda i: i.startswith("cat:") and i != "cats:1")]
    while not any(i == "p:oil-37" for m in pages[-1] for i, _ in choices_of(m)):
        [page] = pages[-1]
        more = [i for i, _ in choices_of(page) if i.startswith("cat:") and not i.endswith(":0")]
        assert more, "the category ended without the last product"
        pages.append(await priya.tap(more[0]))
    assert len(pages) == 5  # 37 products, 8 a page, "more" and "back" rows
    for [page] in pages:
        rows = choices_of(page)
        assert len(rows) <= 10 and all(len(title) <= 24 for _, title in rows)
    last_page = pages[-1][0]
    row = next(r for s in last_page.content["action"]["sections"] for r in s["rows"] if r["id"] == "p:oil-37")
    full = "Kachi Ghani Mustard Oil Traditional Wood-Pressed Bottle Number 37"
    # 37 names alike but for their number: each row ends in its own, its head cut between words.
    cut, _, number = row["title"].partition("… ")
    assert number == "Number 37" and len(row["title"]) <= 24, row["title"]
    assert full.startswith(cut) and full[len(cut)] == " "
    assert row["description"].startswith("Kachi Ghani Mustard Oil") and row["description"].endswith(" · ₹137.00")
    assert len(row["description"]) <= 72

    [card] = await priya.tap("p:oil-37")
    assert card.content["type"] == "button"
    assert card.content["header"] == {
        "type": "image",
        "image": {"link": "https://img.example/oil-37.jpg"},
    }
    assert "Number 37" in text_of(card) and "₹137.00" in text_of(card)

    await priya.tap("add:oil-37:1")
    await priya.tap("checkout")
    summary = await priya.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
    assert "Cash on delivery" in text_of(summary[-1])
    placed = await priya.tap("confirm")
    assert "is placed" in " ".join(text_of(m) for m in placed)

    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    assert order.status is OrderStatus.COD_PENDING
    assert [(line.product_id, line.quantity) for line in order.lines] == [("oil-37", 1)]
    assert order.number in " ".join(text_of(m) for m in placed)
    assert fake.refused == []  # the API took every message the shop sent


async def test_a_native_catalog_order_becomes_the_cart(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> None:
    payload = fixture("webhook_order.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["timestamp"] = priya.message("text")["timestamp"]
    assert await priya.post(payload) == 200
    replies = " ".join(text_of(m) for m in priya.new())
    assert "I put your selection in your cart." in replies
    assert "The price of Tata Sampann Toor Dal 1 kg is now ₹180.00." in replies  # 172 in WhatsApp
    for title in (
        "2 × Aashirvaad Shudh Chakki Atta 5 kg",
        "1 × India Gate Basmati Rice 1 kg",
        "3 × Tata Sampann Toor Dal 1 kg",
    ):
        assert title in replies
    assert "₹1,267.50" in replies  # 2×289 + 149.50 + 3×180, our prices


async def test_a_forged_signature_is_refused_and_nothing_happens(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    body, headers = signed(priya.wrap(priya.message("text", text={"body": "hi"})), secret="not-the-app-secret")
    response = await shop.client.post("/webhooks/whatsapp", data=body, headers=headers)
    assert response.status == 401
    unsigned = await shop.client.post("/webhooks/whatsapp", data=body, headers={"Content-Type": "application/json"})
    assert unsigned.status == 401
    await shop.shop.idle()
    assert fake.sent == [] and fake.read_marks == []
    assert await shop.shop.store.customers_with_pending_inbound() == []
    assert (await shop.shop.store.load_conversation(priya.key)).version == 0


async def test_a_redelivered_webhook_is_ignored(shop: ShopHarness, fake: FakeGraph, priya: Customer) -> None:
    payload = priya.wrap(priya.message("text", text={"body": "hi"}))
    assert await priya.post(payload) == 200
    first = priya.new()
    assert len(first) == 1
    assert await priya.post(payload) == 200  # Meta retries: same bytes, same message id
    assert priya.new() == [] and len(fake.read_marks) == 1


async def test_a_130429_storm_delays_but_delivers_every_reply(shop: ShopHarness, fake: FakeGraph) -> None:
    customers = [Customer(shop, fake, f"9198000000{n:02d}", f"Kunde {n}") for n in range(4)]
    fake.storm(130429, 30)  # more refusals than one send retries: the outbox has to come back
    statuses = await asyncio.gather(
        *(c.post(c.wrap(c.message("text", text={"body": "hi"})), settle=False) for c in customers)
    )
    assert statuses == [200] * 4
    await eventually(lambda: all(len(c.inbox()) == 1 for c in customers))
    await shop.shop.idle()
    assert not fake.faults  # the whole storm was sat out
    for c in customers:
        [menu] = c.inbox()
        assert menu.content["type"] == "list" and c.name.split()[0] in text_of(menu)
    # Every reply went out once, in order, for a customer who keeps going during a new storm.
    buyer = customers[0]
    buyer.new()
    fake.storm(130429, 12)
    await buyer.post(buyer.wrap(buyer.message("text", text={"body": "oil"})), settle=False)
    await buyer.post(buyer.wrap(buyer.message("text", text={"body": "cart"})), settle=False)
    await eventually(lambda: len(buyer.inbox()) >= 3)
    await shop.shop.idle()
    texts = [text_of(m) for m in buyer.new()]
    assert "oil" in texts[0].lower() and "cart is empty" in texts[-1]


async def test_after_131047_the_status_notification_goes_out_as_the_template(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    await priya.say("hi")
    await priya.say("milk")
    await priya.tap("add:milk-1l:1")
    await priya.tap("checkout")
    await priya.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
    await priya.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    fake.closed_windows.add(WA_ID)  # a day passes; Meta accepts, then refuses asynchronously
    await shop.shop.move_order(order.number, OrderStatus.CONFIRMED)
    await eventually(lambda: bool(fake.statuses))
    failed = envelope(statuses=fake.statuses)  # Meta's asynchronous refusal (131047)
    assert await priya.post(failed) == 200
    await eventually(lambda: fake.sent[-1].type == "template")
    template = fake.sent[-1]
    assert template.content["name"] == "order_update"
    assert template.content["components"][0]["parameters"][0]["text"] == order.number


async def test_a_shortened_row_keeps_the_full_name_in_its_description(shop: ShopHarness, priya: Customer) -> None:
    await priya.say("hi")
    await priya.tap("browse")
    [page] = await priya.tap(lambda i: i.startswith("cat:") and i != "cats:1")
    rows = page.content["action"]["sections"][0]["rows"]
    row = next(r for r in rows if r["id"] == "p:oil-1")
    assert "Kachi Ghani Mustard Oil" in row["description"] and "₹101.00" in row["description"]


@pytest.fixture
async def catalog_shop(graph: TestServer, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    toml = shop_toml(graph_url(graph), channel_extra='catalog_id = "730514628893517"')
    async with whatsapp_shop(toml, tmp_path / "native", catalog_csv()) as h:
        yield h


async def test_with_a_native_catalog_a_category_is_a_product_list(catalog_shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(catalog_shop, fake, WA_ID, "Priya Sharma")
    await priya.say("hi")
    await priya.tap("browse")
    [products, more] = await priya.tap(lambda i: i.startswith("cat:") and i != "cats:1")
    assert products.content["type"] == "product_list"
    assert more.content["type"] == "button"  # the 31st product on is one "More…" tap away
    action = products.content["action"]
    assert action["catalog_id"] == "730514628893517"
    items = [i["product_retailer_id"] for s in action["sections"] for i in s["product_items"]]
    assert items == [f"oil-{n}" for n in range(1, 31)]  # WhatsApp's cap of 30
    assert fake.refused == []


async def test_with_a_native_catalog_the_37th_product_can_be_browsed_to(
    catalog_shop: ShopHarness, fake: FakeGraph
) -> None:
    priya = Customer(catalog_shop, fake, WA_ID, "Priya Sharma")
    await priya.say("hi")
    await priya.tap("browse")
    await priya.tap(lambda i: i.startswith("cat:") and i != "cats:1")
    await priya.tap(lambda i: i.startswith("cat:") and i.endswith(":1"))
    items = [
        i["product_retailer_id"]
        for m in priya.inbox()
        if m.content.get("type") == "product_list"
        for s in m.content["action"]["sections"]
        for i in s["product_items"]
    ]
    cards = [  # the last page's 7 products: a product carousel
        card["action"]["product_retailer_id"]
        for m in priya.inbox()
        if m.content.get("type") == "carousel"
        for card in m.content["action"]["cards"]
    ]
    assert "oil-30" in items and cards == [f"oil-{n}" for n in range(31, 38)]


async def test_address_form_location_template_button_and_media_through_the_shop(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    replies = await priya.post_and_read(
        priya.message("image", image={"id": "1234", "mime_type": "image/jpeg", "sha256": "x"})
    )
    assert "I can only read text" in text_of(replies[0])
    button = priya.message("button", button={"payload": "orders", "text": "My orders"})
    replies = await priya.post_and_read(button)
    assert "no orders yet" in " ".join(text_of(m) for m in replies)

    await priya.say("milk")
    await priya.tap("add:milk-1l:1")
    await priya.tap("checkout")
    location = fixture("webhook_location.json")["entry"][0]["changes"][0]["value"]["messages"][0]
    replies = await priya.post_and_read(priya.message("location", location=location["location"]))
    assert "Please check your order" in text_of(replies[-1])  # the place's address has a PIN code
    await priya.tap("abort")

    await priya.tap("checkout")
    form = fixture("webhook_interactive_nfm_reply_address.json")["entry"][0]["changes"][0]["value"]
    interactive = form["messages"][0]["interactive"]
    replies = await priya.post_and_read(priya.message("interactive", interactive=interactive))
    summary = text_of(replies[-1])
    assert "Please check your order" in summary and "400069" in summary and "B-1204" in summary
    placed = await priya.tap("confirm")
    [order] = await shop.shop.store.list_orders(customer_key=priya.key)
    assert order.postal_code == "400069" and order.contact_name == "Priya Sharma"
    assert order.number in " ".join(text_of(m) for m in placed)


async def test_delivery_statuses_update_the_outbox_record_even_out_of_order(
    shop: ShopHarness, fake: FakeGraph, priya: Customer
) -> None:
    [menu] = await priya.say("hi")
    statuses = fake.delivery(menu, "sent", "read", "delivered")  # "read" may overtake "delivered"
    assert await priya.post(envelope(statuses=statuses)) == 200
    late = DeliveryReport(channel="whatsapp", provider_message_id=menu.wamid, state=DeliveryState.SENT)
    item = await shop.shop.store.record_delivery(late)
    assert item is not None and item.status == "read"


async def test_the_window_is_read_from_the_shop_store_by_any_worker(shop: ShopHarness, priya: Customer) -> None:
    """A worker that never saw the customer's webhook still knows the window from the store."""
    from datetime import UTC, datetime, timedelta

    from chatshop.kv import KeyValueSpace
    from chatshop.plugins.whatsapp.window import ConversationWindow

    await priya.say("hi")
    now = datetime.now(UTC)
    def space() -> KeyValueSpace:
        return shop.shop.kv("whatsapp")

    other_worker = ConversationWindow(space, shop.shop.last_message_at, "whatsapp", clock=lambda: now)
    assert await other_worker.is_open(WA_ID)
    a_day_later = ConversationWindow(
        space, shop.shop.last_message_at, "whatsapp", clock=lambda: now + timedelta(hours=25)
    )
    assert not await a_day_later.is_open(WA_ID)
