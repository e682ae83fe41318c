"""Taxes on a quote, exact to the minor unit, the way the shop's country writes them.

- EU VAT: prices include it. The summary says "incl. 19% VAT: €3.19" and the total does not move.
  Fees (delivery) follow the goods they come with: split over the goods' rates in proportion to
  their value, unless ``[tax] fees_rate`` names one rate.
- India GST: prices exclude it. Within the shop's state it is CGST + SGST at half the rate each,
  across a state border IGST at the whole rate; the place of supply is the delivery address's
  state. Each product carries an HSN code on the invoice.
- US-style sales tax: added on top at the rates of ``[tax]``.

Discounts lower the taxable value of what they apply to; each is spread over those lines in
proportion to their value, the cents that do not divide going to the largest remainders, so the
parts always add up to the discount exactly. Tax is rounded half up (commercial rounding), per line
or per rate's total as ``[tax] rounding`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chatshop.cart import CartLine
from chatshop.config import TaxSection
from chatshop.money import Money

__all__ = ["TaxBreakdown", "TaxGroup", "TaxedItem", "allocate", "compute", "tax_of"]


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` minor units split in proportion to ``weights``, exactly (largest remainders first)."""
    whole = sum(weights)
    if not weights:
        return []
    if whole <= 0:
        return [total] + [0] * (len(weights) - 1)
    shares = [total * w // whole for w in weights]
    rest = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:rest]:
        shares[i] += 1
    return shares


def tax_of(amount: int, rate: Decimal, *, inclusive: bool) -> int:
    """The tax in ``amount`` minor units (``inclusive``) or on it, rounded half up."""
    exact = Decimal(amount) * rate / (100 + rate) if inclusive else Decimal(amount) * rate / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class TaxedItem:
    """A line as taxed: a product line after its share of discounts, or a fee."""

    key: str  # a product id, or ``fee:<code>``
    title: str
    quantity: int
    amount: int  # minor units, as the price states it (gross when inclusive), after discounts
    rate: Decimal
    hsn: str | None = None
    tax: int = 0  # its own tax when rounding per line (else its share, for showing)


@dataclass(frozen=True, slots=True)
class TaxGroup:
    """One rate (and HSN code, in India) of the order: its taxable value and tax, in components."""

    rate: Decimal
    hsn: str | None
    base: int  # taxable value, net of tax
    components: tuple[tuple[str, Decimal, int], ...]  # ("cgst", 2.5, 1225), ("sgst", 2.5, 1225)

    @property
    def tax(self) -> int:
        return sum(amount for _, _, amount in self.components)


@dataclass(slots=True)
class TaxBreakdown:
    system: str  # vat, gst, sales_tax
    inclusive: bool
    currency: str
    items: list[TaxedItem] = field(default_factory=list)
    groups: list[TaxGroup] = field(default_factory=list)
    #: India: the state delivered to (its GST code and name) and whether that crosses a border.
    place_of_supply: tuple[str, str] | None = None
    interstate: bool = False

    @property
    def tax(self) -> Money:
        return Money(sum(g.tax for g in self.groups), self.currency)

    def by_component(self) -> list[tuple[str, Decimal, int]]:
        """Tax per component and rate (``("cgst", 2.5, 2450)``), as the summary lists it."""
        sums: dict[tuple[str, Decimal], int] = {}
        for group in self.groups:
            for kind, rate, amount in group.components:
                sums[(kind, rate)] = sums.get((kind, rate), 0) + amount
        return [(kind, rate, amount) for (kind, rate), amount in sorted(sums.items(), key=lambda kv: kv[0][1])]

    def to_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "inclusive": self.inclusive,
            "currency": self.currency,
            "place_of_supply": list(self.place_of_supply) if self.place_of_supply else None,
            "interstate": self.interstate,
            "items": [
                {
                    "key": i.key,
                    "title": i.title,
                    "quantity": i.quantity,
                    "amount": i.amount,
                    "rate": str(i.rate),
                    "hsn": i.hsn,
                    "tax": i.tax,
                }
                for i in self.items
            ],
            "groups": [
                {
                    "rate": str(g.rate),
                    "hsn": g.hsn,
                    "base": g.base,
                    "components": [[kind, str(rate), amount] for kind, rate, amount in g.components],
                }
                for g in self.groups
            ],
        }


