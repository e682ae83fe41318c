"""`chatshop check` refuses a bad live source with its key path, as start-up does."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli
from tests.conftest import SHOP_TOML


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            '[catalog.sources.shopify]\nbase_url = "http://shop.example"\ntoken_env = "CHECK_SHOPIFY_TOKEN"\n',
            "catalog.sources.shopify.base_url: ",
        ),
        (
            '[catalog.sources.shopify]\nbase_url = "https://x.myshopify.com"\ntoken_env = "CHECK_UNSET_TOKEN"\n',
            "catalog.sources.shopify.token_env: environment variable CHECK_UNSET_TOKEN is not set",
        ),
        (
            '[catalog.sources.magento]\nbase_url = "https://shop.example"\n',
            "catalog.sources.magento: no catalog source 'magento'",
        ),
        (
            '[catalog.sources.woocommerce]\nbase_url = "https://shop.example"\nkey_env = "K"\nsecrets_env = "S"\n',
            "catalog.sources.woocommerce.secrets_env: unknown key",
        ),
    ],
)
def test_check_names_the_key_path_of_a_bad_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str, expected: str
) -> None:
    monkeypatch.setenv("CHECK_SHOPIFY_TOKEN", "shpat_check")
    monkeypatch.delenv("CHECK_UNSET_TOKEN", raising=False)
    toml = tmp_path / "shop.toml"
    toml.write_text(SHOP_TOML + section, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(toml)])
    assert result.exit_code != 0
    assert expected in result.output


def test_check_accepts_a_good_source_without_reading_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECK_SHOPIFY_TOKEN", "shpat_check")
    toml = tmp_path / "shop.toml"
    section = '[catalog.sources.shopify]\nbase_url = "https://x.myshopify.com"\ntoken_env = "CHECK_SHOPIFY_TOKEN"\n'
    toml.write_text(SHOP_TOML + section, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(toml)])
    assert result.exit_code == 0, result.output
    assert "shpat_check" not in result.output
