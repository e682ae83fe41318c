"""A customer's copy of their data (GDPR Art. 15 and 20, India's DPDP Act 2023): ``chatshop export``,
on SQLite and on PostgreSQL; and old orders anonymised after ``[storage] order_retention_years``."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.config import ConfigError, parse_config
from chatshop.store.codec import utcnow
from chatshop.testing import running_shop
from tests.core.test_cli import DEMO, chatshop, demo_copy
from tests.store.conftest import _empty, postgres_url  # noqa: F401 (the fixture)

SCRIPT = "hi\natta\n1\ncheckout\n12 Hill Road, Bandra West, Mumbai 400050\n1\n"


def _shop_on(tmp_path: Path, database: str | None) -> Path:
    shop = demo_copy(tmp_path)
    if database is not None:
        text = shop.read_text(encoding="utf-8")
        start = text.index("[storage]")
        end = text.index("\n[", start + 1)
        shop.write_text(text[:start] + f'[storage]\nurl = "{database}"\n' + text[end:], encoding="utf-8")
    return shop


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_export_writes_everything_held_about_one_customer(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    url = None if database == "sqlite" else request.getfixturevalue("postgres_url")
    if url is not None:
        asyncio.run(_empty(url))  # the tables of earlier tests' shops
    shop = _shop_on(tmp_path, url)
    assert chatshop("chat", str(shop), "--customer", "export-me", stdin=SCRIPT).returncode == 0
    assert chatshop("chat", str(shop), "--customer", "someone-else", stdin="hi\nrice\n").returncode == 0
    out = tmp_path / "asha.json"
    result = CliRunner().invoke(cli, ["export", str(shop), "terminal:export-me", "--out", str(out)])
    assert result.exit_code == 0, result.output
    export = json.loads(out.read_text(encoding="utf-8"))
    assert export["customer"] == "terminal:export-me" and export["shop"] == "Kirana Corner"
    said = [m["message"]["text"] for m in export["messages_received"]]
    assert said[:2] == ["hi", "atta"] and "12 Hill Road, Bandra West, Mumbai 400050" in said
    assert any("Namaste! Welcome to Kirana Corner" in json.dumps(m["message"]) for m in export["messages_sent"])
    [order] = export["orders"]
    assert order["delivery"]["address"].startswith("12 Hill Road") and order["total"] == "275.00"
    assert order["history"] and "someone-else" not in out.read_text(encoding="utf-8")
    assert "Meta" in export["elsewhere"] and "Razorpay" in export["elsewhere"]
    printed = CliRunner().invoke(cli, ["export", str(shop), "terminal:export-me"])  # to the terminal
    assert json.loads(printed.output)["orders"][0]["number"] == order["number"]
    refused = CliRunner().invoke(cli, ["export", str(shop), "export-me"])
    assert refused.exit_code == 1 and "expected CHANNEL:ID" in refused.output


def test_order_retention_is_off_by_default_and_checked() -> None:
    assert parse_config({"shop": {"name": "x", "currency": "INR"}}).storage.order_retention_years is None
    with pytest.raises(ConfigError, match=r"storage\.order_retention_years"):
        parse_config({"shop": {"name": "x", "currency": "INR"}, "storage": {"order_retention_years": 0}})


async def test_orders_older_than_the_retention_lose_their_customer(tmp_path: Path) -> None:
    shop = demo_copy(tmp_path)
    assert chatshop("chat", str(shop), "--customer", "long-ago", stdin=SCRIPT).returncode == 0
    assert chatshop("chat", str(shop), "--customer", "last-week", stdin=SCRIPT).returncode == 0
    with closing(sqlite3.connect(tmp_path / "kirana.db")) as db, db:
        long_ago = (utcnow() - timedelta(days=round(365.2425 * 8) + 1)).isoformat().replace("+00:00", "Z")
        db.execute("UPDATE orders SET created_at = ? WHERE customer_key = 'terminal:long-ago'", (long_ago,))
    toml = shop.read_text(encoding="utf-8").replace("[storage]", "[storage]\norder_retention_years = 8", 1)
    async with running_shop(toml, tmp_path, files={"catalog.csv": (DEMO.parent / "catalog.csv").read_text()}) as h:
        await h.shop.purge()
        orders = {o.customer_key: o for o in await h.shop.store.list_orders()}
    assert set(orders) == {"terminal:anonymised", "terminal:last-week"}
    old = orders["terminal:anonymised"]
    assert old.address is None and old.total.minor == 27500
    assert orders["terminal:last-week"].address is not None
