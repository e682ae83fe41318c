from decimal import Decimal

import pytest

from chatshop.money import CurrencyMismatch, Money, MoneyError, validate_currency


def test_parse_is_exact_in_minor_units() -> None:
    assert Money.parse("245.00", "INR") == Money(24500, "INR")
    assert Money.parse("0.1", "INR") + Money.parse("0.2", "INR") == Money.parse("0.3", "INR")
    assert Money.parse(Decimal("1234.5"), "EUR").minor == 123450
    assert Money.parse(500, "JPY") == Money(500, "JPY")
    assert Money.parse("1,234.50", "INR").minor == 123450


@pytest.mark.parametrize("bad", [0.1, "1.005", "abc", "NaN", "Infinity", True, None, [1]])
def test_parse_refuses_inexact_or_nonsense(bad: object) -> None:
    with pytest.raises(MoneyError):
        Money.parse(bad, "INR")


def test_jpy_has_no_decimals() -> None:
    with pytest.raises(MoneyError, match="0 decimal places"):
        Money.parse("1.5", "JPY")


def test_formatting_per_locale_and_currency() -> None:
    assert Money.parse("1234.50", "INR").format("en") == "₹1,234.50"
    assert Money.parse("1234.50", "EUR").format("de") == "1.234,50\xa0€"
    assert Money.parse("1234.50", "INR").format("hi") == "₹1,234.50"
    assert Money.parse("12345678", "INR").format("en_IN") == "₹1,23,45,678.00"


def test_currencies_never_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "INR") + Money(1, "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "INR") < Money(1, "EUR")


def test_arithmetic_and_json_round_trip() -> None:
    price = Money.parse("19.99", "USD")
    assert price * 3 == Money(5997, "USD")
    assert (price * 3).decimal == Decimal("59.97")
    assert Money.from_json(price.to_json()) == price
    with pytest.raises(TypeError):
        _ = price * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money(1.0, "USD")  # type: ignore[arg-type]


def test_currency_codes_are_validated() -> None:
    assert validate_currency("inr") == "INR"
    with pytest.raises(MoneyError, match="ISO 4217"):
        validate_currency("RUPEES")


def test_no_money_is_larger_than_any_order_can_be() -> None:
    """A provider's ``amount_paid: 10**40`` cannot become money that fails later in a format or a store."""
    from chatshop.money import MAX_MINOR

    for minor in (MAX_MINOR, -MAX_MINOR, 10**40):
        with pytest.raises(MoneyError):
            Money(minor, "INR")
    assert Money(MAX_MINOR - 1, "KWD").format("en")  # the largest there is still formats exactly
    with pytest.raises(MoneyError):
        Money(MAX_MINOR // 2, "INR") + Money(MAX_MINOR // 2, "INR")


def test_an_amount_a_provider_reported_is_none_when_it_is_no_amount() -> None:
    assert Money.reported(24500, "inr") == Money(24500, "INR")
    for minor, currency in ((10**40, "INR"), ("24500", "INR"), (True, "INR"), (24500, None), (24500, "XYZ")):
        assert Money.reported(minor, currency) is None
