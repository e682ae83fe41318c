"""Logging: pretty in a terminal, JSON lines otherwise, and never a shopper's data in clear.

:func:`mask_private` runs on every log line. Customer identifiers (a WhatsApp id is a phone number)
become a stable short hash, so one customer's lines can still be followed; addresses, names and
secrets are replaced; phone numbers, e-mail addresses and bearer tokens inside free text are
scrubbed as a last line of defence.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

__all__ = ["configure_logging", "mask_private", "pseudonym"]

_HASHED_KEYS = frozenset({"customer", "customer_id", "customer_key", "wa_id", "openid", "from_user", "phone", "to"})
_REDACTED_KEYS = frozenset(
    {
        "address",
        "name",
        "contact_name",
        "profile_name",
        "text",
        "body",
        "latitude",
        "longitude",
        "email",
        "token",
        "access_token",
        "secret",
        "password",
        "authorization",
        "signature",
        "api_key",
        "key_secret",
    }
)
_SECRET_HINTS = ("token", "secret", "password", "authorization", "signature", "apikey", "api_key")

_PHONE = re.compile(r"(?<![\w.])\+?\d[\d \-]{7,}\d(?![\w.])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_BEARER = re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_LONG_TOKEN = re.compile(r"\b(?:EAA|sk_|rk_|whsec_|rzp_)[A-Za-z0-9_]{8,}\b")


def pseudonym(value: str) -> str:
    """A stable, non-reversible tag for a customer id (``c:1a2b3c4d``)."""
    return "c:" + hashlib.sha256(value.encode()).hexdigest()[:10]


def _scrub(text: str) -> str:
    text = _BEARER.sub(r"\1 ***", text)
    text = _LONG_TOKEN.sub("***", text)
    text = _EMAIL.sub("***@***", text)
    return _PHONE.sub("***phone***", text)


def _mask_value(key: str, value: Any) -> Any:
    lowered = key.lower()
    if lowered in _HASHED_KEYS and value is not None:
        return pseudonym(str(value))
    if lowered in _REDACTED_KEYS or any(hint in lowered for hint in _SECRET_HINTS):
        return "***" if value is not None else None
    if isinstance(value, str):
        return _scrub(value)
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(key, v) for v in value]
    return value


def mask_private(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask personal data and secrets in every key and in free text."""
    for key in list(event):
        if key in ("level", "timestamp", "logger"):
            continue
        event[key] = _mask_value(key, event[key])
    return event


def _stderr_logger(*_: Any) -> structlog.PrintLogger:
    """Whatever ``sys.stderr`` is now: a redirected or captured stream gets the lines."""
    return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str = "info", *, json: bool | None = None) -> None:
    """Set up structlog once for the process; JSON unless stderr is a terminal."""
    use_json = not sys.stderr.isatty() if json is None else json
    renderer: Any = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=True)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        mask_private,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    # aiohttp's access log goes through the standard library; keep it quiet and free of query strings.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
