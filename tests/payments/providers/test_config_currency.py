"""A payment section a shop's currency cannot use is a start-up error naming the section."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from chatshop.cli import cli

SHOP = """
[shop]
name = "T"
currency = "{currency}"

[[catalog.products]]
id = "a"
title = "A"
price = "10"
"""

WECHATPAY = """
[payments.wechatpay]
mchid = "1900000001"
appid = "wxd678efh567hg6787"
serial_no = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
platform_public_key_id = "PUB_KEY_ID_0114232134912410000000000000"
{extra}
"""

RAZORPAY = """
[payments.razorpay]
key_id = "rzp_test_1DP5mmOlF5G5ag"
{extra}
"""

ENV = {"WECHATPAY_APIV3_KEY": "k" * 32, "RAZORPAY_KEY_SECRET": "s", "RAZORPAY_WEBHOOK_SECRET": "w"}


def check(tmp_path: Path, toml: str) -> tuple[int, str]:
    path = tmp_path / "shop.toml"
    path.write_text(toml)
    (tmp_path / "apiclient_key.pem").write_text("not used by check before the currency")
    result = CliRunner().invoke(cli, ["check", str(path)], env=ENV)
    return result.exit_code, result.output + (repr(result.exception) if result.exception else "")


def test_wechatpay_in_a_usd_shop_is_a_config_error_at_its_section(tmp_path: Path) -> None:
    code, output = check(tmp_path, SHOP.format(currency="USD") + WECHATPAY.format(extra=""))
    assert code == 1, output
    assert "payments.wechatpay:" in output and "CNY" in output and "USD" in output
    assert "Traceback" not in output


def test_a_disabled_wechatpay_section_in_a_usd_shop_is_fine(tmp_path: Path) -> None:
    _, output = check(tmp_path, SHOP.format(currency="USD") + WECHATPAY.format(extra="enabled = false"))
    assert "payments.wechatpay" not in output, output


def test_razorpay_for_a_currency_it_is_not_set_up_for_is_a_config_error(tmp_path: Path) -> None:
    code, output = check(tmp_path, SHOP.format(currency="EUR") + RAZORPAY.format(extra=""))
    assert code == 1, output
    assert "payments.razorpay.currencies:" in output and "EUR" in output


def test_razorpay_with_the_shop_currency_listed_is_fine(tmp_path: Path) -> None:
    _, output = check(tmp_path, SHOP.format(currency="EUR") + RAZORPAY.format(extra='currencies = ["EUR"]'))
    assert "payments.razorpay" not in output, output