def _components(system: str, interstate: bool) -> list[tuple[str, Decimal]]:
    """The parts a rate is charged in, each with its share of the rate."""
    if system == "gst":
        return [("igst", Decimal(1))] if interstate else [("cgst", Decimal("0.5")), ("sgst", Decimal("0.5"))]
    return [("vat" if system == "vat" else "sales_tax", Decimal(1))]


def compute(
    section: TaxSection,
    system: str,
    lines: Sequence[CartLine],
    rate_of: Callable[[CartLine], tuple[Decimal, str | None]],
    discounts: Sequence[tuple[int, Sequence[int]]],
    fees: Sequence[tuple[str, int]],
    currency: str,
    *,
    interstate: bool = False,
) -> TaxBreakdown:
    """The taxes of an order.

    ``discounts``: each discount (a positive amount) with the indexes of the lines it applies to;
    ``fees``: (code, amount) of the delivery and other fees, taxed with the goods.
    """
    inclusive = section.prices == "inclusive"
    amounts = [line.total.minor for line in lines]
    for amount, indexes in discounts:
        for i, share in zip(indexes, allocate(amount, [amounts[i] for i in indexes]), strict=True):
            amounts[i] -= share
    items = []
    for line, amount in zip(lines, amounts, strict=True):
        rate, hsn = rate_of(line)
        items.append(TaxedItem(line.product_id, line.title, line.quantity, amount, rate, hsn))
    items += _fee_items(section, system, items, fees)
    per_line = section.rounding == "line"
    breakdown = TaxBreakdown(system, inclusive, currency, interstate=interstate)
    groups: dict[tuple[Decimal, str | None], list[TaxedItem]] = {}
    for item in items:
        groups.setdefault((item.rate, item.hsn if system == "gst" else None), []).append(item)
    parts = _components(system, interstate)
    for (rate, hsn), members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        amounts_in = [m.amount for m in members]
        gross = sum(amounts_in)
        if inclusive:  # one component: the tax inside the price
            kind = parts[0][0]
            included = _taxed(amounts_in, rate, per_line=per_line, inclusive=True)
            components: list[tuple[str, Decimal, int]] = [(kind, rate.normalize(), included)]
            base = gross - included
        else:
            components = [
                (kind, (rate * share).normalize(), _taxed(amounts_in, rate * share, per_line=per_line, inclusive=False))
                for kind, share in parts
            ]
            base = gross
        breakdown.groups.append(TaxGroup(rate.normalize(), hsn, base, tuple(components)))
    breakdown.items = [
        TaxedItem(
            i.key,
            i.title,
            i.quantity,
            i.amount,
            i.rate.normalize(),
            i.hsn,
            tax_of(i.amount, i.rate, inclusive=inclusive),
        )
        for i in items
    ]
    return breakdown


def _taxed(amounts: list[int], rate: Decimal, *, per_line: bool, inclusive: bool) -> int:
    """The tax of a rate's lines: each line rounded, or their total rounded once."""
    if per_line:
        return sum(tax_of(amount, rate, inclusive=inclusive) for amount in amounts)
    return tax_of(sum(amounts), rate, inclusive=inclusive)


def _fee_items(
    section: TaxSection, system: str, goods: list[TaxedItem], fees: Sequence[tuple[str, int]]
) -> list[TaxedItem]:
    """Fees as taxed items: at ``fees_rate``, or (VAT) split over the goods' rates by their value."""
    out: list[TaxedItem] = []
    for code, amount in fees:
        if amount == 0:
            continue
        if section.fees_rate is not None or system != "vat" or not goods:
            rate = section.fees_rate if section.fees_rate is not None else section.rate
            out.append(TaxedItem(f"fee:{code}", code, 1, amount, rate, section.fees_hsn))
            continue
        by_rate: dict[Decimal, int] = {}
        for item in goods:
            by_rate[item.rate] = by_rate.get(item.rate, 0) + item.amount
        rates = sorted(by_rate)
        for rate, share in zip(rates, allocate(amount, [by_rate[r] for r in rates]), strict=True):
            if share:
                out.append(TaxedItem(f"fee:{code}", code, 1, share, rate, section.fees_hsn))
    return out
