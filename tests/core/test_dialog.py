"""The shopping dialog end to end through the terminal channel (numbered menus everywhere)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from chatshop.messages import Inbound, InboundKind, Location, OrderStatusUpdate
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from tests.conftest import SHOP_TOML, ShopFactory


def numbered(reply: str, title_part: str) -> str:
    """The number the terminal shows in front of the choice containing ``title_part``."""
    match = re.search(rf"^(\d+)\. [^\n]*{re.escape(title_part)}", reply, re.MULTILINE)
    assert match, f"no choice {title_part!r} in:\n{reply}"
    return match.group(1)


def big_category_toml(count: int = 37) -> str:
    products = "".join(
        f'\n[[catalog.products]]\nid = "p{i:02d}"\n'
        f'title = "Organic Cold Pressed Virgin Coconut Oil Variant {i:02d} 500 ml Glass Bottle"\n'
        f'price = "{100 + i}.00"\ncategory = "Oils"\n'
        for i in range(1, count + 1)
    )
    return SHOP_TOML + products


async def test_a_37_product_category_is_browsable_to_the_last_product(make_shop: ShopFactory) -> None:
    async with make_shop(big_category_toml()) as h:
        await h.say("ravi", "hi")
        reply = await h.say("ravi", "1")  # Browse catalog
        reply = await h.say("ravi", numbered(reply, "Oils"))
        seen = []
        while True:
            seen += re.findall(r"Variant (\d\d)", reply)
            if "More…" not in reply:
                break
            reply = await h.say("ravi", numbered(reply, "More…"))
        assert seen == [f"{i:02d}" for i in range(1, 38)]
        reply = await h.say("ravi", numbered(reply, "Variant 37"))
        assert "Variant 37 500 ml Glass Bottle" in reply and "₹137.00" in reply


async def test_search_finds_products_whatever_the_case_and_accents(harness: ShopHarness) -> None:
    await harness.say("mei", "hello")
    assert "Aashirvaad Atta 5 kg" in await harness.say("mei", "ATTA")
    assert "Café Latte Premix" in await harness.say("mei", "cafe latte")
    reply = await harness.say("mei", "xyzzy")
    assert "Nothing found for “xyzzy”" in reply and "1. Browse catalog" in reply


async def test_unknown_input_and_media_always_get_an_answer(harness: ShopHarness) -> None:
    await harness.say("li", "hi")
    assert "Please reply with a number from 1 to 6" in await harness.say("li", "42")
    replies = await harness.send_inbound(
        Inbound(channel="terminal", customer_id="li", message_id="img-1", kind=InboundKind.MEDIA)
    )
    assert replies and "I can only read text" in replies[0].body  # type: ignore[union-attr]


async def test_a_photo_with_a_caption_is_read_by_its_caption(harness: ShopHarness) -> None:
    """A customer who sends a photo of what they want with its name ("ghee") was told "I can only
    read text", though WhatsApp and Telegram hand the caption over: it is now read as their text."""
    await harness.say("li", "hi")
    replies = await harness.send_inbound(
        Inbound(channel="terminal", customer_id="li", message_id="img-2", kind=InboundKind.MEDIA, text=" ghee ")
    )
    assert replies and "Amul Pure Ghee 1 l" in replies[0].body  # type: ignore[union-attr]
    blank = await harness.send_inbound(
        Inbound(channel="terminal", customer_id="li", message_id="img-3", kind=InboundKind.MEDIA, text="  ")
    )
    assert blank and "I can only read text" in blank[0].body  # type: ignore[union-attr]


async def test_first_message_that_is_a_search_still_gets_results(harness: ShopHarness) -> None:
    reply = await harness.say("new", "ghee")
    assert "Amul Pure Ghee 1 l" in reply


async def test_switching_language_to_german(harness: ShopHarness) -> None:
    reply = await harness.say("hans", "hi")
    reply = await harness.say("hans", numbered(reply, "Language"))
    reply = await harness.say("hans", numbered(reply, "Deutsch"))
    assert "Ich schreibe ab jetzt auf Deutsch" in reply
    assert "Katalog ansehen" in reply
    reply = await harness.say("hans", "atta")
    assert "245,00\xa0₹" in reply and "In den Warenkorb" in reply
    assert "Ihr Warenkorb ist leer" in await harness.say("hans", "warenkorb")


