"""Amounts as Stripe reads them: Stripe's own decimal places per currency, not ISO 4217's.

From Stripe's "Supported currencies" page: zero-decimal currencies (JPY, KRW, ...) are whole
units, as in ISO 4217; ISK is zero-decimal too, yet Stripe still takes it "with two decimals" for
backwards compatibility, so 500 kr is ``50000``; the three-decimal currencies take three decimals
but the last must be 0 (Stripe asks integrations to round to the nearest ten). We never round: an
amount Stripe cannot take exactly is ``None``, and such a total is not offered through Stripe.
"""

from __future__ import annotations

from chatshop.money import Money, currency_exponent

__all__ = ["MINIMUM_CHARGE", "below_minimum", "from_stripe", "stripe_decimals", "to_stripe"]

ZERO_DECIMAL = frozenset(
    ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]
)
THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
#: Whole units sent with two decimals that must be 00.
WHOLE_IN_TWO_DECIMALS = frozenset({"ISK"})


#: Stripe's "Minimum and maximum charge amounts" (docs.stripe.com/currencies), in Stripe's units:
#: Stripe refuses a smaller charge (``amount_too_small``). Other currencies have a minimum "equal
#: to USD 0.50" at the day's rate, which we cannot know; Stripe's refusal still stands for them.
MINIMUM_CHARGE = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50, "CZK": 1500,
    "DKK": 250, "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50, "JPY": 50, "MXN": 1000,
    "MYR": 200, "NOK": 300, "NZD": 50, "PLN": 200, "RON": 200, "SEK": 300, "SGD": 50, "THB": 1000,
}  # fmt: skip


def below_minimum(amount: Money) -> bool:
    """True when Stripe would refuse to charge ``amount`` as too small for its currency."""
    value = to_stripe(amount)
    least = MINIMUM_CHARGE.get(amount.currency.upper())
    return value is not None and least is not None and value < least


def stripe_decimals(currency: str) -> int:
    """How many decimals Stripe's integer amounts carry in ``currency``."""
    code = currency.upper()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def to_stripe(amount: Money) -> int | None:
    """``amount`` in Stripe's units, or None when Stripe could only charge a rounded amount."""
    code = amount.currency.upper()
    shift = stripe_decimals(code) - currency_exponent(code)
    if shift >= 0:
        value: int = amount.minor * 10**shift
    else:
        value, rest = divmod(amount.minor, 10**-shift)
        if rest:
            return None
    if code in THREE_DECIMAL and value % 10:
        return None
    if code in WHOLE_IN_TWO_DECIMALS and value % 100:
        return None
    return value


def from_stripe(value: int, currency: str) -> Money | None:
    """Stripe's ``value`` in ``currency`` as our Money; None if it has more precision than we keep,
    or is no amount at all (larger than any order: the core's mismatch, see ``Money.reported``)."""
    code = currency.upper()
    shift = stripe_decimals(code) - currency_exponent(code)
    if shift <= 0:
        return Money.reported(value * int(10**-shift), code)
    minor, rest = divmod(value, 10**shift)
    return None if rest else Money.reported(minor, code)
