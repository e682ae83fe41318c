"""Fault tests against real ``chatshop serve`` workers: a fake Graph API in the test, workers as
subprocesses, PostgreSQL databases created and dropped per test (127.0.0.1:5432, user postgres)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the harness lives in bench/ and is shared with the benchmark

from bench.graph_recorder import GraphRecorder  # noqa: E402
from bench.workers import Worker, shop_toml  # noqa: E402

SERVER = os.environ.get("CHATSHOP_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


async def _admin(sql: str) -> None:
    db = await asyncpg.connect(f"{SERVER}/postgres")
    try:
        await db.execute(sql)
    finally:
        await db.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    name = f"chatshop_scale_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except OSError as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {SERVER}: {e} (with CI set, this fails instead)")
    try:
        yield f"{SERVER}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def graph() -> AsyncIterator[tuple[GraphRecorder, str]]:
    recorder = GraphRecorder()
    server = TestServer(recorder.app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield recorder, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


WorkerFactory = Callable[..., Awaitable[Worker]]


@pytest.fixture
def workers(tmp_path: Path, graph: tuple[GraphRecorder, str]) -> Iterator[Callable[[str], Callable[..., Worker]]]:
    """``workers(storage_url, **shop)`` writes the shop and returns a maker of workers for it."""
    started: list[Worker] = []

    def for_storage(storage_url: str, **shop: object) -> Callable[..., Worker]:
        path = tmp_path / f"shop-{uuid.uuid4().hex[:6]}.toml"
        path.write_text(shop_toml(storage_url, graph[1], **shop), encoding="utf-8")  # type: ignore[arg-type]

        def make() -> Worker:
            worker = Worker(path)
            started.append(worker)
            return worker

        return make

    yield for_storage
    for worker in started:
        worker.kill()
