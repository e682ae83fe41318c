"""The checkout a customer is filling in: where to deliver and how to pay.

It lives in the conversation until the customer confirms; confirming turns it, the cart and the
quote into an order. ``placement_key`` is fixed when checkout starts so that the same confirm,
delivered twice, places one order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Checkout",
    "CheckoutProblem",
    "find_postal_code",
    "has_postal_code_form",
    "normalize_postal_code",
    "typed_postal_code",
]

_UK = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
#: Postal codes by the shop's currency, which says where it delivers (``[shop]`` names no country).
#: A number in another country's form is never taken (a flat number would be): the customer is asked.
_BY_CURRENCY = {
    "INR": r"[1-9]\d{2} ?\d{3}",  # India's PIN: six digits, sometimes written "400 050"
    "CNY": r"\d{6}",
    "EUR": r"\d{5}|\d{4} ?[A-Z]{2}|\d{4}-\d{3}",  # DE/FR/IT/ES/FI; NL "1234 AB"; PT "1234-567"
    "USD": r"\d{5}",  # ZIP (of a ZIP+4, the ZIP)
    "GBP": _UK,
    "JPY": r"\d{3}-\d{4}",
    "CAD": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "BRL": r"\d{5}-?\d{3}",
    "RUB": r"\d{6}",
    "SGD": r"\d{6}",
    "KRW": r"\d{5}",
    "MXN": r"\d{5}",
    "CHF": r"\d{4}",
    "AUD": r"\d{4}",
    "NZD": r"\d{4}",
    "DKK": r"\d{4}",
    "NOK": r"\d{4}",
    "ZAR": r"\d{4}",
}
_ANY = r"\d{6}|\d{5}|\d{4}|" + _UK


def _pattern(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z\d])({form})(?![A-Za-z\d])", re.IGNORECASE)


_PATTERNS = {currency: _pattern(form) for currency, form in _BY_CURRENCY.items()}
#: A code typed on its own, asked for by name (not read out of an address, where "1040" could be a
#: house number), where one money is several countries' with other forms (the euro's Austria and
#: Belgium "1010", Greece and Slovakia "105 63", Ireland "D02 X285", Malta "VLT 1117") or a code is
#: as often typed without its hyphen (Japan).
_ANSWERS = {
    "EUR": _pattern(r"\d{4,5}|\d{3} ?\d{2}|\d{4} ?[A-Z]{2}|\d{4}-\d{3}|[A-Z]\d[\dW] ?[A-Z\d]{4}|[A-Z]{3} ?\d{4}"),
    "JPY": _pattern(r"\d{3}-?\d{4}"),  # "150-0002", as often typed "1500002"
}
_FALLBACK = _pattern(_ANY)
#: Codes with letters no house number has (UK, Canada): read in any shop when its country's form is
#: absent, so a foreign address is told "we don't deliver to NW1 6XE" rather than asked for a code.
_LETTERED = _pattern(_UK + "|" + _BY_CURRENCY["CAD"])
#: What comes right before a flat, house or room number ("Flat 1204", "B-1204", "Wohnung 12", "#5").
_HOUSE_BEFORE = re.compile(
    r"(?:\b(?:flat|apt|apartment|house|h\.?\s?no|unit|room|suite|floor|plot|door|block|bldg|building|"
    r"wohnung|whg|haus|zimmer|etage|stock)\.?|#|\b[A-Z]-|फ्लैट|मकान|कमरा|प्लॉट)\s*[:#]?\s*(?:no\.?\s*)?$",
    re.IGNORECASE,
)
#: What comes right after one in Chinese or Japanese: 88号, 1204室, 3楼, 5栋, 2单元, 12弄, 3号楼.
_HOUSE_AFTER = re.compile(r"^\s*(?:号|號|室|楼|樓|栋|棟|单元|弄|층|호|番)")


def has_postal_code_form(currency: str | None) -> bool:
    """Whether the country of a shop selling in ``currency`` has a postal code form we know."""
    return (currency or "").upper() in _PATTERNS


def normalize_postal_code(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def find_postal_code(address: str, currency: str | None = None, areas: Sequence[str] = ()) -> str | None:
    """The postal code in a free-text address, in the form of the shop's country (by ``currency``):
    one of the shop's delivery ``areas`` if the address has one, else the last. A number that is a
    flat, house or room number ("Flat 1204", "B-1204", "1204室") never is."""
    pattern = _PATTERNS.get((currency or "").upper(), _FALLBACK)
    found = _codes(pattern, address) or _codes(_LETTERED, address)
    served = [code for code in found if code in areas]
    codes = served or found
    return codes[-1] if codes else None


def typed_postal_code(text: str, currency: str | None = None, areas: Sequence[str] = ()) -> str | None:
    """The postal code in an answer to "What is the postal code?": one of the shop's delivery
    ``areas``, else one in a form of the shop's country (any code with a digit where we know none)."""
    if (typed := normalize_postal_code(text)) in areas:
        return typed
    if (code := find_postal_code(text, currency, areas)) is not None:
        return code
    answer = _ANSWERS.get((currency or "").upper())
    if answer is not None:
        found = next((normalize_postal_code(m.group(1)) for m in answer.finditer(text)), None)
        return _as_written(found, currency)
    if has_postal_code_form(currency):
        return None
    # Every country's postal codes have digits in them: a word ("ok", "no") is not one.
    return typed if typed.isalnum() and len(typed) <= 10 and any(c.isdecimal() for c in typed) else None


def _as_written(code: str | None, currency: str | None) -> str | None:
    """A code as its country writes it, the form the shop's delivery areas are in ("150-0002")."""
    if code is not None and (currency or "").upper() == "JPY" and code.isdecimal():
        return f"{code[:3]}-{code[3:]}"
    return code


def _codes(pattern: re.Pattern[str], address: str) -> list[str]:
    return [
        normalize_postal_code(m.group(1))
        for m in pattern.finditer(address)
        if not _HOUSE_BEFORE.search(address[: m.start()]) and not _HOUSE_AFTER.match(address[m.end() :])
    ]


@dataclass(frozen=True, slots=True)
class CheckoutProblem:
    """What ``validate_checkout`` found wrong, and the checkout step whose answer fixes it (a
    delivery time that closed: the delivery time), so only that step is asked again. A problem
    without a step (or a plain text) starts the checkout again from its first step."""

    text: str
    step: str | None = None


@dataclass(slots=True)
class Checkout:
    placement_key: str
    address: str | None = None
    postal_code: str | None = None
    latitude: str | None = None  # kept as text: a coordinate is shown and passed on, never summed
    longitude: str | None = None
    contact_name: str | None = None
    payment_method: str | None = None
    #: What checkout steps of dialog features asked, by the feature's name (JSON values): a gift
    #: message, a delivery slot, a coupon code. Placing the order copies it to ``Order.extras``.
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkout:
        return cls(**data)
