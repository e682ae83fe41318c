"""``chatshop plugin new``: the package it writes installs nothing yet and already passes its own
tests, which run chatshop's conformance kit against the fake it ships."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.scaffold import write_plugin
from chatshop.testing.kits.channel import ChannelKit, outbound_of_every_kind
from chatshop.testing.kits.payment import PaymentKit


def _pytest(package: Path) -> subprocess.CompletedProcess[str]:
    """The package's own test run, as its author types ``pytest`` in it (no pip install)."""
    env = {**os.environ, "PYTHONPATH": str(package)}
    env.pop("CI", None)  # the package's run, not ours
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def _checks(kit: type) -> int:
    """How many tests the kit runs for a driver that has every feature."""
    tests = [name for name in dir(kit) if name.startswith("test_")]
    kinds = len(outbound_of_every_kind())
    return len(tests) - 1 + kinds if kit is ChannelKit else len(tests)


@pytest.mark.parametrize(("kind", "kit"), [("channel", ChannelKit), ("payment", PaymentKit)])
def test_the_written_package_passes_its_own_kit(tmp_path: Path, kind: str, kit: type) -> None:
    checks = _checks(kit)
    package = tmp_path / "chatshop-smoke"
    result = CliRunner().invoke(cli, ["plugin", "new", "smoke", "--kind", kind, "--directory", str(package)])
    assert result.exit_code == 0, result.output
    assert (package / "pyproject.toml").read_text().count('smoke = "chatshop_smoke.plugin"') == 1
    assert (package / "chatshop_smoke" / "py.typed").exists()
    run = _pytest(package)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{checks} passed" in run.stdout


def test_a_broken_skeleton_fails_its_kit(tmp_path: Path) -> None:
    """The kit is no rubber stamp: a channel that answers its webhook without verifying it fails."""
    package = write_plugin("smoke", "channel", tmp_path / "chatshop-smoke")
    channel = package / "chatshop_smoke" / "channel.py"
    source = channel.read_text()
    channel.write_text(source.replace("if not hmac.compare_digest(", "if False and not hmac.compare_digest("))
    run = _pytest(package)
    assert run.returncode != 0 and "test_a_forged_webhook_is_refused_and_nothing_is_stored" in run.stdout


def test_a_payment_method_that_trusts_the_order_over_the_provider_fails_its_kit(tmp_path: Path) -> None:
    """The payment kit catches a method that reports the amount asked instead of the amount paid."""
    package = write_plugin("smoke", "payment", tmp_path / "chatshop-smoke")
    method = package / "chatshop_smoke" / "method.py"
    source = method.read_text()
    assert 'Money(int(link["amount_paid"])' in source
    method.write_text(source.replace('Money(int(link["amount_paid"])', 'Money(int(link["amount"])'))
    run = _pytest(package)
    assert run.returncode != 0 and "test_a_payment_of_the_wrong_amount_never_pays_the_order" in run.stdout


@pytest.mark.parametrize(
    ("name", "message"),
    [("Smoke", "lower-case"), ("9lives", "lower-case"), ("telegram", "built-in"), ("x", "lower-case")],
)
def test_a_name_that_cannot_be_a_plugin_is_refused(tmp_path: Path, name: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["plugin", "new", name, "--kind", "channel", "--directory", str(tmp_path / "p")])
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "p").exists()


def test_a_folder_with_files_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    result = CliRunner().invoke(cli, ["plugin", "new", "smoke", "--kind", "payment", "--directory", str(tmp_path)])
    assert result.exit_code != 0 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
