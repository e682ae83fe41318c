"""Fixtures for the privacy tests: the shop's log lines, captured as the operator would see them."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator

import pytest
import structlog

from chatshop.logs import configure_logging


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], io.StringIO]]:
    """``buffer = logs()`` in the test body: from then on, every line logged to stderr (structlog's and
    the standard library's), as JSON. Called in the body because pytest swaps ``sys.stderr`` between
    a test's setup and its call."""

    def start() -> io.StringIO:
        buffer = io.StringIO()
        monkeypatch.setattr(sys, "stderr", buffer)
        configure_logging("debug", json=True)
        return buffer

    try:
        yield start
    finally:
        structlog.reset_defaults()
