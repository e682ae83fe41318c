"""shop.toml mistakes an owner makes, each reported at its key path by ``chatshop check``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli

SHOP = """
[shop]
name = "Kirana"
currency = "INR"

[payments.cod]

[[catalog.products]]
id = "atta"
title = "Atta"
price = "245.00"
"""


def check(tmp_path: Path, toml: str) -> tuple[int, str]:
    (tmp_path / "shop.toml").write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "shop.toml")])
    return result.exit_code, result.output


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite:////", "sqlite:///data/"])
def test_a_sqlite_url_without_a_file_name_is_refused_by_check(tmp_path: Path, url: str) -> None:
    code, output = check(tmp_path, SHOP + f'\n[storage]\nurl = "{url}"\n')
    assert code == 1
    assert "storage.url:" in output and "file" in output


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ('[payments.cod]\nmax_order_total = "-1.00"', "payments.cod.max_order_total"),
        ('[payments.cod]\nfee = "12.345"', "payments.cod.fee"),
        ("[payments.cod]\nareas = 400050", "payments.cod.areas"),
        ("[payments.cod]\nmax_order_total = true", "payments.cod.max_order_total"),
        ("[payments.cod]\nlimit = 5", "payments.cod.limit"),
        ("[server]\nsweep_seconds = 0", "server.sweep_seconds"),
        ("[storage]\nretention_days = 0", "storage.retention_days"),
        ('[delivery]\nfree_above = "lots"', "delivery.free_above"),
    ],
)
def test_wrong_types_unknown_keys_and_values_out_of_range_name_their_key(
    tmp_path: Path, section: str, path: str
) -> None:
    toml = SHOP.replace("[payments.cod]\n", "") + "\n" + section + "\n"
    code, output = check(tmp_path, toml)
    assert code == 1 and f"{path}:" in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("areas", "problem"),
    [
        ("[]", "offers cash on delivery nowhere"),
        ('["560001"]', "560001 is not one of the [delivery] areas"),
    ],
)
def test_cash_on_delivery_areas_where_nothing_is_delivered_are_refused(
    tmp_path: Path, areas: str, problem: str
) -> None:
    toml = SHOP.replace("[payments.cod]\n", f'[delivery]\nareas = ["400050"]\n\n[payments.cod]\nareas = {areas}\n')
    code, output = check(tmp_path, toml)
    assert code == 1, output
    assert f"payments.cod.areas: {problem}" in output


def test_cash_on_delivery_areas_may_be_written_as_numbers_like_the_delivery_areas(tmp_path: Path) -> None:
    toml = SHOP.replace("[payments.cod]\n", "[delivery]\nareas = [400050]\n\n[payments.cod]\nareas = [400050]\n")
    code, output = check(tmp_path, toml)
    assert code == 0, output
