"""The checkout a customer is filling in: where to deliver and how to pay.

It lives in the conversation until the customer confirms; confirming turns it, the cart and the
quote into an order. ``placement_key`` is fixed when checkout starts so that the same confirm,
delivered twice, places one order.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Checkout", "find_postal_code", "normalize_postal_code"]

_POSTAL = re.compile(r"\b(\d{6}|\d{5}|\d{4}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b", re.IGNORECASE)


def normalize_postal_code(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def find_postal_code(address: str) -> str | None:
    """The last postal code in a free-text address (Indian PIN, German PLZ, UK, US ZIP)."""
    found = _POSTAL.findall(address)
    return normalize_postal_code(found[-1]) if found else None


@dataclass(slots=True)
class Checkout:
    placement_key: str
    address: str | None = None
    postal_code: str | None = None
    latitude: str | None = None  # kept as text: a coordinate is shown and passed on, never summed
    longitude: str | None = None
    contact_name: str | None = None
    payment_method: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkout:
        return cls(**data)
