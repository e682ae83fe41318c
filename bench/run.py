"""The chatshop benchmark: ``python bench/run.py`` (see bench/README.md). Prints one table.

Simulated WhatsApp customers walk a shopping journey (hi, browse, a category, a product, add,
search, add, cart, checkout, address, confirm cash on delivery, orders) as signed webhooks against
real ``chatshop serve`` workers; a fake Graph API records every reply. Each customer waits for the
replies to a message before sending the next one, like a person would, so the load is closed-loop:
throughput is what the server sustains with ``--customers`` people typing at once.

Scenarios: the bare aiohttp ceiling (signature, parse, one text reply), the same with two workers
sharing nothing (``bare2``: what splitting a load costs any asyncio server), chatshop on SQLite with one
worker, and on PostgreSQL with one and with two workers (requests alternate between them, as a load
balancer would spread them), and with two workers and twice the customers (``pg2x2``: each worker
carries what one carries in ``pg1``, so what two cost beyond that is what having two costs).
``--think`` gives the customers a pause before each message, for a shop that is not flat out.
``--repeat`` runs the scenarios round after round (the host's slow spells fall on all of them) and
shows each one's median run, then what two workers cost against one, round by round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "bench"

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer

from bench.customers import Customer, Step, journey
from bench.graph_recorder import GraphRecorder
from bench.workers import Worker, shop_toml

PG_SERVER = os.environ.get("CHATSHOP_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
#: name -> (label, storage, workers, customers as a multiple of ``--customers``)
SCENARIOS = {
    "bare": ("bare aiohttp ceiling", "bare", 1, 1),
    # two workers that share nothing: the cost of splitting a load, with no cross-worker step at all
    "bare2": ("bare aiohttp, 2 workers", "bare", 2, 1),
    "sqlite": ("chatshop SQLite, 1 worker", "sqlite", 1, 1),
    "pg1": ("chatshop PostgreSQL, 1 worker", "postgres", 1, 1),
    "pg2": ("chatshop PostgreSQL, 2 workers", "postgres", 2, 1),
    # the load of pg1 on each worker: what two workers cost beyond what each one's load costs
    "pg2x2": ("PostgreSQL, 2 workers, 2x customers", "postgres", 2, 2),
}


@dataclass
class Result:
    name: str
    rate: float = 0.0
    answer: list[float] = field(default_factory=list)
    reply: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    errors: int = 0
    server_cpu: float = 0.0  # CPU seconds the workers used in the measured window
    driver_cpu: float = 0.0  # CPU seconds this process (customers and fake Graph API) used in it
    database_cpu: float | None = None  # CPU seconds PostgreSQL's backends for the workers used in it
    round_trips: float = 0.0  # calls to the store that waited for its answer, all workers, in it
    messages: int = 0
    #: Messages the shop sends a customer over the journey, which places one order (None: no shop).
    per_order: int | None = None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 1000) - 1]


async def replies_per_step(recorder: GraphRecorder, urls: list[str], http: aiohttp.ClientSession) -> list[int]:
    """How many replies each journey step produces: one careful customer, waiting for quiet."""
    customer = Customer(f"90{uuid.uuid4().int % 10**10:010d}", http)
    counts = []
    for step in journey():
        before = len(recorder.replies[customer.wa_id])
        await customer.send(step, urls)
        if not await recorder.replies_reach(customer.wa_id, before + 1, within=10):
            raise RuntimeError(f"no reply to {step} during calibration")
        while True:  # wait until no further reply comes for a moment
            have = len(recorder.replies[customer.wa_id])
            await asyncio.sleep(0.3)
            if len(recorder.replies[customer.wa_id]) == have:
                break
        counts.append(len(recorder.replies[customer.wa_id]) - before)
    return counts


async def drive(
    result: Result,
    recorder: GraphRecorder,
    urls: list[str],
    steps: list[Step],
    expected: list[int],
    workers: list[Worker],
    *,
    customers: int,
    warmup: float,
    seconds: float,
    database: Database | None = None,
    think: float = 0.0,
) -> None:
    """Run ``customers`` closed-loop shoppers; measure what starts inside the window. With ``think``,
    each reads their replies for 0.5-1.5 times that many seconds before the next message."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    turn = 0
    start = time.monotonic() + warmup
    end = start + seconds
    answered = 0

    async def shopper(slot: int, http: aiohttp.ClientSession) -> None:
        nonlocal turn, answered
        pauses = random.Random(slot)
        loop = 0
        while time.monotonic() < end:
            loop += 1
            customer = Customer(f"9{slot:04d}{loop:05d}{os.getpid() % 100:02d}", http)
            total = 0
            for step, replies in zip(steps, expected, strict=True):
                url = urls[turn % len(urls)]
                turn += 1
                sent = time.monotonic()
                errors_before = customer.errors
                try:
                    await customer.send(step, [url], patience=10)
                except TimeoutError:
                    result.errors += customer.errors - errors_before
                    break
                result.errors += customer.errors - errors_before
                first = total
                total += replies
                if not await recorder.replies_reach(customer.wa_id, total, within=15):
                    result.errors += 1  # a reply never came (or fewer than the journey makes)
                    break
                if start <= sent < end:
                    answered += 1
                    result.answer.append(customer.answer_latency[-1])
                    result.reply.append(recorder.replies[customer.wa_id][first].at - sent)
                if time.monotonic() >= end:
                    return
                if think:
                    await asyncio.sleep(think * pauses.uniform(0.5, 1.5))

    async def meter() -> None:
        """CPU used by the workers, their database and this process, and the store's round trips,
        over exactly the measured window."""
        await asyncio.sleep(start - time.monotonic())
        server, driver = sum(w.cpu_seconds() for w in workers), time.process_time()
        trips = await _round_trips(workers)
        backends = await database.cpu_by_backend() if database else {}
        await asyncio.sleep(end - time.monotonic())
        result.server_cpu = sum(w.cpu_seconds() for w in workers) - server
        result.driver_cpu = time.process_time() - driver
        result.round_trips = await _round_trips(workers) - trips
        if database:
            now = await database.cpu_by_backend()
            result.database_cpu = sum(cpu - backends.get(pid, 0.0) for pid, cpu in now.items())

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(meter(), *(shopper(i, http) for i in range(customers)))
    result.rate = answered / seconds
    result.messages = answered


