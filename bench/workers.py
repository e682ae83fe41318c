"""Real ``chatshop serve`` workers as subprocesses, and the shop they serve.

A worker is started exactly as an operator would start one (the console script, a shop.toml, a
port) so that SIGKILL, SIGTERM and restarts are the real thing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from .webhooks import PHONE_NUMBER_ID

__all__ = ["ACCESS_TOKEN", "APP_SECRET", "METRICS_TOKEN", "Worker", "free_port", "shop_toml", "worker_env"]

APP_SECRET = "bench-app-secret"
ACCESS_TOKEN = "bench-access-token"
METRICS_TOKEN = "bench-metrics-token"
CHATSHOP = Path(sys.executable).with_name("chatshop")
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WHATSAPP_ACCESS_TOKEN=ACCESS_TOKEN,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN="bench-verify-token",
        CHATSHOP_METRICS_TOKEN=METRICS_TOKEN,
        PYTHONUNBUFFERED="1",
    )
    return env


def shop_toml(
    storage_url: str,
    graph_url: str,
    *,
    sweep_seconds: float = 0.5,
    lease_seconds: float = 2.0,
    retry_base_seconds: float = 0.05,
    ghee_stock: int | None = None,
    extra: str = "",
    shop_extra: str = "",
    messages_per_second: int = 10000,
    pair_seconds: float = 0,
    pair_burst: int = 45,
) -> str:
    """The bench shop; ``extra`` adds sections of its own (discounts, delivery slots), ``shop_extra``
    keys of ``[shop]`` (a time zone). The pair rate is not paced unless ``pair_seconds`` is given:
    the bench's customers write faster than Meta lets a number answer one customer."""
    ghee = f"stock = {ghee_stock}" if ghee_stock is not None else ""
    return f"""
[shop]
name = "Bench Kirana"
{shop_extra}currency = "INR"
locale = "en"

[storage]
url = "{storage_url}"

[server]
host = "127.0.0.1"
retry_base_seconds = {retry_base_seconds}
sweep_seconds = {sweep_seconds}
lease_seconds = {lease_seconds}

[metrics]
enabled = true
token_env = "CHATSHOP_METRICS_TOKEN"

[channels.whatsapp]
phone_number_id = "{PHONE_NUMBER_ID}"
access_token_env = "WHATSAPP_ACCESS_TOKEN"
app_secret_env = "WHATSAPP_APP_SECRET"
verify_token_env = "WHATSAPP_VERIFY_TOKEN"
api_base_url = "{graph_url}"
messages_per_second = {messages_per_second}
pair_seconds = {pair_seconds}
pair_burst = {pair_burst}

[payments.cod]
max_order_total = "100000.00"

[[catalog.products]]
id = "atta-5kg"
title = "Aashirvaad Atta 5 kg"
price = "245.00"
category = "Staples"

[[catalog.products]]
id = "ghee-1l"
title = "Amul Pure Ghee 1 l"
price = "612.50"
category = "Dairy"
{ghee}

[[catalog.products]]
id = "rice-5kg"
title = "India Gate Basmati Rice 5 kg"
price = "699.00"
category = "Staples"

[[catalog.products]]
id = "tea-500g"
title = "Tata Tea Gold 500 g"
price = "285.00"
category = "Beverages"

[[catalog.products]]
id = "dal-1kg"
title = "Toor Dal 1 kg"
price = "180.00"
category = "Staples"

[[catalog.products]]
id = "salt-1kg"
title = "Tata Salt 1 kg"
price = "28.00"
category = "Staples"
{extra}
"""


@dataclass
class Worker:
    """One ``chatshop serve`` process on its own port."""

    shop_toml: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    #: Run this instead of ``chatshop serve`` (``{port}`` is filled in): the bare ceiling app.
    command: list[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path = self.shop_toml.with_name(f"worker-{self.port}.log")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [part.format(port=self.port) for part in self.command]
            if self.command
            else [str(CHATSHOP), "serve", str(self.shop_toml), "--port", str(self.port)],
            env=worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
        log.close()

    async def ready(self, within: float = 20.0) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"worker exited with {self.process.returncode}: {self.tail()}")
                try:
                    async with http.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise TimeoutError(f"worker on port {self.port} not ready: {self.tail()}")

    async def start_ready(self) -> Worker:
        self.start()
        await self.ready()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: the exit code of a graceful shutdown."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the process has used so far."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def metric(self, name: str) -> float:
        """One sample of the worker's ``/metrics`` (0 when it has none by that name)."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{self.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as response,
        ):
            text = await response.text()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0

    def tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
