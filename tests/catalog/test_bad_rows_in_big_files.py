"""Bad input in every form a catalog comes in, big files too: an option with more values than one
list holds, a bad price deep in a file that is otherwise plainly right (the quick way must not
hide it), a duplicate SKU; each named by file, row and column or key path, and the shop does not
start with what it could read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chatshop.config import ConfigError, parse_config
from chatshop.runtime import Shop

EXPORTS = Path(__file__).parent / "exports"


def refused(tmp_path: Path, name: str, text: str | None = None) -> dict[str, str]:
    """The problems a shop with ``[catalog] file = name`` is refused with (it must not start)."""
    if text is None:
        shutil.copy(EXPORTS / name, tmp_path / name)
    else:
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = parse_config({"shop": {"name": "Bad Bazaar", "currency": "INR"}, "catalog": {"file": name}}, tmp_path)
    with pytest.raises(ConfigError) as caught:
        Shop(config, store=None)
    return {p.path: p.message for p in caught.value.problems}


def big_csv(count: int) -> list[str]:
    lines = ["id,title,category,price,stock"]
    lines += [f"sku-{n},Product {n},Staples > Atta,{100 + n % 50}.50,{n % 7}" for n in range(count)]
    return lines


def test_one_bad_price_deep_in_a_big_csv_is_named_and_nothing_is_used(tmp_path: Path) -> None:
    lines = big_csv(5000)
    lines[4001] = "sku-4000,Product 4000,Staples,12.345,3"  # more decimals than rupees have
    found = refused(tmp_path, "catalog.csv", "\n".join(lines) + "\n")
    assert list(found) == ["catalog.csv line 4002.price"], found
    lines = big_csv(5000)
    lines[4501] = lines[17].replace("Product 16", "Other")  # sku-16 a second time
    found = refused(tmp_path, "catalog.csv", "\n".join(lines) + "\n")
    assert list(found) == ["catalog.csv line 4502.id"] and "line 18" in found["catalog.csv line 4502.id"], found


def test_an_option_with_too_many_values_in_a_csv(tmp_path: Path) -> None:
    rows = ["id,title,options,variant_id,option1,price"]
    rows += [f"tee,Tee,Size,tee-{n},{n},9.00" for n in range(12)]
    found = refused(tmp_path, "catalog.csv", "\n".join(rows) + "\n")
    assert "12 values" in found["catalog.csv line 2.options"], found


def test_an_option_with_too_many_values_in_json(tmp_path: Path) -> None:
    variants = [{"id": f"tee-{n}", "values": [f"{n}"], "price": "9.00"} for n in range(10)]
    text = json.dumps({"products": [{"id": "tee", "title": "Tee", "options": ["Size"], "variants": variants}]})
    found = refused(tmp_path, "catalog.json", text)
    assert "10 values" in found["catalog.json[0].options[0]"], found


def test_an_option_with_too_many_values_in_a_shopify_export(tmp_path: Path) -> None:
    header = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Status"
    rows = [header, "tee,Tee,Size,S0,TEE-0,9.00,active"]
    rows += [f"tee,,,S{n},TEE-{n},9.00," for n in range(1, 11)]
    found = refused(tmp_path, "products_export.csv", "\n".join(rows) + "\n")
    assert "11 values" in found["products_export.csv line 2.Option1 Name"], found


def test_a_variant_without_its_value_in_a_woocommerce_export(tmp_path: Path) -> None:
    text = (EXPORTS / "woocommerce_products.csv").read_text(encoding="utf-8")
    text = text.replace(",id:10,Size,M,,1,Colour,Red", ",id:10,Size,M,,1,Colour,")
    found = refused(tmp_path, "wc-product-export.csv", text)
    assert found == {"wc-product-export.csv line 3.Attribute 2 value(s)": "must not be blank"}, found


def test_a_big_shop_toml_with_one_bad_variant_does_not_start(tmp_path: Path) -> None:
    products = "".join(
        f'[[catalog.products]]\nid = "p{n}"\ntitle = "Product {n}"\nprice = "{n}.00"\n\n' for n in range(2000)
    )
    bad = '[[catalog.products]]\nid = "tee"\ntitle = "Tee"\noptions = ["Size", "Colour"]\n'
    bad += '[[catalog.products.variants]]\nid = "tee-m"\nvalues = ["M"]\nprice = "9.00"\n'
    (tmp_path / "shop.toml").write_text('[shop]\nname = "T"\ncurrency = "INR"\n\n' + products + bad, encoding="utf-8")
    from chatshop.config import load_config

    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "shop.toml")
    assert [p.path for p in caught.value.problems] == ["catalog.products[2000].variants[0].values"]