async def _round_trips(workers: list[Worker]) -> float:
    if not workers or "bench.bare" in (workers[0].command or []):
        return 0.0  # the bare ceiling has no store
    return sum([await w.metric("chatshop_store_round_trips_total") for w in workers])


@dataclass
class Database:
    """The benchmark's PostgreSQL database, to read the CPU its server processes use (from /proc:
    the server runs on this machine; pg_stat_statements would need a server restart to load)."""

    name: str

    async def cpu_by_backend(self) -> dict[int, float]:
        """CPU seconds so far of each server process connected to this database."""
        db = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            pids = [r[0] for r in await db.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", self.name)]
        finally:
            await db.close()
        return _process_cpu(pids)


def _process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user and system) so far of each process still running."""
    cpu = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile, or the server is on another machine
        cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu


async def _admin(sql: str) -> None:
    db = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await db.execute(sql)
    finally:
        await db.close()


async def run_scenario(key: str, args: argparse.Namespace, workdir: Path) -> Result:
    name, storage, count, scale = SCENARIOS[key]
    result = Result(name)
    recorder = GraphRecorder()
    graph = TestServer(recorder.app(), host="127.0.0.1")
    await graph.start_server()
    graph_url = str(graph.make_url("")).rstrip("/")
    database = None
    workers: list[Worker] = []
    try:
        directory = workdir / key
        directory.mkdir(parents=True)
        if storage == "postgres":
            database = f"chatshop_bench_{uuid.uuid4().hex[:8]}"
            await _admin(f'CREATE DATABASE "{database}"')
            storage_url = f"{PG_SERVER}/{database}"
        else:
            storage_url = f"sqlite:///{directory}/shop.db"
        toml = directory / "shop.toml"
        toml.write_text(shop_toml(storage_url, graph_url, sweep_seconds=5.0, lease_seconds=30.0))
        if storage == "bare":
            command = [sys.executable, "-m", "bench.bare", "{port}", graph_url]
        else:
            command = [str(Path(sys.executable).with_name("chatshop")), "serve", str(toml), "--port", "{port}"]
            if args.profile and key == args.profile_scenario:
                command = [sys.executable, "-m", "cProfile", "-o", args.profile, *command]
        workers = [Worker(toml, command=command) for _ in range(count)]
        for worker in workers:  # one at a time: both would migrate the same fresh database
            await worker.start_ready()
        urls = [w.url for w in workers]
        async with aiohttp.ClientSession() as http:
            expected = await replies_per_step(recorder, urls, http)
        if storage != "bare":
            result.per_order = sum(expected)  # the journey ends in one cash order
        await drive(
            result,
            recorder,
            urls,
            journey(),
            expected,
            workers,
            customers=args.customers * scale,
            warmup=args.warmup,
            seconds=args.seconds,
            database=Database(database) if database else None,
            think=args.think,
        )
        result.peak_rss_mb = max(w.peak_rss_mb() for w in workers)
        for worker in workers:
            code = await asyncio.to_thread(worker.terminate)
            if code != 0:
                print(f"  {name}: worker exited with {code}\n{worker.tail()}", file=sys.stderr)
    finally:
        for worker in workers:
            worker.kill()
        await graph.close()
        if database:
            await _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return result


def per_message(cpu_seconds: float, messages: int) -> str:
    return f"{cpu_seconds / messages * 1e6:.0f}µs" if messages else "n/a"


def table(results: list[Result]) -> str:
    ceiling = next((r.rate for r in results if r.name.startswith("bare")), None)
    header = (
        f"{'scenario':<32} {'msg/s':>7} {'answer p50':>11} {'answer p99':>11} "
        f"{'reply p50':>10} {'reply p99':>10} {'peak RSS':>9} {'errors':>7} {'of bare':>8} "
        f"{'server CPU/msg':>15} {'driver CPU/msg':>15} {'DB CPU/msg':>11} {'workers+DB':>11} {'trips/msg':>10} "
        f"{'msgs/order':>11}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        ratio = f"{r.rate / ceiling:.0%}" if ceiling else "n/a"
        lines.append(
            f"{r.name:<32} {r.rate:>7.0f} {percentile(r.answer, 0.5) * 1000:>9.1f}ms "
            f"{percentile(r.answer, 0.99) * 1000:>9.1f}ms {percentile(r.reply, 0.5) * 1000:>8.1f}ms "
            f"{percentile(r.reply, 0.99) * 1000:>8.1f}ms {r.peak_rss_mb:>6.0f}MiB {r.errors:>7} {ratio:>8} "
            f"{per_message(r.server_cpu, r.messages):>15} {per_message(r.driver_cpu, r.messages):>15} "
            f"{per_message(r.database_cpu, r.messages) if r.database_cpu is not None else '':>11} "
            f"{per_message(r.server_cpu + r.database_cpu, r.messages) if r.database_cpu is not None else '':>11} "
            f"{r.round_trips / r.messages if r.messages and r.round_trips else 0:>10.2f} "
            f"{r.per_order if r.per_order is not None else 'n/a':>11}"
        )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    rounds: list[dict[str, Result]] = []
    with tempfile.TemporaryDirectory(prefix="chatshop-bench-") as tmp:
        for attempt in range(args.repeat):
            runs = {}
            for key in args.scenarios:
                print(f"running {SCENARIOS[key][0]} ({attempt + 1}/{args.repeat}) ...", file=sys.stderr, flush=True)
                runs[key] = await run_scenario(key, args, Path(tmp) / str(attempt))
            rounds.append(runs)
    results = []
    for key in args.scenarios:
        runs = sorted((r[key] for r in rounds), key=lambda r: r.rate)
        results.append(runs[len(runs) // 2])  # the median run, whole (not a mix of runs)
    print(
        f"\n{args.customers} customers{f' thinking {args.think:g}s' if args.think else ''}, "
        f"{args.warmup:.0f}s warm-up, {args.seconds:.0f}s measured per scenario "
        f"(median of {args.repeat}), "
        f"{os.cpu_count()} CPUs; latencies in ms; peak RSS is the largest worker's\n"
    )
    print(table(results))
    scaling = scaling_table(rounds)
    if scaling:
        print(f"\n{scaling}")


#: (two-worker scenario, its one-worker baseline): CPU a message of the first against the second
PAIRS = (("bare2", "bare"), ("pg2", "pg1"), ("pg2x2", "pg1"))


def total_cpu(result: Result) -> float:
    """CPU seconds a message: the workers and, where there is one, their database."""
    return (result.server_cpu + (result.database_cpu or 0.0)) / result.messages if result.messages else float("nan")


def scaling_table(rounds: list[dict[str, Result]]) -> str:
    """Two workers' CPU a message against one's, round by round (runs of one round are neighbours
    in time, so the host's slow spells fall on both). ``pg2`` beyond ``bare2`` is what chatshop's
    workers cost each other beyond what splitting the same load costs servers that share nothing."""
    pairs = [(two, one) for two, one in PAIRS if two in rounds[0] and one in rounds[0]]
    if not pairs:
        return ""
    by_round = []
    for runs in rounds:
        ratios = {f"{two}/{one}": total_cpu(runs[two]) / total_cpu(runs[one]) for two, one in pairs}
        if "pg2/pg1" in ratios and "bare2/bare" in ratios:
            ratios["pg2 beyond bare2"] = ratios["pg2/pg1"] / ratios["bare2/bare"]
        by_round.append(ratios)
    lines = ["two workers' CPU a message (workers + database) against one's, by round:"]
    for number, ratios in enumerate(by_round, 1):
        lines.append(f"  round {number}: " + ", ".join(f"{name} {ratio - 1:+.0%}" for name, ratio in ratios.items()))
    if len(by_round) > 1:
        medians = {name: statistics.median(r[name] for r in by_round) for name in by_round[0]}
        lines.append("  median:  " + ", ".join(f"{name} {ratio - 1:+.0%}" for name, ratio in medians.items()))
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=100, help="shoppers typing at once (default 100)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per scenario")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds a customer reads the replies before writing again (default 0)"
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured time before it")
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario; the median run is shown")
    parser.add_argument(
        "--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS), help="which to run, in order"
    )
    parser.add_argument("--profile", metavar="FILE", help="run one scenario's worker under cProfile, into FILE")
    parser.add_argument("--profile-scenario", default="sqlite", choices=[k for k in SCENARIOS if k != "bare"])
    args = parser.parse_args(argv)
    if args.profile:
        args.profile = str(Path(args.profile).resolve())
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
