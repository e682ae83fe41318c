"""The owner restocks by editing shop.toml and restarting: the new figure counts, once.

The live count is the store's (sales take from it, the dashboard edits it); a restart with the file
unchanged must keep the sales made since, and a stock the owner changed in the file must not be
silently ignored, as it was: the shop went on selling from the old count.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SHOP_TOML, ShopFactory


async def stock_after_restart(make_shop: ShopFactory, folder: Path, toml: str, product: str) -> int | None:
    async with make_shop(toml, directory=folder) as h:
        return (await h.shop.store.inventory([product]))[product].stock


async def test_a_stock_changed_in_the_file_replaces_the_count_and_an_unchanged_one_keeps_the_sales(
    make_shop: ShopFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    async with make_shop(SHOP_TOML, directory=folder) as h:
        await h.shop.store.update_inventory("atta-5kg", stock=37)  # three sold
    assert await stock_after_restart(make_shop, folder, SHOP_TOML, "atta-5kg") == 37  # file unchanged
    restocked = SHOP_TOML.replace("stock = 40", "stock = 100")
    assert await stock_after_restart(make_shop, folder, restocked, "atta-5kg") == 100
    async with make_shop(restocked, directory=folder) as h:
        await h.shop.store.update_inventory("atta-5kg", stock=99)  # one sold since
    assert await stock_after_restart(make_shop, folder, restocked, "atta-5kg") == 99


async def test_stock_limits_added_or_removed_in_the_file_count(make_shop: ShopFactory, tmp_path: Path) -> None:
    folder = tmp_path / "shop"
    assert await stock_after_restart(make_shop, folder, SHOP_TOML, "cafe-latte") is None  # unlimited
    limited = SHOP_TOML.replace('price = 99\ncategory = "Beverages"', 'price = 99\ncategory = "Beverages"\nstock = 5')
    assert await stock_after_restart(make_shop, folder, limited, "cafe-latte") == 5
    assert await stock_after_restart(make_shop, folder, SHOP_TOML, "cafe-latte") is None


async def test_a_product_added_to_the_file_gets_its_count_and_the_others_keep_theirs(
    make_shop: ShopFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    async with make_shop(SHOP_TOML, directory=folder) as h:
        await h.shop.store.update_inventory("atta-5kg", stock=37)  # three sold
    added = SHOP_TOML + '\n[[catalog.products]]\nid = "jaggery"\ntitle = "Jaggery"\nprice = 80\nstock = 12\n'
    async with make_shop(added, directory=folder) as h:
        counts = await h.shop.store.inventory(["jaggery", "atta-5kg"])
    assert counts["jaggery"].stock == 12 and counts["atta-5kg"].stock == 37
    async with make_shop(added, directory=folder) as h:  # unchanged since: nothing written
        await h.shop.store.update_inventory("jaggery", stock=11)
    assert await stock_after_restart(make_shop, folder, added, "jaggery") == 11
