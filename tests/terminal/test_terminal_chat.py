"""The terminal chat reads whatever a script pipes in: bytes in another encoding, escapes, huge lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "examples" / "kirana"


def test_bad_bytes_escapes_and_a_huge_line_are_read_not_crashed_on(tmp_path: Path) -> None:
    for name in ("shop.toml", "catalog.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    script = b"hi\n\xff\xfe latin-1 \xe9\n" + b"x" * 100_000 + b"\n\x1b[2J\n\x00atta\n"
    result = subprocess.run(
        [sys.executable, "-m", "chatshop", "chat", str(tmp_path / "shop.toml"), "--customer", "qa"],
        input=script,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    assert "Traceback" not in result.stderr.decode("utf-8", "replace")
    assert "Aashirvaad Shudh Chakki Atta" in out  # the NUL was dropped and "atta" searched
    assert "\x1b" not in out
