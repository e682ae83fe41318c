"""The database commands need the database, not the payment providers' secrets.

A deploy step runs ``chatshop migrate`` before the secrets are there; staff list orders or erase a
customer from a shell without the shop's API keys. They used to stop at "STRIPE_SECRET_KEY is not set".
"""

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

[payments.stripe]
"""


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["migrate"], "schema version"),
        (["orders"], "no orders"),
        (["forget", "_", "whatsapp:919812345678"], "forgot 0 records"),
    ],
)
def test_database_commands_run_without_the_providers_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], said: str
) -> None:
    for variable in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    shop = tmp_path / "shop.toml"
    shop.write_text(SHOP, encoding="utf-8")
    args = [command[0], str(shop), *[a for a in command[1:] if a != "_"]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert said in result.output


def test_a_command_that_moves_orders_still_needs_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    shop = tmp_path / "shop.toml"
    shop.write_text(SHOP, encoding="utf-8")
    result = CliRunner().invoke(cli, ["order", str(shop), "K7M-4QX", "cancel"])  # a cancel may refund
    assert result.exit_code == 1 and "STRIPE_SECRET_KEY is not set" in result.output
