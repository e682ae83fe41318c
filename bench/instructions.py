"""Instructions per message of the worker, counted by callgrind: ``python bench/instructions.py [--store postgres]``.

Throughput and CPU time move with whatever else a shared host runs; the number of instructions the
worker executes per message hardly does, so two versions of the code can be compared on a busy
machine. The worker runs under ``valgrind --tool=callgrind`` with counting off during start-up and
warm-up; counting covers only the measured window, in which 20 customers walk the benchmark's
journey. It is a partial figure, to compare changes with: callgrind counts the process's own
instructions (both threads), not the kernel's work in its system calls, and the slow worker makes
bigger batches than a real one does.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "bench"

import aiohttp
from aiohttp.test_utils import TestServer

from bench.customers import journey
from bench.graph_recorder import GraphRecorder
from bench.run import PG_SERVER, Result, _admin, drive, replies_per_step
from bench.workers import CHATSHOP, Worker, shop_toml

WARMUP_SECONDS = 3.0
#: How long the worker may take to start under callgrind, which runs it some fifty times slower.
STARTUP_SECONDS = 180.0


def _callgrind(pid: int, instrumentation: str) -> None:
    subprocess.run(["callgrind_control", "--instr=" + instrumentation, str(pid)], check=True, capture_output=True)


def _total(out: Path) -> int:
    """The instruction count of the worker's dump(s)."""
    total = 0
    for dump in out.parent.glob(out.name + "*"):
        for line in dump.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    return total


async def measure(
    seconds: float, customers: int, store: str = "sqlite", keep: Path | None = None
) -> tuple[int, int, int, int]:
    """(messages, instructions, errors, messages the shop sends per placed order) of one measured window."""
    recorder = GraphRecorder()
    graph = TestServer(recorder.app(), host="127.0.0.1")
    await graph.start_server()
    folder = Path(tempfile.mkdtemp(prefix="chatshop-instructions-"))
    database = None
    try:
        toml = folder / "shop.toml"
        graph_url = str(graph.make_url("")).rstrip("/")
        storage_url = f"sqlite:///{folder}/shop.db"
        if store == "postgres":
            database = f"chatshop_bench_{uuid.uuid4().hex[:8]}"
            await _admin(f'CREATE DATABASE "{database}"')
            storage_url = f"{PG_SERVER}/{database}"
        toml.write_text(shop_toml(storage_url, graph_url, sweep_seconds=5.0, lease_seconds=30.0))
        out = folder / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        command += [sys.executable, str(CHATSHOP), "serve", str(toml), "--port", "{port}"]
        worker = Worker(toml, command=command)
        worker.start()
        await worker.ready(within=STARTUP_SECONDS)  # under callgrind, start-up alone takes ~20 s on a busy host
        assert worker.process is not None
        pid = worker.process.pid
        async with aiohttp.ClientSession() as http:
            expected = await replies_per_step(recorder, [worker.url], http)

        async def count() -> None:
            await asyncio.sleep(WARMUP_SECONDS)
            _callgrind(pid, "on")
            await asyncio.sleep(seconds)
            _callgrind(pid, "off")

        result = Result("instructions")
        await asyncio.gather(
            count(),
            drive(
                result, recorder, [worker.url], journey(), expected, [worker],
                customers=customers, warmup=WARMUP_SECONDS, seconds=seconds,
            ),
        )  # fmt: skip
        await asyncio.to_thread(worker.terminate, 120.0)
        if keep is not None:  # for callgrind_annotate: where the instructions went, by function
            for dump in out.parent.glob(out.name + "*"):
                shutil.copy(dump, keep.with_name(keep.name + dump.name.removeprefix(out.name)))
        return result.messages, _total(out), result.errors, sum(expected)
    finally:
        await graph.close()
        shutil.rmtree(folder, ignore_errors=True)
        if database:
            await _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="counted time (default 30)")
    parser.add_argument("--customers", type=int, default=20, help="shoppers typing at once (default 20)")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite", help="the worker's store")
    parser.add_argument("--keep", type=Path, help="keep callgrind's output in this file (for callgrind_annotate)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("needs valgrind (apt-get install valgrind)")
    run = measure(args.seconds, args.customers, args.store, args.keep)
    messages, instructions, errors, per_order = asyncio.run(run)
    per_message = instructions / messages / 1000 if messages else 0.0
    print(f"messages {messages}  instructions {instructions / 1e9:.2f} G  per message {per_message:,.0f} k", end="")
    print(f"  errors {errors}  messages sent per placed order {per_order}")


if __name__ == "__main__":
    main()
