"""Core: amounts people type (shop.toml prices, the dashboard) that Money.parse reads wrongly."""

from __future__ import annotations

import pytest

from chatshop.money import Money, MoneyError


def test_a_decimal_comma_is_not_read_as_a_thousands_separator() -> None:
    with pytest.raises(MoneyError):
        Money.parse("12,50", "EUR")



def test_an_amount_no_store_can_hold_is_refused() -> None:
    with pytest.raises(MoneyError):
        Money.parse("1e99999", "INR")
