"""``chatshop check`` on broken WeChat and payment sections: every problem names its key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli

SHOP = """
[shop]
name = "T"
currency = "CNY"

[[catalog.products]]
id = "a"
title = "A"
price = "10.00"
"""

WECHAT = """
[channels.wechat]
app_id = "wx3f8a2c1d9e7b6a54"
app_secret_env = "QA_WECHAT_SECRET"
token_env = "QA_WECHAT_TOKEN"
"""

ENV = {"QA_WECHAT_SECRET": "secret", "QA_WECHAT_TOKEN": "token"}


def check(tmp_path: Path, toml: str, **env: str) -> tuple[int, str]:
    path = tmp_path / "shop.toml"
    path.write_text(toml)
    result = CliRunner().invoke(cli, ["check", str(path)], env={**ENV, **env})
    return result.exit_code, result.output + (repr(result.exception) if result.exception else "")


@pytest.mark.parametrize(
    "value",
    [
        "short",  # not 43 characters
        "!" * 43,  # not base64
    ],
)
def test_a_bad_encoding_aes_key_is_a_problem_with_its_key_path_not_a_traceback(tmp_path: Path, value: str) -> None:
    code, output = check(tmp_path, SHOP + WECHAT + 'encoding_aes_key_env = "QA_AES"\n', QA_AES=value)
    assert code == 1
    assert "channels.wechat.encoding_aes_key_env:" in output and "Traceback" not in output
    assert "CryptoError" not in output


def test_a_bad_previous_encoding_aes_key_names_its_own_key(tmp_path: Path) -> None:
    good = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aQ"
    toml = SHOP + WECHAT + 'encoding_aes_key_env = "QA_AES"\nprevious_encoding_aes_key_env = "QA_OLD"\n'
    code, output = check(tmp_path, toml, QA_AES=good, QA_OLD="!" * 43)
    assert code == 1 and "channels.wechat.previous_encoding_aes_key_env:" in output


def test_a_long_menu_name_names_the_button_key_path(tmp_path: Path) -> None:
    toml = SHOP + WECHAT + '[[channels.wechat.menu]]\nname = "商店商店商店商店"\naction = "catalog"\n'
    code, output = check(tmp_path, toml)
    assert code == 1 and "channels.wechat.menu[0].name:" in output


def test_a_long_sub_button_name_names_the_sub_button_key_path(tmp_path: Path) -> None:
    long_name = "长" * 21  # 63 bytes
    menu = f'[[channels.wechat.menu]]\nname = "More"\nsub_buttons = [{{ name = "{long_name}", action = "cart" }}]\n'
    toml = SHOP + WECHAT + menu
    code, output = check(tmp_path, toml)
    assert code == 1 and "channels.wechat.menu[0].sub_buttons[0].name:" in output


def test_a_misspelt_jsapi_channel_is_a_problem_at_its_key_path(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from chatshop.testing.fakes.wechatpay import pem_private, pem_public

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "key.pem").write_bytes(pem_private(key))
    (tmp_path / "pub.pem").write_bytes(pem_public(key))
    section = """
[payments.wechatpay]
mchid = "1900000001"
appid = "wxd678efh567hg6787"
serial_no = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
private_key_file = "key.pem"
platform_public_key_file = "pub.pem"
platform_public_key_id = "PUB_KEY_ID_0114232134912410000000000000"
jsapi_channels = ["wechta"]
"""
    code, output = check(tmp_path, SHOP + section, QA_APIV3="k" * 32, WECHATPAY_APIV3_KEY="k" * 32)
    assert code == 1 and "payments.wechatpay.jsapi_channels[0]:" in output and "wechta" in output
    fixed = section.replace('["wechta"]', '["wechat", "terminal"]')
    code, output = check(tmp_path, SHOP + fixed, WECHATPAY_APIV3_KEY="k" * 32)
    assert code == 0, output


@pytest.mark.parametrize("text", ["Order {order_number", "{0} shipped", "{status!z}", "{body:>{width}}"])
def test_an_order_template_field_that_cannot_be_filled_is_a_problem_at_check_time(tmp_path: Path, text: str) -> None:
    template = f'[channels.wechat.order_template]\ntemplate_id = "T"\nfields = {{ first = "{text}" }}\n'
    code, output = check(tmp_path, SHOP + WECHAT + template)
    assert code == 1 and "channels.wechat.order_template.fields" in output and "first" in output, output


def test_wechat_pay_for_another_official_account_than_the_channel_is_a_problem(tmp_path: Path) -> None:
    """JSAPI payers are OpenIDs of the channel's account: another appid fails at every payment."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from chatshop.testing.fakes.wechatpay import pem_private, pem_public

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp_path / "key.pem").write_bytes(pem_private(key))
    (tmp_path / "pub.pem").write_bytes(pem_public(key))
    pay = """
[payments.wechatpay]
mchid = "1900000001"
appid = "wxd678efh567hg6787"
serial_no = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
private_key_file = "key.pem"
platform_public_key_file = "pub.pem"
platform_public_key_id = "PUB_KEY_ID_0114232134912410000000000000"
"""
    code, output = check(tmp_path, SHOP + WECHAT + pay, WECHATPAY_APIV3_KEY="k" * 32)
    assert code == 1 and "payments.wechatpay.appid:" in output and "wx3f8a2c1d9e7b6a54" in output, output
    same = WECHAT.replace("wx3f8a2c1d9e7b6a54", "wxd678efh567hg6787")
    code, output = check(tmp_path, SHOP + same + pay, WECHATPAY_APIV3_KEY="k" * 32)
    assert code == 0, output


@pytest.mark.parametrize("url", ["api.weixin.qq.com", "ftp://api.weixin.qq.com", ""])
def test_an_api_base_url_without_http_is_a_problem_at_its_key_path(tmp_path: Path, url: str) -> None:
    code, output = check(tmp_path, SHOP + WECHAT + f'api_base_url = "{url}"\n')
    assert code == 1 and "channels.wechat.api_base_url:" in output, output


@pytest.mark.parametrize("app_id", ["wx1", "gh_3c8e1a5b7d90", "WX3F8A2C1D9E7B6A54 "])
def test_an_app_id_that_is_not_an_appid_is_a_problem_at_its_key_path(tmp_path: Path, app_id: str) -> None:
    toml = SHOP + WECHAT.replace("wx3f8a2c1d9e7b6a54", app_id)
    code, output = check(tmp_path, toml)
    assert code == 1 and "channels.wechat.app_id:" in output, output


@pytest.mark.parametrize("original_id", ["wx3f8a2c1d9e7b6a54", "3c8e1a5b7d90", "gh_ 3c8e"])
def test_an_original_id_that_is_not_a_gh_id_is_a_problem_at_its_key_path(tmp_path: Path, original_id: str) -> None:
    """A wrong original_id refuses every push as "for another account": the shop would go silent."""
    code, output = check(tmp_path, SHOP + WECHAT + f'original_id = "{original_id}"\n')
    assert code == 1 and "channels.wechat.original_id:" in output, output
