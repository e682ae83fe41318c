"""A JSON catalog file that is not what the docs describe is named as a mistake, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.catalog import load_catalog_file
from chatshop.config import ConfigError


def problems(tmp_path: Path, raw: bytes) -> list[str]:
    path = tmp_path / "catalog.json"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as caught:
        load_catalog_file(path, "INR")
    return [str(p) for p in caught.value.problems]


def test_an_entry_that_is_not_a_product_is_named_by_its_place(tmp_path: Path) -> None:
    found = problems(tmp_path, b'[{"id": "a", "title": "A", "price": "1"}, 7, "salt"]')
    assert found == [
        "catalog.json[1]: expected a product: an object with id, title and price, got int '7'",
        "catalog.json[2]: expected a product: an object with id, title and price, got str 'salt'",
    ]


def test_one_product_without_the_list_says_what_shape_is_expected(tmp_path: Path) -> None:
    found = problems(tmp_path, b'{"id": "a", "title": "A", "price": "1"}')
    assert found == ['catalog.file: catalog.json: cannot read: expected a list of products, or {"products": [...]}']


def test_a_file_nested_beyond_reason_is_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, b"[" * 100_000)
    assert len(found) == 1 and found[0].startswith("catalog.file: catalog.json: cannot read:")


def test_nan_in_json_is_not_a_finite_amount(tmp_path: Path) -> None:
    found = problems(tmp_path, b'[{"id": "a", "title": "A", "price": NaN}]')
    assert found == ["catalog.json[0].price: 'NaN' is not a finite amount"]


def test_a_json_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows tools write UTF-8 with a byte order mark; a CSV with one is read, and so is JSON."""
    path = tmp_path / "catalog.json"
    path.write_bytes(b'\xef\xbb\xbf[{"id": "a", "title": "A", "price": "1.50"}]')
    assert [(p.id, p.price.minor) for p in load_catalog_file(path, "INR")] == [("a", 150)]
