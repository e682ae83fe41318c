"""Variants in shop.toml, a CSV and JSON; every mistake named at its key path, row or column, and
a shop with one does not start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatshop.catalog import Catalog, load_catalog_file
from chatshop.config import ConfigError, load_config

SHOP = """
[shop]
name = "Variant Bazaar"
currency = "INR"

[[catalog.products]]
id = "atta"
title = "Aashirvaad Atta"
category = "Staples"
options = ["Weight"]
[[catalog.products.variants]]
id = "atta-1kg"
values = ["1 kg"]
price = "62.00"
stock = 10
[[catalog.products.variants]]
id = "atta-5kg"
values = ["5 kg"]
price = "245.00"
"""


def problems(tmp_path: Path, toml: str) -> dict[str, str]:
    (tmp_path / "shop.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "shop.toml")
    return {p.path: p.message for p in caught.value.problems}


def test_the_issue_shape_reads_as_a_product_with_two_variants(tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text(SHOP, encoding="utf-8")
    from chatshop.catalog import Product

    [entry] = load_config(tmp_path / "shop.toml").catalog.products
    product = Product.from_entry(entry)
    assert product.price.minor == 6200 and [v.id for v in product.variants] == ["atta-1kg", "atta-5kg"]
    catalog = Catalog([product])
    variant = catalog.get("atta-5kg")
    assert variant is not None and variant.parent == "atta" and variant.title == "Aashirvaad Atta (5 kg)"
    assert [item.id for item in catalog.items()] == ["atta-1kg", "atta-5kg"]
    assert [p.id for p in catalog.search("atta 5kg")] == ["atta"]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (('price = "245.00"', 'price = "245.001"'), "catalog.products[0].variants[1].price", "decimal places"),
        (('id = "atta-5kg"', 'id = "atta-1kg"'), "catalog.products[0].variants[1].id", "already"),
        (('values = ["5 kg"]', "values = []"), "catalog.products[0].variants[1].values", "'Weight'"),
        (
            ('options = ["Weight"]', 'options = ["Weight", "Colour"]'),
            "catalog.products[0].variants[0].values",
            "Colour",
        ),
        (('options = ["Weight"]', 'options = ["A", "B", "C", "D"]'), "catalog.products[0].options", "at most 3"),
        (('options = ["Weight"]', "options = []"), "catalog.products[0].options", "variants need options"),
        (('values = ["5 kg"]', 'values = ["1 kg"]'), "catalog.products[0].variants[1].values", "same"),
        (('category = "Staples"', 'category = "Staples"\nprice = "1.00"'), "catalog.products[0].price", "variants"),
    ],
)
def test_a_mistake_in_a_variant_is_named_at_its_key_path(
    tmp_path: Path, change: tuple[str, str], path: str, words: str
) -> None:
    found = problems(tmp_path, SHOP.replace(*change))
    assert path in found and words in found[path], found


def test_an_option_with_more_values_than_one_list_holds_is_refused(tmp_path: Path) -> None:
    sizes = "".join(
        f'[[catalog.products.variants]]\nid = "tee-{n}"\nvalues = ["{n}"]\nprice = "9.00"\n' for n in range(12)
    )
    toml = '[shop]\nname = "T"\ncurrency = "INR"\n'
    toml += '[[catalog.products]]\nid = "tee"\ntitle = "Tee"\noptions = ["Size"]\n' + sizes
    found = problems(tmp_path, toml)
    assert "12 values" in found["catalog.products[0].options[0]"], found


CSV = """id,title,category,options,variant_id,option1,option2,price,stock,image_url
tee,Cotton Tee,Clothes,Size|Colour,tee-m-red,M,Red,499.00,3,https://x/red.jpg
tee,,,,tee-m-blue,M,Blue,499.00,0,
tee,,,,tee-l-red,L,Red,549.00,,
salt,Tata Salt 1 kg,Staples,,,,,28.00,5,
"""


def test_a_csv_with_a_row_per_variant(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(CSV, encoding="utf-8")
    tee, salt = load_catalog_file(path, "INR")
    assert tee.options == ("Size", "Colour") and salt.variants == ()
    assert [(v.id, v.values, v.price.minor, v.stock) for v in tee.variants] == [
        ("tee-m-red", ("M", "Red"), 49900, 3),
        ("tee-m-blue", ("M", "Blue"), 49900, 0),
        ("tee-l-red", ("L", "Red"), 54900, None),
    ]
    assert tee.variants[0].image_url == "https://x/red.jpg" and tee.image_url is None


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ("tee,,,,tee-m-blue,M,Blue,4.999,0,", "catalog.csv line 3.price"),
        ("tee,,,,tee-m-blue,M,,499.00,0,", "catalog.csv line 3.option2"),
        ("tee,,,,tee-m-red,L,Blue,499.00,0,", "catalog.csv line 3.variant_id"),
        ("tee,,,,tee m blue,M,Blue,499.00,0,", "catalog.csv line 3.variant_id"),
        ("salt2,Salt,Staples,,,M,,28.00,5,", "catalog.csv line 3.option1"),
    ],
)
def test_a_broken_variant_row_is_named_by_line_and_column(tmp_path: Path, broken: str, where: str) -> None:
    lines = CSV.splitlines()
    lines[2] = broken
    path = tmp_path / "catalog.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalog_file(path, "INR")
    assert where in [p.path for p in caught.value.problems], caught.value.problems


def test_json_variants_have_the_toml_shape(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    variants = [{"id": "a-1", "values": ["1 kg"], "price": "62.00"}, {"id": "a-5", "values": ["5 kg"], "price": "x"}]
    path.write_text(json.dumps([{"id": "a", "title": "Atta", "options": ["Weight"], "variants": variants}]))
    with pytest.raises(ConfigError) as caught:
        load_catalog_file(path, "INR")
    assert [p.path for p in caught.value.problems] == ["catalog.json[0].variants[1].price"]


def test_a_sku_typed_in_other_capitals_finds_its_product_or_variant_first(tmp_path: Path) -> None:
    """Customers copy a SKU from a flyer in small letters: "ATTA-5KG" and "Atta" find what the shop
    wrote as atta-5kg and atta, a variant's SKU its variant, first."""
    (tmp_path / "shop.toml").write_text(SHOP, encoding="utf-8")
    from chatshop.catalog import Product

    [entry] = load_config(tmp_path / "shop.toml").catalog.products
    catalog = Catalog([Product.from_entry(entry)])
    assert [p.id for p in catalog.search("ATTA-5KG")][:1] == ["atta-5kg"]
    assert [p.id for p in catalog.search("atta-1kg")][:1] == ["atta-1kg"]
    assert [p.id for p in catalog.search("ATTA")][:1] == ["atta"]
