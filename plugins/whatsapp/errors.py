"""Graph API errors by ``code``, the way Meta says to handle them (research §2.8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "AUTH_CODES",
    "BAD_PARAMETER_CODES",
    "MARKETING_OPTED_OUT",
    "PAIR_RATE_LIMIT",
    "REENGAGEMENT",
    "THROUGHPUT",
    "GraphError",
]

THROUGHPUT = 130429
PAIR_RATE_LIMIT = 131056
REENGAGEMENT = 131047
#: "User opted out of marketing" (a failed status): the customer stopped marketing in WhatsApp.
MARKETING_OPTED_OUT = 131050
AUTH_CODES = frozenset({0, 190})
BAD_PARAMETER_CODES = frozenset({100, 131008, 131009})
#: Throttles, overload and maintenance: the same request may simply be tried again later.
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 80014, THROUGHPUT, PAIR_RATE_LIMIT, 131000, 131016, 131057})


class GraphError(Exception):
    """A Graph API call failed. ``code`` is Meta's error code (0 when the answer had none)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int = 0,
        details: str | None = None,
        fbtrace_id: str | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.transient = transient

    @classmethod
    def from_response(cls, status: int, body: Any) -> GraphError:
        error = body.get("error") if isinstance(body, Mapping) else None
        if not isinstance(error, Mapping):
            return cls(f"HTTP {status} without a Graph error body", status=status)
        data = error.get("error_data")
        details = data.get("details") if isinstance(data, Mapping) else None
        code = error.get("code")
        return cls(
            str(error.get("message") or f"HTTP {status}"),
            status=status,
            code=code if isinstance(code, int) else 0,
            details=details if isinstance(details, str) else None,
            fbtrace_id=str(error.get("fbtrace_id")) if error.get("fbtrace_id") else None,
            transient=error.get("is_transient") is True,
        )

    @property
    def retryable(self) -> bool:
        return self.status >= 500 or self.code in RETRYABLE_CODES or self.transient

    @property
    def auth(self) -> bool:
        return self.code in AUTH_CODES and (self.code == 190 or self.status == 401)

    @property
    def bad_parameter(self) -> bool:
        return self.code in BAD_PARAMETER_CODES