async def test_cart_editing(harness: ShopHarness) -> None:
    await harness.say("sam", "hi")
    await harness.say("sam", "atta")
    reply = await harness.say("sam", "2")  # Quantity…
    assert "How many Aashirvaad Atta 5 kg?" in reply
    assert "Added 3 × Aashirvaad Atta 5 kg" in await harness.say("sam", "3")
    reply = await harness.say("sam", "cart")
    assert "3 × Aashirvaad Atta 5 kg: ₹735.00" in reply
    reply = await harness.say("sam", numbered(reply, "Edit cart"))
    reply = await harness.say("sam", numbered(reply, "Aashirvaad"))
    reply = await harness.say("sam", numbered(reply, "−1"))
    assert "Aashirvaad Atta 5 kg: now 2." in reply and "₹490.00" in reply
    reply = await harness.say("sam", numbered(reply, "Edit cart"))
    reply = await harness.say("sam", numbered(reply, "Empty cart"))
    assert "Your cart is empty now" in reply


async def test_free_delivery_above_the_threshold_and_areas(harness: ShopHarness) -> None:
    await harness.say("ana", "hi")
    await harness.say("ana", "atta")
    await harness.say("ana", "2")
    await harness.say("ana", "3")  # 3 × 245 = 735 ≥ 499: free delivery
    reply = await harness.say("ana", "checkout")
    reply = await harness.say("ana", "221B Baker Street, London NW1 6XE")
    assert "we don't deliver to NW16XE" in reply
    reply = await harness.say("ana", "5 Carter Road, Bandra, Mumbai")
    assert "postal code" in reply
    reply = await harness.say("ana", "400051")
    assert "Delivery" not in reply and "Total: ₹735.00" in reply


async def test_cod_is_hidden_above_its_limit(harness: ShopHarness) -> None:
    await harness.say("raj", "hi")
    await harness.say("raj", "atta")
    await harness.say("raj", "2")
    await harness.say("raj", "9")  # 9 × 245 = 2,205 > COD limit 2,000
    await harness.say("raj", "checkout")
    reply = await harness.say("raj", "Linking Road, Mumbai 400050")
    assert "none of our payment methods is available" in reply


async def test_a_shared_location_then_postal_code(harness: ShopHarness) -> None:
    await harness.say("kim", "atta")
    await harness.say("kim", "1")
    await harness.say("kim", "checkout")
    replies = await harness.send_inbound(
        Inbound(
            channel="terminal",
            customer_id="kim",
            message_id="loc-1",
            kind=InboundKind.LOCATION,
            location=Location(latitude=19.0596, longitude=72.8295),
        )
    )
    assert "Got your location" in replies[0].body  # type: ignore[union-attr]
    reply = await harness.say("kim", "Pali Hill 7, Mumbai 400050")
    assert "Total: ₹275.00" in reply
    await harness.say("kim", "1")
    (order,) = await harness.shop.store.list_orders(customer_key="terminal:kim")
    assert order.latitude == "19.059600"


async def buy_ghee(h: ShopHarness, customer: str) -> None:
    await h.say(customer, "ghee")
    await h.say(customer, "1")
    await h.say(customer, "checkout")
    await h.say(customer, "Hill Road, Mumbai 400050")


async def test_two_customers_race_for_the_last_item(harness: ShopHarness) -> None:
    await buy_ghee(harness, "first")
    await buy_ghee(harness, "second")
    confirm = [
        Inbound(channel="terminal", customer_id=c, message_id=f"confirm-{c}", kind=InboundKind.TEXT, text="1")
        for c in ("first", "second")
    ]
    await asyncio.gather(*(harness.shop.receive(m) for m in confirm))
    await harness.shop.idle()
    orders = await harness.shop.store.list_orders()
    assert len(orders) == 1
    winner = orders[0].customer_key.split(":")[1]
    loser = "second" if winner == "first" else "first"
    # "sold out" and the cart as it is now: one message
    told = harness.texts_to(f"terminal:{loser}")[-1]
    assert "sold out while you were checking out, so I took it out of your cart" in told
    assert (await harness.shop.store.inventory(["ghee-1l"]))["ghee-1l"].stock == 0


