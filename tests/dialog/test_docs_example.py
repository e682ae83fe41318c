"""The gift-message plugin of docs/plugins.md, installed through an entry point as a third party's
package would be, adds its checkout step to real checkouts on the terminal and on WhatsApp."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from aiohttp.test_utils import TestServer

from chatshop.plugin_manager import Plugins
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.conftest import ShopFactory
from tests.whatsapp.customer import Customer, choices_of, text_of
from tests.whatsapp.shops import graph_url, whatsapp_shop
from tests.whatsapp.test_e2e import catalog_csv, shop_toml

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"


def example_source() -> str:
    """The first Python block after the guide's "A complete example" heading."""
    guide = GUIDE.read_text(encoding="utf-8")
    after = guide.split("## A complete example", 1)[1]
    found = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert found is not None, "docs/plugins.md lost its example plugin"
    return found.group(1)


@pytest.fixture
def gift_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The guide's example as an installed package: a module and a dist-info with the entry point."""
    site = tmp_path / "site-packages"
    dist = site / "gift_message-1.0.dist-info"
    dist.mkdir(parents=True)
    (site / "gift_message.py").write_text(example_source(), encoding="utf-8")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gift-message\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[chatshop]\ngift_message = gift_message\n")
    monkeypatch.syspath_prepend(str(site))
    import gift_message

    yield gift_message
    sys.modules.pop("gift_message", None)


def test_the_example_is_found_through_its_entry_point(gift_message: ModuleType) -> None:
    assert "gift_message" in Plugins().names()
    assert "gift_message" in [f.name for f in Plugins().dialog_features()]
    assert "gift_message" not in [f.name for f in Plugins(entry_points=False).dialog_features()]


async def test_the_gift_message_is_asked_after_the_address_and_reaches_the_order(
    gift_message: ModuleType, make_shop: ShopFactory
) -> None:
    async with make_shop() as h:
        await h.say("asha", "atta")
        await h.say("asha", "1")  # add to cart
        await h.say("asha", "checkout")
        asked = await h.say("asha", "12 Hill Road, Bandra West, Mumbai 400050")
        assert "Is it a gift?" in asked and "1. No message" in asked
        summary = await h.say("asha", "Happy   birthday, Asha!")
        assert "Lovely, we'll write that on the card." in summary
        assert "Please check your order" in summary  # COD is the only method: on to the summary
        placed = await h.choose("asha", "confirm")
        (order,) = await h.shop.store.list_orders()
        assert order.number in placed
        assert order.extras == {"gift_message": "Happy birthday, Asha!"}
        assert {order.number: "Happy birthday, Asha!"} == gift_message.CARDS
        (stored,) = await h.shop.store.list_orders()  # read back from storage, not the placing turn
        assert stored.extras == order.extras


async def test_no_message_is_a_numbered_choice_and_change_asks_again(
    gift_message: ModuleType, make_shop: ShopFactory
) -> None:
    async with make_shop() as h:
        await h.say("ravi", "atta")
        await h.say("ravi", "1")
        await h.say("ravi", "checkout")
        await h.say("ravi", "Bandra 400050")
        await h.say("ravi", "For Meera")
        asked = await h.choose("ravi", "checkout")  # "Change" on the summary: every step again
        assert "Where should we deliver?" in asked
        asked = await h.say("ravi", "Khar 400051")
        assert "Is it a gift?" in asked
        summary = await h.say("ravi", "1")  # "No message": the number picks the choice, it is no message
        assert "Please check your order" in summary
        await h.choose("ravi", "confirm")
        (order,) = await h.shop.store.list_orders()
        assert order.extras == {} and gift_message.CARDS == {}
        assert order.postal_code == "400051"


async def test_cancel_typed_at_the_gift_question_leaves_the_checkout(
    gift_message: ModuleType, make_shop: ShopFactory
) -> None:
    async with make_shop() as h:
        await h.say("mina", "atta")
        await h.say("mina", "1")
        await h.say("mina", "checkout")
        await h.say("mina", "Bandra 400050")
        reply = await h.say("mina", "cancel")
        assert reply.startswith("Checkout cancelled. Your cart is kept.")
        assert (await h.shop.store.load_conversation("terminal:mina")).state["checkout"] is None


async def test_the_gift_step_on_whatsapp_with_its_button(
    gift_message: ModuleType, fake: FakeGraph, graph: TestServer, tmp_path: Path
) -> None:
    async with whatsapp_shop(shop_toml(graph_url(graph)), tmp_path / "shop", catalog_csv()) as h:
        priya = Customer(h, fake, "919812345678", "Priya Sharma")
        await priya.say("hi")
        await priya.say("toor dal")
        await priya.tap(lambda i: i.startswith("add:TOOR-DAL-1KG"))
        await priya.tap("checkout")
        [asked] = await priya.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
        assert "Is it a gift?" in text_of(asked)
        assert choices_of(asked) == [("gift:none", "No message")]
        replies = await priya.say("With love from Priya")
        assert "Lovely" in text_of(replies[0]) and "Cash on delivery" in text_of(replies[-1])
        await priya.tap("confirm")
        [order] = await h.shop.store.list_orders(customer_key=priya.key)
        assert order.extras == {"gift_message": "With love from Priya"}
        assert gift_message.CARDS[order.number] == "With love from Priya"
        assert fake.refused == []
