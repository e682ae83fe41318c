"""A catalog refuses an id (a product's, or a variant's SKU) given twice, whichever two things share it."""

from __future__ import annotations

import pytest

from chatshop.catalog import Catalog, Product
from chatshop.money import Money

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
