"""What a catalog plugin of its own uses, as docs/plugins.md promises it: products read from a
format of its own checked with ``validated`` (every problem at its place in the plugin's file), and
``shop.replace_catalog``: the shop sells the new catalog at once, the inventory follows, and the
plugins mirroring the catalog are told what changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.catalog import Catalog
from chatshop.catalog_file import RawEntry, validated
from chatshop.config import ConfigError
from chatshop.testing import DEMO_SHOP_TOML, running_shop
from tests.catalog import mirror_plugin
from tests.conftest import on_storage

MIRRORED = DEMO_SHOP_TOML + '\n[plugins]\nmodules = ["tests.catalog.mirror_plugin"]\n'


def source(atta_price: str = "250.00", atta_stock: int = 50) -> list[RawEntry]:
    """What a plugin read from its source: atta changed, ghee gone, rice new, the latte as it was."""
    return [
        RawEntry(
            "feed line 2",
            {
                "id": "atta-5kg",
                "title": "Aashirvaad Atta 5 kg",
                "price": atta_price,
                "category": "Staples",
                "stock": atta_stock,
                "image_url": "https://shop.example.com/atta.jpg",
            },
        ),
        RawEntry(
            "feed line 3",
            {
                "id": "rice-5kg",
                "title": "India Gate Basmati 5 kg",
                "price": "620.00",
                "category": "Staples",
                "stock": 7,
            },
        ),
    ]


async def test_a_replaced_catalog_is_sold_at_once_with_its_stock_and_the_mirrors_told(
    tmp_path: Path, storage: str
) -> None:
    mirror_plugin.TOLD.clear()
    async with running_shop(on_storage(MIRRORED, storage), tmp_path / "shop") as h:
        latte = h.shop.catalog.get("cafe-latte")
        assert latte is not None and h.shop.catalog.get("ghee-1l") is not None
        changed = await h.shop.replace_catalog(Catalog([*validated(source(), "INR"), latte]))
        assert changed == ["atta-5kg", "ghee-1l", "rice-5kg"]  # changed, gone, new; the latte as it was
        assert [changed] == mirror_plugin.TOLD
        assert h.shop.catalog.get("ghee-1l") is None
        rice = h.shop.catalog.get("rice-5kg")
        assert rice is not None and str(rice.price) == "620.00 INR"
        stock = await h.shop.store.inventory(["atta-5kg", "rice-5kg"])
        assert stock["atta-5kg"].stock == 50 and stock["rice-5kg"].stock == 7  # the source's new figure

        await h.shop.store.update_inventory("atta-5kg", stock=44)  # sold in the chat meanwhile
        again = await h.shop.replace_catalog(Catalog([*validated(source(), "INR"), latte]))
        assert again == [] and [changed] == mirror_plugin.TOLD  # nothing changed: nobody told
        assert (await h.shop.store.inventory(["atta-5kg"]))["atta-5kg"].stock == 44  # sales not undone

        reply = await h.say("asha", "basmati")
        assert "India Gate Basmati" in reply


def test_validated_names_every_problem_at_its_place_in_the_plugins_file() -> None:
    def entries() -> list[RawEntry]:  # validated reads each entry once: new ones for each call
        return [
            RawEntry(
                "export.csv line 2", {"id": "tea", "title": "Tea", "price": "a lot"}, columns={"price": "Variant Price"}
            ),
            RawEntry("export.csv line 3", {"id": "soap", "title": "Soap", "price": "40.00"}),
            RawEntry("export.csv line 4", {"id": "soap", "title": "Soap again", "price": "41.00"}),
        ]

    with pytest.raises(ConfigError) as raised:
        validated(entries(), "INR")
    paths = [problem.path for problem in raised.value.problems]
    assert paths == ["export.csv line 2.Variant Price", "export.csv line 4.id"]
    assert "export.csv line 3" in raised.value.problems[1].message  # where the SKU is already
    assert [p.id for p in validated(entries()[1:2], "INR")] == ["soap"]
