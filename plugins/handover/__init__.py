"""Handing a conversation to a person: the bot stays silent while the shop's people answer.

A built-in dialog plugin, registered like any other: command words per language ("agent",
"human", "mensch", "इंसान", "人工"), a choice under Help, a hand-over after ``[support]
after_not_understood`` messages in a row the bot did not understand, and back to the bot when
staff say so, when the customer types the menu word, or after ``[support] idle_minutes`` without
a reply from staff. See docs/people.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chatshop.dialog.feature import DialogFeature
from chatshop.hookspecs import hookimpl
from chatshop.jobs import JobHandler

from . import idle
from .feature import FEATURE
from .texts import TEXTS

__all__ = ["register_dialog", "register_jobs", "register_texts"]


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    for locale, table in TEXTS.items():
        register(locale, table)


@hookimpl
def register_jobs(register: Callable[[str, JobHandler], None]) -> None:
    register(idle.KIND, idle.idle_due)
