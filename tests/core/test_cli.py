"""The chatshop command, run as a real process where it matters."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner

from chatshop.cli import cli

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "examples" / "kirana" / "shop.toml"


def chatshop(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatshop", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def demo_copy(tmp_path: Path) -> Path:
    for name in ("shop.toml", "catalog.csv"):
        (tmp_path / name).write_text((DEMO.parent / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path / "shop.toml"


def test_scripted_terminal_purchase_then_orders_json_and_ship(tmp_path: Path) -> None:
    shop = demo_copy(tmp_path)
    script = "hi\natta\n1\ncheckout\n12 Hill Road, Bandra West, Mumbai 400050\n1\n"
    result = chatshop("chat", str(shop), "--customer", "cli-test", stdin=script)
    assert result.returncode == 0, result.stderr
    assert "Namaste! Welcome to Kirana Corner" in result.stdout
    assert "is placed" in result.stdout
    listed = chatshop("orders", str(shop), "--json")
    (order,) = json.loads(listed.stdout)
    assert order["status"] == "cod_pending"
    assert order["payment_method"] == "cod"
    assert order["customer"] == "terminal:cli-test"
    assert order["lines"] == [
        {"product_id": "atta-5kg", "title": "Aashirvaad Shudh Chakki Atta 5 kg", "quantity": 1, "unit_price": "245.00"}
    ]
    assert order["fees"] == [{"code": "delivery", "amount": "30.00"}]
    assert order["total"] == "275.00"
    shipped = chatshop("order", str(shop), order["id"], "ship")
    assert shipped.returncode == 0, shipped.stderr
    assert "is on its way" in shipped.stdout  # told in the customer's chat (the terminal channel here)
    again = chatshop("order", str(shop), order["id"], "cancel")
    assert again.returncode == 1 and "cannot go from shipped to cancelled" in again.stderr
    assert "no order" in chatshop("order", str(shop), "ZZZ-ZZZ", "ship").stderr


def test_check_reports_every_problem_with_its_key_path(tmp_path: Path) -> None:
    bad = tmp_path / "shop.toml"
    bad.write_text('[shop]\nname = ""\ncurrency = "XYZ"\n[payments.cod]\nmax_order_total = 1.001\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1
    assert "shop.name:" in result.output and "shop.currency:" in result.output
    ok = CliRunner().invoke(cli, ["check", str(DEMO)])
    assert ok.exit_code == 0 and "40 products" in ok.output


def test_init_writes_a_starter_shop_that_checks_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "new")]).exit_code == 0
    assert runner.invoke(cli, ["check", str(tmp_path / "new" / "shop.toml")]).exit_code == 0
    again = runner.invoke(cli, ["init", str(tmp_path / "new")])
    assert again.exit_code == 1 and "already exists" in again.output


def test_migrate_reports_the_schema_version(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["migrate", str(demo_copy(tmp_path))])
    assert result.exit_code == 0 and result.output.startswith("schema version ")


def test_chat_with_a_port_also_serves_the_web_chat_and_says_where(tmp_path: Path) -> None:
    result = chatshop("chat", str(demo_copy(tmp_path)), "--port", "0", stdin="hi\n")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("Web chat:  http://127.0.0.1:") and first.endswith("/chat")
    assert "Namaste!" in result.stdout


def test_check_validates_the_admin_token(tmp_path: Path, monkeypatch: object) -> None:
    shop = demo_copy(tmp_path)
    shop.write_text(shop.read_text() + '\n[admin]\ntoken_env = "CHATSHOP_TEST_ADMIN"\n', encoding="utf-8")
    missing = CliRunner().invoke(cli, ["check", str(shop)], env={"CHATSHOP_TEST_ADMIN": ""})
    assert missing.exit_code == 1
    assert "admin.token_env: environment variable CHATSHOP_TEST_ADMIN is not set" in missing.output
    short = CliRunner().invoke(cli, ["check", str(shop)], env={"CHATSHOP_TEST_ADMIN": "short"})
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    ok = CliRunner().invoke(cli, ["check", str(shop)], env={"CHATSHOP_TEST_ADMIN": "a-long-enough-token"})
    assert ok.exit_code == 0, ok.output


def test_check_wants_a_dashboard_session_secret_too_long_to_guess(tmp_path: Path) -> None:
    shop = demo_copy(tmp_path)
    admin = '\n[admin]\ntoken_env = "CHATSHOP_TEST_ADMIN"\nsession_secret_env = "CHATSHOP_TEST_SECRET"\n'
    shop.write_text(shop.read_text() + admin, encoding="utf-8")
    env = {"CHATSHOP_TEST_ADMIN": "a-long-enough-token"}
    short = CliRunner().invoke(cli, ["check", str(shop)], env={**env, "CHATSHOP_TEST_SECRET": "fifteen-chars-x"})
    assert short.exit_code == 1
    assert "admin.session_secret_env: the session secret must be at least 16 characters" in short.output
    ok = CliRunner().invoke(cli, ["check", str(shop)], env={**env, "CHATSHOP_TEST_SECRET": "sixteen-chars-xx"})
    assert ok.exit_code == 0, ok.output


def test_check_warns_when_customers_could_not_check_out(tmp_path: Path) -> None:
    bare = tmp_path / "shop.toml"
    bare.write_text(
        '[shop]\nname = "Bare"\ncurrency = "INR"\n[[catalog.products]]\nid = "a"\ntitle = "A"\nprice = "1"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", str(bare)])
    assert result.exit_code == 0
    assert "1 product in 1 category; channels: none; payments: none" in result.output
    assert "warning: no payment method is enabled" in result.output


def test_forget_erases_a_customer_but_keeps_their_order(tmp_path: Path) -> None:
    shop = demo_copy(tmp_path)
    script = "hi\natta\n1\ncheckout\n12 Hill Road, Bandra West, Mumbai 400050\n1\n"
    assert chatshop("chat", str(shop), "--customer", "forget-me", stdin=script).returncode == 0
    assert chatshop("chat", str(shop), "--customer", "keep-me", stdin="hi\n").returncode == 0
    refused = CliRunner().invoke(cli, ["forget", str(shop), "forget-me"])
    assert refused.exit_code == 1 and "expected CHANNEL:ID" in refused.output
    result = CliRunner().invoke(cli, ["forget", str(shop), "terminal:forget-me"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("forgot ") and "terminal:forget-me; 1 orders kept" in result.output
    with closing(sqlite3.connect(tmp_path / "kirana.db")) as db:
        for table in ("conversations", "inbox", "outbox"):
            keys = {row[0] for row in db.execute(f"SELECT customer_key FROM {table}")}
            assert "terminal:forget-me" not in keys and "terminal:keep-me" in keys, table
        assert [row[0] for row in db.execute("SELECT customer_key FROM orders")] == ["terminal:forget-me"]
    (order,) = json.loads(chatshop("orders", str(shop), "--json").stdout)
    assert order["customer"] == "terminal:forget-me" and order["total"] == "275.00"
