"""Quick-reply buttons of the approved templates the shop sends outside WhatsApp's 24-hour window.

A template's buttons are fixed in WhatsApp Manager; what a tap sends back is the payload given with
the send, or, without one, the button's label as the payload (research §1.3; [OAS] ``button``). The
shop gives each button a payload from ``[channels.whatsapp.templates.buttons]``, so "Track order"
shows that order; a tap that carries only a label (a template sent before, or by WhatsApp Manager)
is read by its label, in any of the shop's languages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from chatshop.config import ConfigError
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph, Sent
from tests.whatsapp.conversation.shop import catalog_csv, shop_toml
from tests.whatsapp.customer import Customer, said, tap_stale
from tests.whatsapp.shops import graph_url, whatsapp_shop

#: The order-update template as approved: three quick-reply buttons.
LABELS = ["Track order", "Cancel order", "Main menu"]
BUTTONS = """
[channels.whatsapp.templates.buttons]
order_update = ["order", "cancel", "menu"]
"""


@pytest.fixture
async def buttons_shop(graph: TestServer, fake: FakeGraph, tmp_path: Path) -> AsyncIterator[ShopHarness]:
    fake.templates = {"order_update": LABELS}
    async with whatsapp_shop(shop_toml(graph_url(graph), extra=BUTTONS), tmp_path / "shop", catalog_csv()) as h:
        yield h


@pytest.fixture
def meena(buttons_shop: ShopHarness, fake: FakeGraph) -> Customer:
    return Customer(buttons_shop, fake, "919812300001", "Meena Rao")


async def place_order(customer: Customer) -> str:
    await tap_stale(customer, "add:milk-1l:2")
    await customer.tap("checkout")
    await customer.say("12 Hill Road, Bandra West, Mumbai 400050")
    await customer.tap("confirm")
    [order] = await customer.harness.shop.store.list_orders(customer_key=customer.key)
    return order.number


async def template_after(customer: Customer, number: str, status: OrderStatus) -> Sent:
    """The order moves a day later: Meta refuses the free-form update (131047), the template goes."""
    customer.fake.storm_sends(131047, 1)
    await customer.harness.shop.move_order(number, status)
    await customer.harness.shop.idle()
    template = customer.new()[-1]
    assert template.type == "template", template
    return template


def button_message(customer: Customer, sent: Sent | None, button: dict[str, Any]) -> dict[str, Any]:
    message = customer.message("button", button=button)
    message["context"] = {"from": "919800012345", "id": sent.wamid if sent else "wamid.HBgMOTE5ODEyMzAwMDAxFQIAERgSQz"}
    return message


async def test_each_quick_reply_button_gets_a_payload_and_meta_accepts_it(
    buttons_shop: ShopHarness, fake: FakeGraph, meena: Customer
) -> None:
    number = await place_order(meena)
    template = await template_after(meena, number, OrderStatus.SHIPPED)
    buttons = [c for c in template.content["components"] if c["type"] == "button"]
    assert [(b["sub_type"], b["index"]) for b in buttons] == [
        ("quick_reply", "0"),
        ("quick_reply", "1"),
        ("quick_reply", "2"),
    ]
    assert all(len(b["parameters"]) == 1 and b["parameters"][0]["type"] == "payload" for b in buttons)
    assert fake.refused == []


async def test_track_order_on_the_template_shows_that_order(
    buttons_shop: ShopHarness, fake: FakeGraph, meena: Customer
) -> None:
    number = await place_order(meena)
    template = await template_after(meena, number, OrderStatus.SHIPPED)
    replies = said(await meena.post_and_read(button_message(meena, template, fake.template_tap(template, 0))))
    assert "didn't understand" not in replies
    assert f"Order {number} (shipped)" in replies


async def test_an_old_cancel_button_for_an_order_since_delivered_says_it_can_no_longer_be_cancelled(
    buttons_shop: ShopHarness, fake: FakeGraph, meena: Customer
) -> None:
    number = await place_order(meena)
    shipped = await template_after(meena, number, OrderStatus.SHIPPED)
    await buttons_shop.shop.move_order(number, OrderStatus.DELIVERED)
    await buttons_shop.shop.idle()
    meena.new()
    replies = said(await meena.post_and_read(button_message(meena, shipped, fake.template_tap(shipped, 1))))
    assert f"Order {number} is delivered and can no longer be cancelled" in replies
    (order,) = await buttons_shop.shop.store.list_orders(customer_key=meena.key)
    assert order.status is OrderStatus.DELIVERED
    # and its "Track order" says where the order is now, not where it was when the template went
    assert f"Order {number} (delivered)" in said(
        await meena.post_and_read(button_message(meena, shipped, fake.template_tap(shipped, 0)))
    )


async def test_cancel_order_on_the_template_of_a_confirmed_order_asks_before_cancelling(
    buttons_shop: ShopHarness, fake: FakeGraph, meena: Customer
) -> None:
    number = await place_order(meena)
    template = await template_after(meena, number, OrderStatus.CONFIRMED)
    replies = said(await meena.post_and_read(button_message(meena, template, fake.template_tap(template, 1))))
    assert f"Cancel order {number}?" in replies and "Yes, cancel it" in replies
    (order,) = await buttons_shop.shop.store.list_orders(customer_key=meena.key)
    assert order.status is OrderStatus.CONFIRMED


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Track order", "Your orders:"),
        ("My orders", "Your orders:"),
        ("Main menu", "What would you like to do?"),
        ("मेरे ऑर्डर", "आपके ऑर्डर:"),
        ("Bestellung verfolgen", "Ihre Bestellungen:"),
        ("我的订单", "您的订单"),
    ],
)
async def test_a_tap_that_carries_only_its_label_is_read_by_the_label(
    shop: ShopHarness, asha: Customer, label: str, expected: str
) -> None:
    """A template sent without payloads (before this shop gave them, or a campaign from WhatsApp
    Manager): WhatsApp sends the label as the payload too."""
    await place_order(asha)
    replies = said(await asha.post_and_read(button_message(asha, None, {"payload": label, "text": label})))
    assert "didn't understand" not in replies and "समझ" not in replies
    assert expected in replies


async def test_an_unknown_label_gets_the_menu(shop: ShopHarness, asha: Customer) -> None:
    await asha.say("hi")
    replies = said(
        await asha.post_and_read(button_message(asha, None, {"payload": "Talk to us", "text": "Talk to us"}))
    )
    assert "What would you like to do?" in replies or "Browse catalog" in replies


async def test_buttons_for_a_template_the_shop_does_not_use_are_a_config_error(
    graph: TestServer, tmp_path: Path
) -> None:
    toml = shop_toml(graph_url(graph), extra='\n[channels.whatsapp.templates.buttons]\norder_shiped = ["order"]\n')
    with pytest.raises(ConfigError, match="order_shiped"):
        async with whatsapp_shop(toml, tmp_path / "shop", catalog_csv()):
            pass


async def test_an_unknown_button_action_is_a_config_error(graph: TestServer, tmp_path: Path) -> None:
    toml = shop_toml(graph_url(graph), extra='\n[channels.whatsapp.templates.buttons]\norder_update = ["track"]\n')
    with pytest.raises(ConfigError, match="buttons"):
        async with whatsapp_shop(toml, tmp_path / "shop", catalog_csv()):
            pass
