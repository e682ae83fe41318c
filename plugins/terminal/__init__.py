"""The terminal channel: shop from a terminal (``chatshop chat``), no messenger account needed."""

from __future__ import annotations

from collections.abc import Callable

from chatshop.channels import Channel
from chatshop.hookspecs import hookimpl
from chatshop.plugins.terminal.channel import TerminalChannel

__all__ = ["TerminalChannel"]


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(TerminalChannel)
