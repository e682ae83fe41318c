"""A big CSV takes the quick way, a CSV with a mistake the careful one: the products are the same,
and every mistake is still named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.catalog import load_catalog_file
from chatshop.catalog_csv import quick_csv_products
from chatshop.config import ConfigError

GOOD = (
    "id,title,price,category,stock,description,image_url\n"
    "atta-5kg, Aashirvaad Atta 5 kg ,245.00,Staples > Atta & Flour,40,Stone-ground,https://x/a.jpg\n"
    "\n"
    "ghee,Amul Ghee 1 l,610.5,,,\n"
    "salt,Tata Salt 1 kg,28,Staples,0\n"
)


def test_the_quick_way_reads_what_the_careful_way_reads(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(GOOD, encoding="utf-8")
    quick = quick_csv_products(path, "INR")
    assert quick is not None
    careful = load_catalog_file(path.with_suffix(".csv"), "INR")
    assert quick == careful
    assert [(p.id, p.title, p.price.minor, p.category, p.stock) for p in quick] == [
        ("atta-5kg", "Aashirvaad Atta 5 kg", 24500, "Staples > Atta & Flour", 40),
        ("ghee", "Amul Ghee 1 l", 61050, "Other", None),
        ("salt", "Tata Salt 1 kg", 2800, "Staples", 0),
    ]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("bad id!,Thing,1.00", "catalog.csv line 3.id"),
        ("x,Thing,1.005", "catalog.csv line 3.price"),
        ("x,Thing,-1", "catalog.csv line 3.price"),
        ("atta-5kg,Again,1.00", "catalog.csv line 3.id"),
        ("x,,1.00", "catalog.csv line 3.title"),
        ("x,Thing,1.00,Cat,-3", "catalog.csv line 3.stock"),
        ("x,Thing,1.00,Cat,3,d,u,extra", "catalog.csv line 3"),
    ],
)
def test_a_row_with_a_mistake_is_named_by_its_line(tmp_path: Path, row: str, where: str) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("id,title,price,category,stock,description,image_url\natta-5kg,Atta,1.00\n" + row + "\n")
    assert quick_csv_products(path, "INR") is None
    with pytest.raises(ConfigError) as caught:
        load_catalog_file(path, "INR")
    assert [p.path for p in caught.value.problems] == [where], caught.value.problems


def test_an_unknown_column_takes_the_careful_way(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("id,title,price,colour\nx,Thing,1.00,red\n")
    assert quick_csv_products(path, "INR") is None
    with pytest.raises(ConfigError, match="colour"):
        load_catalog_file(path, "INR")


@pytest.mark.parametrize("name", ["catalog.csv", "catalog.json"])
def test_a_file_saved_in_a_windows_code_page_is_named_by_its_line(tmp_path: Path, name: str) -> None:
    """Excel's plain "CSV" is saved in the Windows code page: é is one byte that is not UTF-8."""
    path = tmp_path / name
    text = "id,title,price\nsalt,Salt,28.00\ncafe,Café,99.00\n"
    if name.endswith(".json"):
        text = '[\n{"id": "salt", "title": "Salt", "price": "28"},\n{"id": "cafe", "title": "Café", "price": "99"}\n]'
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(ConfigError) as caught:
        load_catalog_file(path, "INR")
    column = 9 if name.endswith(".csv") else 29
    assert [str(p) for p in caught.value.problems] == [
        f"catalog.file: {name}: not UTF-8 at line 3, column {column}: save the file as UTF-8"
    ]


def test_a_csv_separated_by_semicolons_says_so(tmp_path: Path) -> None:
    """Excel in German, French or Spanish saves "CSV" with ';' between the columns."""
    path = tmp_path / "catalog.csv"
    path.write_text("id;title;price\nsalt;Salz;1,99\ntee;Tee;2,50\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalog_file(path, "EUR")
    assert [str(p) for p in caught.value.problems] == [
        "catalog.csv line 1: the columns are separated by ';', not ','; save it as 'CSV UTF-8 (comma delimited)'"
    ]
