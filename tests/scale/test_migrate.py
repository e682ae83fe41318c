"""``chatshop migrate`` brings a PostgreSQL database to the newest schema, and again is harmless."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import asyncpg

from bench.workers import CHATSHOP, shop_toml, worker_env
from chatshop.store.migrations import POSTGRES_MIGRATIONS


def migrate(toml: Path) -> str:
    done = subprocess.run(
        [str(CHATSHOP), "migrate", str(toml)], env=worker_env(), capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


async def test_chatshop_migrate_on_postgresql_is_idempotent(postgres_url: str, tmp_path: Path) -> None:
    toml = tmp_path / "shop.toml"
    toml.write_text(shop_toml(postgres_url, "http://127.0.0.1:9"), encoding="utf-8")
    newest = max(version for version, _ in POSTGRES_MIGRATIONS)
    assert await asyncio.to_thread(migrate, toml) == f"schema version {newest}"
    assert await asyncio.to_thread(migrate, toml) == f"schema version {newest}"
    db = await asyncpg.connect(postgres_url)
    try:
        versions = [r[0] for r in await db.fetch("SELECT version FROM schema_migrations ORDER BY version")]
        tables = {r[0] for r in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        await db.close()
    assert versions == [v for v, _ in POSTGRES_MIGRATIONS]
    assert {"inbox", "outbox", "conversations", "orders", "inventory", "leases", "kv", "events"} <= tables
