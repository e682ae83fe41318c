"""The database goes away for 30 seconds under load: webhooks are refused with 503 meanwhile (so
Meta delivers them again), never answered 200 without a commit; turns resume afterwards and nothing
acknowledged is lost.

The outage is a TCP proxy in front of PostgreSQL that the test cuts (every connection dropped, new
ones refused) and restores: the shared server itself is never stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter
from pathlib import Path

import aiohttp

from bench import webhooks
from bench.customers import journey
from bench.graph_recorder import GraphRecorder
from bench.workers import APP_SECRET, Worker, shop_toml

from .ledger import read_ledger
from .waiting import settled

CUSTOMERS = 12
OUTAGE_SECONDS = 30.0
#: How often a refused webhook is delivered again (Meta retries with backoff; faster here).
REDELIVERY_SECONDS = 0.2


class Proxy:
    """A TCP proxy to PostgreSQL that can be cut (the database "goes away") and restored."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5432) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._open |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._open -= {writer, up_writer}

    async def cut(self) -> None:
        """Refuse new connections and drop every open one, as a database that went away."""
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def restore(self) -> None:
        await self.start()  # on the same port


async def test_a_database_outage_under_load_refuses_webhooks_with_503_and_loses_nothing(
    postgres_url: str, graph: tuple[GraphRecorder, str], tmp_path: Path
) -> None:
    recorder, graph_url = graph
    proxy = Proxy()
    await proxy.start()
    database = postgres_url.rsplit("/", 1)[1]
    through_proxy = f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}"
    toml = tmp_path / "shop.toml"
    toml.write_text(shop_toml(through_proxy, graph_url, sweep_seconds=0.5, lease_seconds=2.0), encoding="utf-8")
    worker = Worker(toml)
    statuses: Counter[int] = Counter()
    during_outage: Counter[int] = Counter()
    acknowledged: list[str] = []
    down = asyncio.Event()
    under_way = asyncio.Event()  # some messages are in and turns are running: time to cut
    ids = itertools.count()
    try:
        await worker.start_ready()

        async def deliver(http: aiohttp.ClientSession, wa_id: str, step: tuple[str, str]) -> None:
            """One message, delivered again until it is answered 200, as Meta does."""
            message_id = f"wamid.outage{next(ids)}.{wa_id}"
            kind, value = step
            payload = (webhooks.text if kind == "text" else webhooks.choice)(wa_id, message_id, value)
            body, headers = webhooks.signed(payload, APP_SECRET)
            deadline = time.monotonic() + OUTAGE_SECONDS + 60
            while time.monotonic() < deadline:
                outage = down.is_set()
                try:
                    async with http.post(f"{worker.url}/webhooks/whatsapp", data=body, headers=headers) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0  # no answer at all
                statuses[status] += 1
                if outage and down.is_set():
                    during_outage[status] += 1
                if status == 200:
                    acknowledged.append(message_id)
                    if len(acknowledged) >= CUSTOMERS * 2:
                        under_way.set()
                    return
                await asyncio.sleep(REDELIVERY_SECONDS)
            raise AssertionError(f"{message_id} was never accepted")

        async def customer(http: aiohttp.ClientSession, n: int) -> None:
            wa_id = f"9193000{n:05d}"
            for step in journey():  # without waiting for replies: the messages keep coming meanwhile
                await deliver(http, wa_id, step)

        timeout = aiohttp.ClientTimeout(total=20)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            load = asyncio.gather(*(customer(http, n) for n in range(CUSTOMERS)))
            await under_way.wait()
            await proxy.cut()
            down.set()
            await asyncio.sleep(OUTAGE_SECONDS)  # the scenario: the database is away this long
            down.clear()
            await proxy.restore()
            await load
        ledger = await settled(through_proxy, expected_messages=CUSTOMERS * len(journey()), within=90.0)
    finally:
        worker.kill()
        await proxy.cut()
    assert during_outage[503] > 0, f"no webhook was refused during the outage: {dict(during_outage)}"
    assert set(statuses) <= {200, 503}, f"answers other than 200 and 503: {dict(statuses)}"
    assert len(acknowledged) == len(set(acknowledged)) == CUSTOMERS * len(journey())
    assert [m for m in acknowledged if m not in ledger.inbox] == [], "acknowledged but not in the inbox"
    assert ledger.pending_inbox == 0, "acknowledged but never handled"
    assert set(acknowledged) <= ledger.answered, "handled without a reply"
    assert ledger.pending_outbox == 0, "replies never sent"
    for n in range(CUSTOMERS):
        key = f"whatsapp:9193000{n:05d}"
        assert ledger.orders[key] == 1, f"{key} has {ledger.orders[key]} orders"
        assert len(recorder.replies[key.split(":")[1]]) >= ledger.replies_sent_to(key)
    # the turns that failed while the database was away were run again, not answered with an apology
    final = await read_ledger(postgres_url)
    assert final.pending_inbox == 0
