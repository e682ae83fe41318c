"""WeChat's ``errcode`` values, sorted into what the outbox should do with the message.

Every cgi-bin API answers HTTP 200 with ``{"errcode": N, "errmsg": "..."}``; 0 or no errcode is
success. Nothing here drops a message: a closed 48-hour window or a spent quota keeps the message
queued (and may be bridged by a template message, see :mod:`.client`).
"""

from __future__ import annotations

from typing import Any

from chatshop.channels import PermanentSendError, RetryableSendError, SendError, SendingHalted

__all__ = [
    "QUOTA_SPENT",
    "TOKEN_ERRORS",
    "WINDOW_CLOSED",
    "ReplyWindowClosed",
    "error_code",
    "send_error",
]

#: The access token is stale or invalid: refresh once and retry the call.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
WINDOW_CLOSED = 45015  # outside the 48-hour customer-service window
QUOTA_SPENT = 45047  # more customer-service messages than the customer's last action allows
#: Credentials or account setup are wrong: nothing can be sent until an operator acts.
HALTING = frozenset({40013, 40125, 40164, 41002, 41004, 48001, 50001, 50002, 61024})
#: Throttled or busy: try again later.
THROTTLED = {-1: 5.0, 45009: 3600.0, 45011: 60.0, 45033: 60.0}
#: The least a message waits before the next try when the customer's window is closed. Short,
#: because a reply waiting here holds back the customer's newer replies until it goes out.
WINDOW_RETRY_SECONDS = 60.0


class ReplyWindowClosed(RetryableSendError):
    """The customer must write again before we may (45015), or we spent their quota (45047).

    Kept in the outbox: it goes out once the customer writes again and a retry comes round.
    """


def error_code(body: dict[str, Any]) -> int:
    code = body.get("errcode", 0)
    return code if isinstance(code, int) else -1


def send_error(code: int, message: str) -> SendError:
    """The :class:`SendError` for a non-zero ``errcode``."""
    text = f"WeChat errcode {code}: {message[:200]}"
    if code in (WINDOW_CLOSED, QUOTA_SPENT):
        return ReplyWindowClosed(text, code=str(code), retry_after=WINDOW_RETRY_SECONDS)
    if code in HALTING:
        return SendingHalted(text, code=str(code), retry_after=300.0)
    if code in THROTTLED:
        return RetryableSendError(text, code=str(code), retry_after=THROTTLED[code])
    if code in TOKEN_ERRORS:
        return RetryableSendError(text, code=str(code), retry_after=30.0)
    return PermanentSendError(text, code=str(code))
