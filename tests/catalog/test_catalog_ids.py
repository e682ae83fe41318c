"""A catalog refuses an id (a product's, or a variant's SKU) given twice, whichever two things share it."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.catalog import Catalog, Product
from chatshop.config import ConfigError, load_config
from chatshop.money import Money
from chatshop.runtime import Shop

PRICE = Money(6200, "INR")


def plain(pid: str) -> Product:
    return Product(id=pid, title=pid.title(), price=PRICE)


def with_variants(pid: str, *skus: str) -> Product:
    return Product.with_variants(plain(pid), ["Weight"], [(sku, [sku], PRICE, None, None) for sku in skus])


@pytest.mark.parametrize(
    ("products", "twice"),
    [
        ([plain("atta"), plain("atta")], "atta"),
        ([with_variants("atta", "atta-1kg"), plain("atta")], "atta"),
        ([plain("atta"), with_variants("atta", "atta-1kg")], "atta"),
        ([plain("atta-1kg"), with_variants("atta", "atta-1kg")], "atta-1kg"),
        ([with_variants("atta", "atta-1kg"), plain("atta-1kg")], "atta-1kg"),
        ([with_variants("atta", "atta-1kg", "atta-1kg")], "atta-1kg"),
        ([with_variants("atta", "atta")], "atta"),
    ],
)
def test_an_id_given_twice_is_refused(products: list[Product], twice: str) -> None:
    with pytest.raises(ValueError, match=f"product id {twice!r} appears twice"):
        Catalog(products)


def test_products_and_variants_are_found_by_their_ids() -> None:
    catalog = Catalog([plain("ghee"), with_variants("atta", "atta-1kg", "atta-5kg")])
    assert [p.id for p in catalog] == ["ghee", "atta"]
    assert [p.id for p in catalog.items()] == ["ghee", "atta-1kg", "atta-5kg"]
    assert catalog.get("atta") is not None and catalog.get("atta-5kg") is not None


def test_an_inline_product_with_an_id_of_the_catalog_file_is_named_at_its_key_path(tmp_path: Path) -> None:
    """The owner adds a product to shop.toml that the catalog file already has: both places are named."""
    (tmp_path / "catalog.csv").write_text("id,title,price\natta-5kg,Atta,245.00\nsalt,Salt,28.00\n", encoding="utf-8")
    (tmp_path / "shop.toml").write_text(
        '[shop]\nname = "X"\ncurrency = "INR"\n[catalog]\nfile = "catalog.csv"\n'
        '[[catalog.products]]\nid = "ghee"\ntitle = "Ghee"\nprice = "610"\n'
        '[[catalog.products]]\nid = "tee"\ntitle = "Tee"\noptions = ["Size"]\n'
        '[[catalog.products.variants]]\nid = "salt"\nvalues = ["M"]\nprice = "1"\n'
        '[[catalog.products]]\nid = "atta-5kg"\ntitle = "Atta"\nprice = "245"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        Shop(load_config(tmp_path / "shop.toml"))
    assert [str(p) for p in caught.value.problems] == [
        "catalog.products[1].variants[0].id: 'salt' is already in catalog.csv",
        "catalog.products[2].id: 'atta-5kg' is already in catalog.csv",
    ]
