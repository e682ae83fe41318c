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
