"""Categories inside categories: a customer steps from Staples down to Atta & Flour and back, and a
page never lists more than the channel shows."""

from __future__ import annotations

import re

from chatshop.catalog import Catalog, Product
from chatshop.categories import tidy_category
from chatshop.money import Money
from tests.conftest import ShopFactory

SHOP = """
[shop]
name = "Path Bazaar"
currency = "INR"
locale = "en"
locales = ["en"]

[storage]
url = "sqlite:///shop.db"

[payments.cod]
max_order_total = "2000.00"
"""


def products(category: str, prefix: str, count: int) -> str:
    return "".join(
        f'\n[[catalog.products]]\nid = "{prefix}-{n}"\ntitle = "{prefix.title()} {n}"\nprice = "10.00"\n'
        f'category = "{category}"\n'
        for n in range(count)
    )


def numbered(reply: str, title: str) -> str:
    match = re.search(rf"^(\d+)\. {re.escape(title)}", reply, re.MULTILINE)
    assert match, f"{title!r} not in {reply!r}"
    return match.group(1)


def test_a_path_is_tidied_and_its_parents_are_categories_too() -> None:
    assert tidy_category(" Staples >Atta & Flour ") == "Staples > Atta & Flour"
    assert tidy_category("Tea <b x=3>") == "Tea <b x=3>"  # a > inside a name is not a path
    assert tidy_category(" > ") == "Other"
    catalog = Catalog(
        Product(id=f"p{i}", title=f"P{i}", price=Money(100, "INR"), category=c)
        for i, c in enumerate(["Staples > Atta & Flour", "Snacks", "Staples > Rice", "Staples", "Staples > Rice"])
    )
    tree = catalog.tree
    assert tree.children() == ["Staples", "Snacks"]
    assert tree.children("Staples") == ["Staples > Atta & Flour", "Staples > Rice"]
    assert tree.count_under("Staples") == 4 and tree.own_count("Staples") == 1
    assert tree.paths.index("Staples") < tree.paths.index("Staples > Rice")


async def test_the_customer_steps_down_a_path_and_back_up(make_shop: ShopFactory) -> None:
    toml = SHOP + products("Staples > Atta & Flour", "atta", 3) + products("Staples > Rice", "rice", 2)
    toml += products("Staples", "salt", 1) + products("Snacks", "chips", 2)
    async with make_shop(toml) as h:
        reply = await h.say("ana", "hi")
        reply = await h.say("ana", numbered(reply, "Browse catalog"))
        assert re.search(r"Staples", reply) and "Snacks" in reply and "Atta & Flour" not in reply, reply
        reply = await h.say("ana", numbered(reply, "Staples"))
        # the subcategories first (with how many products each holds), then what is filed in Staples itself
        assert "Atta & Flour" in reply and "Rice" in reply and "Salt 0" in reply, reply
        reply = await h.say("ana", numbered(reply, "Atta & Flour"))
        assert "Atta 0" in reply and "Atta 2" in reply and "Rice 0" not in reply, reply
        reply = await h.say("ana", numbered(reply, "Back"))
        assert "Atta & Flour" in reply and "Rice" in reply, reply
        reply = await h.say("ana", numbered(reply, "Back"))
        assert "Snacks" in reply and "Atta & Flour" not in reply, reply


async def test_a_big_subcategory_list_comes_in_pages_the_channel_can_show(make_shop: ShopFactory) -> None:
    toml = SHOP + "".join(products(f"Staples > Kind {k:02d}", f"kind{k:02d}", 1) for k in range(25))
    toml += products("Snacks", "chips", 1)
    async with make_shop(toml) as h:
        await h.say("ben", "hi")
        reply = await h.choose("ben", "browse")
        reply = await h.say("ben", numbered(reply, "Staples"))
        rows = re.findall(r"^\d+\. ", reply, re.MULTILINE)
        assert "Kind 00" in reply and "Kind 24" not in reply and "More…" in reply, reply
        seen = set(re.findall(r"Kind (\d\d)", reply))
        while "More…" in reply:
            reply = await h.say("ben", numbered(reply, "More…"))
            seen |= set(re.findall(r"Kind (\d\d)", reply))
            assert len(re.findall(r"^\d+\. ", reply, re.MULTILINE)) <= len(rows)
        assert seen == {f"{k:02d}" for k in range(25)}
