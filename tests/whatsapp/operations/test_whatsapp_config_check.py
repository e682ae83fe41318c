"""`chatshop check` on WhatsApp sections a shop owner might mistype."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from chatshop.cli import cli
from tests.whatsapp.meta import PHONE_NUMBER_ID

SHOP = f"""
[shop]
name = "Kirana Corner"
currency = "INR"
[[catalog.products]]
id = "atta"
title = "Atta"
price = "245.00"
[channels.whatsapp]
phone_number_id = "{PHONE_NUMBER_ID}"
access_token_env = "WHATSAPP_ACCESS_TOKEN"
app_secret_env = "WHATSAPP_APP_SECRET"
verify_token_env = "WHATSAPP_VERIFY_TOKEN"
[channels.whatsapp.templates]
order_update = "order_update"
"""


def check(tmp_path: Path, extra: str) -> str:
    path = tmp_path / "shop.toml"
    path.write_text(SHOP + extra, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code != 0, result.output
    return result.output


def test_a_misspelled_order_status_for_a_template_names_its_key(tmp_path: Path) -> None:
    """A typo would silently send the general template (or none) when the order ships."""
    problem = check(tmp_path, 'statuses = { shiped = "order_shipped" }\n')
    assert "channels.whatsapp.templates.statuses" in problem and "shiped" in problem
    assert "shipped" in problem  # the statuses it could have meant


def test_a_template_language_for_a_language_the_shop_does_not_offer_names_its_key(tmp_path: Path) -> None:
    """The shop offers English and German (the default): a Hindi code would never be used."""
    problem = check(tmp_path, '[channels.whatsapp.templates.languages]\nhi = "hi"\n')
    assert "channels.whatsapp.templates.languages.hi" in problem, problem


def test_a_translation_in_a_language_without_a_code_names_its_key(tmp_path: Path) -> None:
    extra = '[channels.whatsapp.templates.languages]\nde = "de"\n[channels.whatsapp.templates.translated]\n'
    problem = check(tmp_path, extra + 'order_update = ["de", "fr"]\n')
    assert "channels.whatsapp.templates.translated" in problem and "order_update: fr" in problem, problem
