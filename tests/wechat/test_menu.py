from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pytest
from aiohttp import web
from click.testing import CliRunner
from pydantic import ValidationError

from chatshop.plugins.wechat import register_commands
from chatshop.plugins.wechat.config import WeChatConfig
from chatshop.plugins.wechat.menu import build_menu, choice_for_key, publish_menu
from chatshop.testing.fakes.wechat import FakeWeChat, _check_menu

from .conftest import SECRET, wechat_config

SHOP_TOML = """
[shop]
name = "Tea House"
currency = "CNY"

[channels.wechat]
app_id = "wx3f8a2c1d9e7b6a54"
app_secret_env = "WECHAT_SECRET"
token_env = "WECHAT_TOKEN"

[[channels.wechat.menu]]
name = "Shop"
action = "catalog"

[[channels.wechat.menu]]
name = "More"
sub_buttons = [
  { name = "My cart", action = "cart" },
  { name = "My orders", action = "orders" },
  { name = "Help", action = "help" },
  { name = "Website", url = "https://shop.example.com" },
]
"""


def test_default_menu_is_valid_and_maps_back() -> None:
    menu = build_menu([])
    assert _check_menu(menu) is None
    keys = [b.get("key") for top in menu["button"] for b in top.get("sub_button", [top])]
    assert [choice_for_key(k) for k in keys] == ["browse", "cart", "orders", "help"]


def _config(menu: list[dict[str, Any]]) -> WeChatConfig:
    # A valid account, so a refusal is the menu's (with "wx1" every menu was refused for the app id).
    account = {"app_id": "wx3f8a2c1d9e7b6a54", "app_secret_env": "S", "token_env": "T"}
    return WeChatConfig.model_validate({**account, "menu": menu})


@pytest.mark.parametrize(
    "menu",
    [
        [{"name": f"B{i}", "action": "help"} for i in range(4)],
        [{"name": "More", "sub_buttons": [{"name": f"S{i}", "action": "help"} for i in range(6)]}],
        [{"name": "一二三四五六", "action": "cart"}],  # 18 bytes
        [{"name": "Both", "action": "cart", "url": "https://x"}],
        [{"name": "Neither"}],
        [{"name": "Bad", "action": "checkout"}],
        [{"name": "Web", "url": "javascript:alert(1)"}],
    ],
)
def test_menu_limits_checked_in_config(menu: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError):
        _config(menu)


async def test_publish_to_the_fake_api(secrets_env: None, fake: FakeWeChat, fake_url: str) -> None:
    config = wechat_config(fake_url, menu=[{"name": "Shop", "action": "catalog"}])
    await publish_menu(config, SECRET)
    assert fake.menus == [{"button": [{"type": "click", "name": "Shop", "key": "CHATSHOP_CATALOG"}]}]


