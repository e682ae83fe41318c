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

#: Hashed, not hidden, so one customer's (or one message's) lines can still be followed. A WhatsApp
#: message id carries the customer's phone number in base64 (``wamid.HBgMOTE5ODEy…``), so it is one.
_HASHED_KEYS = frozenset(
    {
        "customer",
        "customer_id",
        "customer_key",
        "wa_id",
        "openid",
        "from_user",
        "touser",
        "to_user",
        "phone",
        "to",
        "message_id",
        "wamid",
        "provider_message_id",
    }
)
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

#: Customer keys of the built-in channels inside free text (``wechat:oK7z…`` in an exception message).
_CUSTOMER_KEY = re.compile(r"\b(?:whatsapp|wechat|webchat|terminal):[\w-]+")
#: A WeChat openid: 28 characters starting with ``o``; an id, not a phone number, so _PHONE misses it.
_OPENID = re.compile(r"(?<![\w-])o[A-Za-z0-9_-]{27}(?![\w-])")
#: ``name=value`` or ``"name": "value"`` of a secret or an id, in a URL (WeChat puts the access token
#: and the openid in query strings, which an HTTP error's message repeats) or in a JSON body.
_NAMED_SECRET = re.compile(
    r"(?i)\b(access_token|refresh_token|openid|unionid|signature|msg_signature|secret|password|api_key|key_secret)"
    r"(\\?[\"']?\s*[:=]\s*\\?[\"']?)[^\"'&\s,;}\\]+"
)
#: A WhatsApp message id in free text (its base64 holds the phone number).
_WAMID = re.compile(r"\bwamid\.[A-Za-z0-9+/=_-]+")
_PHONE = re.compile(r"(?<![\w.])\+?\d[\d \-]{7,}\d(?![\w.])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_BEARER = re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_LONG_TOKEN = re.compile(r"\b(?:EAA|sk_|rk_|whsec_|rzp_)[A-Za-z0-9_]{8,}\b")


_CHANNEL_PREFIX = re.compile(r"^[a-z][a-z0-9_-]*:(?=.)")


def pseudonym(value: str) -> str:
    """A stable, non-reversible tag for a customer id (``c:1a2b3c4d``).

    ``whatsapp:9198…`` and ``9198…`` get the same tag: a channel logs the bare id, the core the key.
    """
    return "c:" + hashlib.sha256(_CHANNEL_PREFIX.sub("", value, count=1).encode()).hexdigest()[:10]


def _scrub(text: str) -> str:
    text = _NAMED_SECRET.sub(r"\1\2***", text)
    text = _CUSTOMER_KEY.sub(lambda found: pseudonym(found.group()), text)
    text = _OPENID.sub("***openid***", text)
    text = _WAMID.sub("wamid.***", text)
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


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record (see :func:`_stderr_logger`)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(level: str = "info", *, json: bool | None = None, cache: bool = False) -> None:
    """Set up structlog once for the process; JSON unless stderr is a terminal.

    ``cache`` binds each module's logger once, at its first use, instead of at every call (a
    message passes a dozen logging calls, most of them filtered out): for a server, which never
    configures logging again. Tests and embedders reconfigure, so it is off by default.

    Lines from the standard library (aiohttp's "Error handling request", asyncio's "Task exception
    was never retrieved") go through the same chain: their messages and tracebacks are masked too.
    """
    use_json = not sys.stderr.isatty() if json is None else json
    renderer: Any = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=True)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # A traceback becomes text here, before masking; it never shows locals (no rich/better_exceptions
        # renderer sees the exception object), and its text is scrubbed like any other free text.
        structlog.processors.format_exc_info,
        mask_private,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=cache,
    )
    # The standard library's loggers: warnings and worse only, so aiohttp's access log (INFO, whose
    # URLs carry WeChat's openid) stays silent, and every line masked like structlog's own.
    handler = _StderrHandler()
    handler.set_name("chatshop")
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "chatshop" or _is_bare_stderr(h)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _is_bare_stderr(handler: logging.Handler) -> bool:
    """The unmasked handler ``logging.basicConfig`` (or an earlier version of this module) installed."""
    return type(handler) is logging.StreamHandler and getattr(handler, "stream", None) in (sys.stderr, sys.__stderr__)
