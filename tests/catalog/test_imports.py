"""A shop that keeps its catalog in Shopify or WooCommerce points [catalog] file at the export:
variants, exact prices, plain-text descriptions; a broken row is named by line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatshop.config import ConfigError, parse_config
from chatshop.plugins.catalog_imports.html_text import html_to_text
from chatshop.runtime import Shop

EXPORTS = Path(__file__).parent / "exports"


def shop_for(tmp_path: Path, name: str, source: str | None = None) -> Shop:
    shutil.copy(EXPORTS / name, tmp_path / name)
    config = parse_config(
        {"shop": {"name": "Import Bazaar", "currency": "INR"}, "catalog": {"file": source or name}},
        base_dir=tmp_path,
    )
    return Shop(config, store=None)


def test_a_shopify_export_reads_with_its_variants(tmp_path: Path) -> None:
    catalog = shop_for(tmp_path, "shopify_products.csv").catalog
    assert [p.id for p in catalog] == ["aashirvaad-atta", "cotton-tee", "SALT-1KG"]  # the archived one is left out
    atta = catalog.get("aashirvaad-atta")
    assert atta is not None and atta.options == ("Weight",)
    assert atta.description == "Whole wheat flour, stone-ground & fresh.\n• 100% atta\n• No maida"
    assert atta.category == "Food > Staples > Flour" and atta.image_url == "https://cdn.example/atta.jpg"
    assert [(v.id, v.values, v.price.minor, v.stock, v.image_url) for v in atta.variants] == [
        ("ATTA-1KG", ("1 kg",), 6200, 12, "https://cdn.example/atta.jpg"),
        ("ATTA-5KG", ("5 kg",), 24500, 0, "https://cdn.example/atta-5.jpg"),  # oversold (-2): sold out
    ]
    tee = catalog.get("cotton-tee")
    assert tee is not None and [v.values for v in tee.variants] == [("M", "Red"), ("L", "Blue")]
    assert tee.variants[1].price.minor == 54950
    salt = catalog.get("SALT-1KG")
    assert salt is not None and salt.variants == () and salt.price.minor == 2800 and salt.stock == 40


def test_a_woocommerce_export_reads_with_its_variations(tmp_path: Path) -> None:
    catalog = shop_for(tmp_path, "woocommerce_products.csv").catalog
    assert [p.id for p in catalog] == ["tee", "ghee-1l"]
    tee = catalog.get("tee")
    assert tee is not None and tee.options == ("Size", "Colour") and tee.category == "Clothes > Tees"
    assert tee.description == "Soft cotton tee" and tee.image_url == "https://shop.example/tee.jpg"
    assert [(v.id, v.values, v.price.minor, v.stock) for v in tee.variants] == [
        ("tee-m-red", ("M", "Red"), 49900, 5),
        ("tee-l-blue", ("L", "Blue"), 44900, 0),  # on sale, and not in stock
    ]
    ghee = catalog.get("ghee-1l")
    assert ghee is not None and ghee.price.minor == 61250 and ghee.stock == 7


@pytest.mark.parametrize(
    ("name", "line", "broken", "where"),
    [
        ("shopify_products.csv", 6, ("549.50", "549.505"), "shopify_products.csv line 6.Variant Price"),
        ("shopify_products.csv", 6, (",Blue,", ",,"), "shopify_products.csv line 6.Option2 Value"),
        ("shopify_products.csv", 6, ("TEE-L-BLUE", "TEE-M-RED"), "shopify_products.csv line 6.Variant SKU"),
        ("woocommerce_products.csv", 4, ("449.00", "4.4.9"), "woocommerce_products.csv line 4.Sale price"),
        ("woocommerce_products.csv", 4, (",tee,Size", ",nope,Size"), "woocommerce_products.csv line 4.Parent"),
    ],
)
def test_a_broken_row_is_named_and_the_shop_does_not_start(
    tmp_path: Path, name: str, line: int, broken: tuple[str, str], where: str
) -> None:
    lines = (EXPORTS / name).read_text(encoding="utf-8").splitlines()
    lines[line - 1] = lines[line - 1].replace(*broken)
    (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = parse_config({"shop": {"name": "B", "currency": "INR"}, "catalog": {"file": name}}, base_dir=tmp_path)
    with pytest.raises(ConfigError) as caught:
        Shop(config)
    assert where in [p.path for p in caught.value.problems], caught.value.problems


def test_a_named_format_reads_a_file_whatever_its_name(tmp_path: Path) -> None:
    shutil.copy(EXPORTS / "shopify_products.csv", tmp_path / "export.txt")
    config = parse_config(
        {"shop": {"name": "B", "currency": "INR"}, "catalog": {"file": "shopify:export.txt"}}, base_dir=tmp_path
    )
    assert len(Shop(config).catalog) == 3


def test_html_becomes_plain_text() -> None:
    assert html_to_text("<h2>Atta</h2><p>Fresh&nbsp;&amp; <b>pure</b><br>5 kg</p><script>x()</script>") == (
        "Atta\nFresh & pure\n5 kg"
    )
