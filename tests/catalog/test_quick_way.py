"""The quick way through a catalog (``chatshop.catalog_quick``) gives exactly the product the careful
way (the pydantic model, ``variant_problems``, ``Product.from_entry``) gives, and never accepts an
entry the careful way refuses: checked on generated entries, plainly right and subtly wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from chatshop.catalog import Product
from chatshop.catalog_quick import quick_entry, quick_product
from chatshop.config import ProductEntry, variant_problems

ADAPTER = TypeAdapter(ProductEntry)


def mostly(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    """A good value nine times in ten: entries are mostly right, each wrong in a single place or two."""
    return st.integers(0, 9).flatmap(lambda n: st.sampled_from(bad if n == 0 else good))


ids = mostly(["atta", "atta-1kg", "A.b_c-9", "x" * 100], ["", "bad id", "ä", "x" * 101, 7, None])
texts = mostly(["Atta", "  Atta  ", "Staples > Atta", "Tea <b>", "<p>x</p>", ""], ["   ", 5, None])
prices = mostly(
    ["62.00", "62", "0", "62.5", "99999999999999", 5, Decimal("62.0")],
    ["1.005", "-3", " 12", "1,234.50", "abc", "NaN", "1e3", -5, True, 1.5, Decimal("-1"), Decimal("Infinity"), None],
)
stocks = mostly([0, 10, "10", "007", None], [-1, " 5", "x", "", True, 2.0])
values = st.lists(mostly(["1 kg", "5 kg", "M", "L", "Red"], ["m", "", " ", 500]), min_size=1, max_size=2)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, strategy in (
        ("id", ids),
        ("title", texts),
        ("price", prices),
        ("category", texts),
        ("stock", stocks),
        ("description", texts),
        ("image_url", texts),
        ("url", texts),
    ):
        if key in ("id", "title") or draw(st.booleans()):
            fields[key] = draw(strategy)
    with_variants = draw(st.booleans())
    if with_variants == (draw(st.integers(0, 9)) > 0):  # options go with variants, mostly
        fields["options"] = draw(st.lists(mostly(["Weight", "Size"], ["size", "", 3]), min_size=1, max_size=2))
    if with_variants:
        fields.pop("price", None)
        fields["variants"] = [
            {
                key: value
                for key, value in (
                    ("id", draw(ids)),
                    ("values", draw(values)),
                    ("price", draw(prices)),
                    ("stock", draw(stocks)),
                    ("image_url", draw(texts)),
                )
                if draw(st.booleans()) or key in ("id", "values", "price")
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
    if draw(st.integers(0, 19)) == 0:
        fields["colour"] = "red"  # a key the model does not know
    return fields


def careful(fields: dict[str, Any]) -> Product | None:
    try:
        entry = ADAPTER.validate_python(fields, context={"currency": "INR"})
    except ValidationError:
        return None
    if variant_problems(entry, ""):
        return None
    return Product.from_entry(entry)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_the_quick_way_makes_what_the_careful_way_makes(fields: dict[str, Any]) -> None:
    quick = quick_product(fields, "INR")
    if quick is not None:
        assert quick == careful(fields)
        entry = quick_entry(fields, "INR")
        assert entry is not None and entry == ADAPTER.validate_python(fields, context={"currency": "INR"})


def test_plain_entries_take_the_quick_way() -> None:
    product = {"id": "ghee", "title": " Amul Ghee ", "price": "612.50", "stock": "7", "category": "Dairy >Ghee "}
    variants = {
        "id": "atta",
        "title": "Atta",
        "options": ["Weight"],
        "variants": [{"id": "atta-1kg", "values": ["1 kg"], "price": Decimal("62.00"), "stock": 3}],
    }
    for fields in (product, variants, {"id": "x", "title": "X", "price": 5}):
        quick = quick_product(fields, "INR")
        assert quick is not None and quick == careful(fields)


VARIANT_CSV = """id,title,category,description,options,variant_id,option1,option2,price,stock,image_url,url
atta,Aashirvaad Atta, Staples >Atta ,Stone-ground,Weight,atta-1kg,1 kg,,62.00,10,,https://shop/atta
ghee,Amul Ghee,Dairy,,,,,,612.50,,https://img/ghee.jpg,
atta,,,,,atta-5kg, 5 kg ,,245,4,https://img/atta5.jpg,
tee,Cotton Tee,Clothes,,Size | Colour,tee-m-red,M,Red,499.00,,,
tee,ignored title,,,,tee-l-red,L,Red,549.00,0,,
"""


def test_a_variant_csv_takes_the_quick_way_to_the_same_products(tmp_path: Path) -> None:
    from chatshop.catalog_csv import quick_csv_products
    from chatshop.catalog_file import _csv_entries, validated

    path = tmp_path / "catalog.csv"
    path.write_text(VARIANT_CSV, encoding="utf-8")
    quick = quick_csv_products(path, "INR")
    assert quick is not None and [p.id for p in quick] == ["atta", "ghee", "tee"]
    assert quick == validated(_csv_entries(path), "INR")
    for broken in (
        VARIANT_CSV.replace("tee-l-red,L,Red", "tee-l-red,L,"),  # a variant without its colour
        VARIANT_CSV.replace("tee-l-red,L,Red", "tee-m-red,L,Red"),  # a SKU twice
        VARIANT_CSV.replace("612.50,,https", "612.50,,https").replace(
            ",,,,612.50", ",,M,,612.50"
        ),  # a value, no variant
        VARIANT_CSV.replace("Weight,atta-1kg", ",atta-1kg"),  # variants without options
        VARIANT_CSV.replace("245,4", "245.001,4"),  # a price finer than paise
    ):
        path.write_text(broken, encoding="utf-8")
        assert quick_csv_products(path, "INR") is None, broken  # the careful way names the problem
