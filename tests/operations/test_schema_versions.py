"""A database whose schema is newer than this chatshop (the owner went back a version after an
upgrade migrated it): refused at start with what to do, never run against tables it does not know."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.config import ConfigError
from chatshop.store.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS
from chatshop.testing import running_shop
from tests.conftest import SHOP_TOML

FUTURE = max(v for v, _ in SQLITE_MIGRATIONS) + 1


async def from_the_future(folder: Path) -> Path:
    """A shop whose SQLite database a newer chatshop migrated."""
    async with running_shop(SHOP_TOML, folder):
        pass
    with closing(sqlite3.connect(folder / "shop.db")) as db, db:
        db.execute("INSERT INTO schema_migrations VALUES (?, '2030-01-01T00:00:00Z')", (FUTURE,))
    return folder / "shop.toml"


def test_migrate_refuses_a_database_newer_than_it_knows(tmp_path: Path) -> None:
    shop_toml = asyncio.run(from_the_future(tmp_path / "shop"))
    result = CliRunner().invoke(cli, ["migrate", str(shop_toml)])
    assert result.exit_code == 1
    assert "storage.url" in result.output and f"schema version {FUTURE}" in result.output
    assert "upgrade chatshop" in result.output


async def test_the_shop_does_not_start_on_a_newer_database(tmp_path: Path) -> None:
    shop_toml = await from_the_future(tmp_path / "shop")
    with pytest.raises(ConfigError, match="upgrade chatshop"):
        async with running_shop(SHOP_TOML, shop_toml.parent):
            pass


async def test_postgresql_refuses_a_newer_database_too(postgres_url: str, tmp_path: Path) -> None:
    toml = SHOP_TOML.replace('url = "sqlite:///shop.db"', f'url = "{postgres_url}"')
    async with running_shop(toml, tmp_path / "first"):
        pass
    future = max(v for v, _ in POSTGRES_MIGRATIONS) + 1
    db = await asyncpg.connect(postgres_url)
    try:
        await db.execute("INSERT INTO schema_migrations VALUES ($1, now())", future)
    finally:
        await db.close()
    with pytest.raises(ConfigError, match=f"schema version {future}"):
        async with running_shop(toml, tmp_path / "second"):
            pass
