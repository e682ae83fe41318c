"""Exact money: integer minor units and an ISO 4217 currency, never a float.

Payment APIs (Stripe ``unit_amount``, Razorpay ``amount``, WhatsApp ``{value, offset}``, WeChat Pay
``total``) all take integer minor units, so that is what we store and add. ``Decimal`` appears only at
the edges: parsing what a shop typed and formatting what a customer reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

__all__ = ["MAX_MINOR", "CurrencyMismatch", "Money", "MoneyError", "currency_exponent", "validate_currency"]


#: Commas that group thousands: 1,234,567.50 or the Indian 12,34,567.50; anything else is refused.
_GROUPED = re.compile(r"^(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d+)?$")
#: Amounts with this many digits before the point or more (10^15 major units) are refused.
MAX_DIGITS = 15
#: No amount is this large in minor units or larger (10^15 major units of a three-decimal currency):
#: it fits every store's 64-bit integers, and ``Decimal`` formats it exactly.
MAX_MINOR = 10**18


class MoneyError(ValueError):
    """A value that cannot be an exact amount of money."""


class CurrencyMismatch(MoneyError):
    """Two amounts in different currencies met in one sum or comparison."""


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def validate_currency(code: str) -> str:
    """Return ``code`` upper-cased if it is an ISO 4217 currency, else raise :class:`MoneyError`."""
    upper = code.strip().upper()
    if upper not in _known_currencies():
        raise MoneyError(f"unknown currency {code!r}: expected an ISO 4217 code such as 'INR'")
    return upper


@cache
def currency_exponent(currency: str) -> int:
    """How many decimal places the currency has (INR 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(currency))


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in minor units (paise, cents, fen) of one currency."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(f"minor units must be an int, got {type(self.minor).__name__}")
        if not -MAX_MINOR < self.minor < MAX_MINOR:
            raise MoneyError(f"{self.minor.bit_length()}-bit amount is larger than any price or order total can be")

    @classmethod
    def reported(cls, minor: Any, currency: Any) -> Money | None:
        """An amount a payment provider reported in minor units (Razorpay ``amount_paid``, WeChat Pay
        ``total``), or None when it is no amount: not a whole number, no known currency, or larger
        than any order. The core treats None as a payment that does not match its order (an alert,
        no change), so a signed but absurd event is answered and never retried for days."""
        if isinstance(minor, bool) or not isinstance(minor, int) or not isinstance(currency, str):
            return None
        try:
            return cls(minor, validate_currency(currency))
        except MoneyError:
            return None

    @classmethod
    def parse(cls, value: Any, currency: str) -> Money:
        """Read ``"245.00"``, ``245``, ``Decimal("245.5")`` as an exact amount; floats are refused.

        More decimal places than the currency has (``"1.005"`` INR) is an error, not a rounding.
        """
        if isinstance(value, Money):
            if value.currency != currency:
                raise CurrencyMismatch(f"{value.currency} amount where {currency} was expected")
            return value
        if isinstance(value, float):
            raise MoneyError(f'{value!r} is a float; write money as a string such as "{value:.2f}" so it stays exact')
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            raise MoneyError(f'expected an amount such as "245.00", got {type(value).__name__}')
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and "," in text:
            if not _GROUPED.match(text.removeprefix("-")):
                raise MoneyError(f'{value!r}: write decimals with a dot ("12.50"); a comma may only group thousands')
            text = text.replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f'{value!r} is not an amount: expected digits such as "245.00"') from None
        if not amount.is_finite():
            raise MoneyError(f"{value!r} is not a finite amount")
        if amount and amount.adjusted() >= MAX_DIGITS:
            raise MoneyError(f"{value!r} is larger than any price or order total can be")
        exponent = currency_exponent(currency)
        scaled = amount.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{value!r} has more than {exponent} decimal places for {currency}")
        return cls(int(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def sum(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The exact sum; zero of ``currency`` when there is nothing to add."""
        total = cls.zero(currency)
        for amount in amounts:
            total += amount
        return total

    @property
    def decimal(self) -> Decimal:
        """The amount in major units, exactly (``Decimal("245.00")``)."""
        exponent = currency_exponent(self.currency)
        return Decimal(self.minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))

    def format(self, locale: str = "en") -> str:
        """The amount as a customer of ``locale`` reads it: ``₹1,234.50``, ``1.234,50 €``."""
        return _formatted(self.minor, self.currency, locale)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise TypeError("money is multiplied by whole quantities only")
        return Money(self.minor * quantity, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    def __str__(self) -> str:
        return f"{self.decimal} {self.currency}"

    def to_json(self) -> dict[str, Any]:
        """A wire form that keeps exactness: ``{"minor": 24500, "currency": "INR"}``."""
        return {"minor": self.minor, "currency": self.currency}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Money:
        return cls(int(data["minor"]), str(data["currency"]))


@lru_cache(maxsize=4096)
def _formatted(minor: int, currency: str, locale: str) -> str:
    """Babel's formatting, remembered: a shop shows the same few prices over and over, and
    formatting one costs as much as the rest of a reply's rendering."""
    return format_currency(Money(minor, currency).decimal, currency, locale=_babel_locale(locale))


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Locale:
    """Babel needs a territory to pick a grouping style; ``en`` alone would read ``₹1,234.50``."""
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")