def test_cli_dry_run(tmp_path: Path) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(SHOP_TOML)
    cli = click.Group("chatshop")
    register_commands(cli)
    result = CliRunner().invoke(cli, ["wechat", "menu", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    menu = json.loads(result.output)
    assert _check_menu(menu) is None
    assert menu["button"][1]["sub_button"][3] == {
        "type": "view",
        "name": "Website",
        "url": "https://shop.example.com",
    }


def test_cli_names_the_missing_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WECHAT_SECRET", raising=False)
    monkeypatch.setenv("WECHAT_TOKEN", "t")
    path = tmp_path / "shop.toml"
    path.write_text(SHOP_TOML)
    cli = click.Group("chatshop")
    register_commands(cli)
    result = CliRunner().invoke(cli, ["wechat", "menu", str(path)])
    assert result.exit_code != 0 and "channels.wechat.app_secret_env" in result.output


@contextmanager
def _fake_in_a_thread(fake: FakeWeChat) -> Iterator[str]:
    """The fake API on its own loop, for a command that runs ``asyncio.run`` itself."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(fake.app())
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def test_cli_publishes_the_menu(tmp_path: Path, secrets_env: None) -> None:
    fake = FakeWeChat(app_id="wx3f8a2c1d9e7b6a54", secret=SECRET)
    with _fake_in_a_thread(fake) as url:
        path = tmp_path / "shop.toml"
        path.write_text(SHOP_TOML.replace("[channels.wechat]", f'[channels.wechat]\napi_base_url = "{url}"'))
        cli = click.Group("chatshop")
        register_commands(cli)
        result = CliRunner().invoke(cli, ["wechat", "menu", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 top buttons" in result.output
    [menu] = fake.menus
    assert menu["button"][0] == {"type": "click", "name": "Shop", "key": "CHATSHOP_CATALOG"}
    assert [b["key"] for b in menu["button"][1]["sub_button"][:3]] == [
        "CHATSHOP_CART",
        "CHATSHOP_ORDERS",
        "CHATSHOP_HELP",
    ]


ZH_SHOP_TOML = """
[shop]
name = "茶馆"
currency = "CNY"
locale = "zh"
locales = ["zh", "en"]

[channels.wechat]
app_id = "wx3f8a2c1d9e7b6a54"
app_secret_env = "WECHAT_SECRET"
token_env = "WECHAT_TOKEN"
"""


def _dry_run(tmp_path: Path, shop_toml: str) -> Any:
    path = tmp_path / "shop.toml"
    path.write_text(shop_toml)
    cli = click.Group("chatshop")
    register_commands(cli)
    result = CliRunner().invoke(cli, ["wechat", "menu", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _names(menu: dict[str, Any]) -> list[str]:
    return [b["name"] for top in menu["button"] for b in (top, *top.get("sub_button", []))]


@pytest.mark.parametrize("locale", ["zh", "hi", "de", "en"])
def test_default_menu_speaks_the_shops_first_language(tmp_path: Path, locale: str) -> None:
    """A Chinese shop's followers see 商店, 购物车, not "Shop", "Cart" (every name within WeChat's bytes)."""
    toml = ZH_SHOP_TOML.replace('locale = "zh"', f'locale = "{locale}"').replace('["zh", "en"]', f'["{locale}"]')
    menu = _dry_run(tmp_path, toml)
    assert _check_menu(menu) is None
    english = ["Shop", "Cart", "More", "My orders", "Help"]
    assert (_names(menu) == english) is (locale == "en"), _names(menu)
    if locale == "zh":
        assert all(not name.isascii() for name in _names(menu)), _names(menu)
    keys = [b.get("key") for top in menu["button"] for b in top.get("sub_button", [top])]
    assert [choice_for_key(k) for k in keys] == ["browse", "cart", "orders", "help"]


def test_default_menu_takes_the_shops_own_words(tmp_path: Path) -> None:
    toml = ZH_SHOP_TOML + '\n[texts.zh]\nwechat_menu_shop = "逛逛"\n'
    assert _dry_run(tmp_path, toml)["button"][0]["name"] == "逛逛"


def test_default_menu_word_too_long_for_the_bar_names_its_text(tmp_path: Path) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(ZH_SHOP_TOML + '\n[texts.zh]\nwechat_menu_cart = "我的购物车里"\n')  # 18 bytes
    cli = click.Group("chatshop")
    register_commands(cli)
    result = CliRunner().invoke(cli, ["wechat", "menu", str(path), "--dry-run"])
    assert result.exit_code != 0 and "texts.zh.wechat_menu_cart" in result.output, result.output


def test_menu_url_limit_is_in_bytes_as_wechat_counts() -> None:
    """1024 bytes (research/wechat.md §3.3): a URL of Chinese path words is refused at 342 characters."""
    url = "https://shop.example.com/" + "茶" * 340  # 25 + 1020 bytes
    with pytest.raises(ValidationError):
        _config([{"name": "Web", "url": url}])
    assert _config([{"name": "Web", "url": "https://shop.example.com/" + "a" * 999}])


def test_chatshop_check_names_a_menu_word_too_long_for_the_bar(tmp_path: Path) -> None:
    """Found by ``chatshop check``, not only when the menu is published."""
    from chatshop.cli import cli

    path = tmp_path / "shop.toml"
    path.write_text(ZH_SHOP_TOML + '\n[texts.zh]\nwechat_menu_cart = "我的购物车里"\n')
    result = CliRunner().invoke(cli, ["check", str(path)], env={"WECHAT_SECRET": "s", "WECHAT_TOKEN": "t"})
    assert result.exit_code != 0 and "texts.zh.wechat_menu_cart" in result.output, result.output
