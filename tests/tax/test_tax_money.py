"""Tax exact to the cent: allocation of discounts, rounding half up per line or per total, VAT
included and GST added, fees following the goods."""

from __future__ import annotations

import random
import tomllib
from decimal import Decimal

import pytest

from chatshop.cart import CartLine
from chatshop.config import ConfigError, TaxSection, parse_config
from chatshop.money import Money
from chatshop.tax import allocate, compute, tax_of
from tests.legal.shops import german_shop, indian_shop


def line(pid: str, cents: int, quantity: int = 1, currency: str = "EUR") -> CartLine:
    return CartLine(pid, pid, quantity, Money(cents, currency))


def test_an_allocation_adds_up_exactly_and_follows_the_weights() -> None:
    draw = random.Random(17)
    for _ in range(2000):
        total = draw.randrange(0, 10**9)
        weights = [draw.randrange(0, 10**7) for _ in range(draw.randrange(1, 12))]
        shares = allocate(total, weights)
        assert sum(shares) == total
        whole = sum(weights)
        if whole:
            for share, weight in zip(shares, weights, strict=True):
                assert abs(share - total * weight / whole) < 1  # never off by a whole cent


def test_rounding_is_half_up() -> None:
    assert tax_of(245_00 * 1, Decimal("2.5"), inclusive=False) == 613  # 612.5 paise -> 613
    assert tax_of(1070, Decimal(7), inclusive=True) == 70
    assert tax_of(107, Decimal(7), inclusive=True) == 7  # 6.99...
    assert tax_of(250, Decimal(1), inclusive=False) == 3  # 2.5 -> 3 (banker's rounding would give 2)


def test_per_line_and_per_total_rounding_differ_by_the_cents_they_should() -> None:
    vat = TaxSection(prices="inclusive", rate=Decimal(7))
    lines = [line("a", 100), line("b", 100)]
    rate_of = lambda ln: (Decimal(7), None)  # noqa: E731
    per_total = compute(vat, "vat", lines, rate_of, [], [], "EUR")
    per_line = compute(vat.model_copy(update={"rounding": "line"}), "vat", lines, rate_of, [], [], "EUR")
    assert per_total.tax.minor == 13  # 200 × 7/107 = 13.08
    assert per_line.tax.minor == 14  # 2 × (100 × 7/107 = 6.54 → 7)
    assert per_total.groups[0].base == 187 and per_line.groups[0].base == 186


def test_a_german_order_with_two_rates_a_discount_and_delivery() -> None:
    """Honey 7,90 € (7 %), a knife 12,99 € (19 %), 10 % off (2,09 €), delivery 4,90 € split over
    the goods' rates by value: every cent accounted for."""
    vat = TaxSection(prices="inclusive", rate=Decimal(19))
    lines = [line("honig", 790), line("messer", 1299)]
    rates = {"honig": Decimal(7), "messer": Decimal(19)}
    result = compute(
        vat, "vat", lines, lambda ln: (rates[ln.product_id], None), [(209, [0, 1])], [("delivery", 490)], "EUR"
    )
    goods = {i.key: i.amount for i in result.items if not i.key.startswith("fee:")}
    assert goods == {"honig": 711, "messer": 1170 - 1}  # 209 split 79 / 130
    fees = [(i.rate, i.amount) for i in result.items if i.key.startswith("fee:")]
    assert fees == [(Decimal(7), 185), (Decimal(19), 305)]
    seven, nineteen = result.groups
    assert (seven.rate, seven.base, seven.tax) == (Decimal(7), 837, 59)  # 896 gross
    assert (nineteen.rate, nineteen.base, nineteen.tax) == (Decimal(19), 1239, 235)  # 1474 gross
    assert seven.base + seven.tax + nineteen.base + nineteen.tax == 2370  # 20,89 - 2,09 + 4,90


def test_gst_within_the_state_is_cgst_and_sgst_across_it_igst() -> None:
    gst = TaxSection(prices="exclusive", rate=Decimal(18), home_state="MH")
    lines = [line("atta", 24500, currency="INR"), line("ghee", 61250, currency="INR")]
    rates = {"atta": (Decimal(5), "1101"), "ghee": (Decimal(12), "0405")}
    within = compute(gst, "gst", lines, lambda ln: rates[ln.product_id], [], [("delivery", 3000)], "INR")
    assert within.by_component() == [
        ("cgst", Decimal("2.5"), 613),
        ("sgst", Decimal("2.5"), 613),
        ("cgst", Decimal(6), 3675),
        ("sgst", Decimal(6), 3675),
        ("cgst", Decimal(9), 270),
        ("sgst", Decimal(9), 270),
    ]
    across = compute(gst, "gst", lines, lambda ln: rates[ln.product_id], [], [], "INR", interstate=True)
    assert across.by_component() == [("igst", Decimal(5), 1225), ("igst", Decimal(12), 7350)]
    assert [(g.hsn, g.base) for g in across.groups] == [("1101", 24500), ("0405", 61250)]


@pytest.mark.parametrize(
    ("section", "path", "message"),
    [
        ('[tax]\nprices = "inclusive"\nrate = "119"', "tax.rate", "less than or equal to 100"),
        (
            '[tax]\nprices = "inclusive"\nrate = "19"\n[[tax.rates]]\ncategories = ["Obst"]\nrate = "107"',
            "tax.rates[0].rate",
            "100",
        ),
        ('[tax]\nprices = "inclusive"\nrate = "-1"', "tax.rate", "greater than or equal to 0"),
        ('[tax]\nprices = "inclusive"\nrate = "19"\n[[tax.rates]]\nrate = "7"', "tax.rates[0]", "name the categories"),
        ('[tax]\nprices = "gross"\nrate = "19"', "tax.prices", "inclusive"),
    ],
)
def test_bad_tax_keys_name_their_path(section: str, path: str, message: str) -> None:
    data = tomllib.loads(german_shop(section), parse_float=Decimal)
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(path + ":") and message in p for p in problems), problems


@pytest.mark.parametrize(
    ("section", "path", "message"),
    [
        ('[tax]\nprices = "exclusive"\nrate = "18"', "tax.home_state", "state the shop is registered in"),
        ('[tax]\nprices = "exclusive"\nrate = "18"\nhome_state = "XY"', "tax.home_state", "no Indian state"),
        ('[tax]\nprices = "inclusive"\nrate = "18"\nhome_state = "MH"', "tax.prices", "exclusive"),
        ('[tax]\nprices = "exclusive"\nrate = "18"\nhome_state = "MH"\nhsn = "12"', "tax.hsn", "pattern"),
    ],
)
def test_bad_gst_keys_name_their_path(section: str, path: str, message: str) -> None:
    data = tomllib.loads(indian_shop(section), parse_float=Decimal)
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(path + ":") and message in p for p in problems), problems