async def test_the_same_confirm_delivered_twice_places_one_order(harness: ShopHarness) -> None:
    await buy_ghee(harness, "dup")
    confirm = Inbound(channel="terminal", customer_id="dup", message_id="same-id", kind=InboundKind.TEXT, text="1")
    assert await harness.shop.receive(confirm)
    assert not await harness.shop.receive(confirm)
    await harness.shop.idle()
    reply = await harness.choose("dup", "confirm")  # the old "Confirm order" button tapped again
    (order,) = await harness.shop.store.list_orders()
    assert f"Your order {order.number} is already placed" in reply


async def test_my_orders_and_cancelling_before_shipping(harness: ShopHarness) -> None:
    await buy_ghee(harness, "zoe")
    placed = await harness.say("zoe", "1")
    number = re.search(r"order (\w{3}-\w{3})", placed).group(1)  # type: ignore[union-attr]
    reply = await harness.say("zoe", "orders")
    assert number in reply and "placed, cash on delivery" in reply
    reply = await harness.say("zoe", numbered(reply, number))
    reply = await harness.say("zoe", numbered(reply, "Cancel order"))
    reply = await harness.say("zoe", numbered(reply, "Yes, cancel it"))
    assert f"Order {number} is cancelled" in reply
    order = await harness.shop.store.get_order(number)
    assert order is not None and order.status == OrderStatus.CANCELLED
    assert (await harness.shop.store.inventory(["ghee-1l"]))["ghee-1l"].stock == 1


async def test_shipping_tells_the_customer_and_then_cancelling_is_refused(harness: ShopHarness) -> None:
    await buy_ghee(harness, "ola")
    await harness.say("ola", "1")
    (order,) = await harness.shop.store.list_orders()
    await harness.shop.move_order(order.number, OrderStatus.SHIPPED)
    await harness.shop.idle()
    update = harness.sent_to("terminal:ola")[-1]
    assert isinstance(update, OrderStatusUpdate) and "on its way" in update.body
    reply = await harness.choose("ola", f"cancelyes:{order.number}")
    assert "can no longer be cancelled" in reply


async def test_someone_elses_order_is_not_shown(harness: ShopHarness) -> None:
    await buy_ghee(harness, "owner")
    await harness.say("owner", "1")
    (order,) = await harness.shop.store.list_orders()
    assert "can't find that order" in await harness.choose("intruder", f"o:{order.number}")
    assert "can't find that order" in await harness.choose("intruder", f"cancelyes:{order.number}")
    assert (await harness.shop.store.get_order(order.number)).status == OrderStatus.COD_PENDING  # type: ignore[union-attr]


async def test_the_conversation_survives_a_restart(make_shop: ShopFactory, tmp_path: Path) -> None:
    folder = tmp_path / "persistent"
    async with make_shop(directory=folder) as h:
        await h.say("pat", "atta")
        await h.say("pat", "1")
    async with make_shop(directory=folder) as h:
        assert "1 × Aashirvaad Atta 5 kg" in await h.say("pat", "cart")


async def test_stale_buttons_are_answered_sensibly(harness: ShopHarness) -> None:
    assert "nothing to confirm" in await harness.choose("eve", "confirm")
    assert "I didn't understand" in await harness.choose("eve", "bogus:thing")
    assert "no longer available" in await harness.choose("eve", "p:no-such-product")  # a product since removed


async def test_typing_an_option_instead_of_its_number_picks_it(harness: ShopHarness) -> None:
    await harness.say("uma", "hi")
    reply = await harness.say("uma", "language")
    assert "Deutsch" in reply
    assert "Ich schreibe ab jetzt auf Deutsch" in await harness.say("uma", "deutsch")
    reply = await harness.say("uma", "Katalog ansehen")
    assert "Unsere Kategorien" in reply
