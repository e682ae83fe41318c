"""``chatshop chat`` in a pseudo-terminal, as a person at a keyboard runs it (line editing, Ctrl-C)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "examples" / "kirana"
#: Long enough for a slow machine to start the shop; a deadline, never a measurement.
DEADLINE = 30.0


def demo_copy(folder: Path) -> Path:
    for name in ("shop.toml", "catalog.csv"):
        shutil.copy(DEMO / name, folder / name)
    return folder / "shop.toml"


class Terminal:
    """A child process on a pty of ``columns`` columns; what it printed so far in ``screen``."""

    def __init__(self, shop_toml: Path, columns: int = 80, env: dict[str, str] | None = None) -> None:
        # A usual UTF-8 terminal (en_US.UTF-8: Python reads it strictly, unlike the C locales of a
        # container, where it would use surrogateescape).
        env = {**os.environ, "TERM": "xterm", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict", **(env or {})}
        for name in ("COLUMNS", "LC_ALL", "LC_CTYPE", "PYTHONUTF8"):
            env.pop(name, None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.chdir(shop_toml.parent)
            os.execve(sys.executable, [sys.executable, "-m", "chatshop", "chat", shop_toml.name, "--port", "0"], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        self.output = b""
        self.status: int | None = None

    @property
    def screen(self) -> str:
        return self.output.decode("utf-8", "replace")

    def _pump(self, wait: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            self.output += data

    def expect(self, text: str, count: int = 1) -> None:
        """Read until ``text`` has appeared ``count`` times (or fail at the deadline)."""
        end = time.monotonic() + DEADLINE
        while self.screen.count(text) < count:
            assert time.monotonic() < end, f"never saw {text!r}:\n{self.screen[-1500:]}"
            self._pump(0.1)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def attributes(self) -> list[object]:
        return termios.tcgetattr(self.fd)

    def wait_exit(self) -> int:
        """The exit status once the child ended (or fail at the deadline, killing it)."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._pump(0.1)
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            self._pump(0.1)
        self.kill()
        raise AssertionError(f"still running after {DEADLINE}s:\n{self.screen[-1500:]}")

    def kill(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -9
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
