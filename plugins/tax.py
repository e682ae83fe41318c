"""Built-in tax: the ``[tax]`` of ``shop.toml`` on every quote, after every other line is in.

Prices with tax included (EU VAT) keep their total and gain a notice per rate ("inkl. 7 % MwSt.:
0,52 €"); prices without it (India GST, US sales tax) gain a line per tax and rate ("CGST 2.5%").
The breakdown goes with the order (``order.extras["tax"]``) for its invoice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from chatshop.api import Shop
from chatshop.cart import CartLine
from chatshop.config import TaxSection, tax_system
from chatshop.discounts import eligible_lines
from chatshop.hookspecs import hookimpl
from chatshop.india import state_of_address, state_of_code
from chatshop.money import Money
from chatshop.orders import Order
from chatshop.pricing import Notice, Quote
from chatshop.tax import TaxBreakdown, compute

NAME = "tax"
#: Lines other plugins add that are discounts (spread over the goods) rather than fees (taxed);
#: ``prepaid_discount`` is cash on delivery's discount for paying online instead.
DISCOUNT_KINDS = ("coupon", "offer", "discount", "prepaid_discount")


def rate_finder(shop: Shop, section: TaxSection) -> Callable[[CartLine], tuple[Decimal, str | None]]:
    """A product's rate and HSN code: the first ``[[tax.rates]]`` naming the product, else its category."""

    def rate_of(line: CartLine) -> tuple[Decimal, str | None]:
        product = shop.catalog.get(line.product_id)
        category = product.category.casefold() if product is not None else None
        for entry in section.rates:
            if line.product_id in entry.products:
                return entry.rate, entry.hsn or section.hsn
        for entry in section.rates:
            if category is not None and category in {c.casefold() for c in entry.categories}:
                return entry.rate, entry.hsn or section.hsn
        return section.rate, section.hsn

    return rate_of


def breakdown_of(shop: Shop, quote: Quote) -> TaxBreakdown | None:
    section, system = shop.config.tax, tax_system(shop.config)
    if section is None or system is None or not quote.lines:
        return None
    lines = list(quote.lines)
    discounts: list[tuple[int, list[int]]] = []
    fees: list[tuple[str, int]] = []
    by_key = {entry.key: entry for entry in shop.config.discounts}
    for adjustment in quote.adjustments:
        kind, _, detail = adjustment.code.partition(":")
        if kind in _TAX_KINDS:
            continue
        if adjustment.amount.minor < 0 and kind in DISCOUNT_KINDS:
            entry = by_key.get(detail) or by_key.get(f"auto:{detail}")
            chosen = eligible_lines(entry, lines, shop.catalog) if entry is not None else lines
            indexes = [i for i, line in enumerate(lines) if line in chosen]
            discounts.append((-adjustment.amount.minor, indexes or list(range(len(lines)))))
        else:
            fees.append((adjustment.code, adjustment.amount.minor))
    interstate, place = False, None
    if system == "gst" and section.home_state is not None:
        home = state_of_code(section.home_state)
        there = state_of_address(quote.address, quote.postal_code) if (quote.address or quote.postal_code) else None
        there = there or home
        interstate = home is not None and there is not None and there != home
        place = (there.gst, there.name) if there is not None else None
    breakdown = compute(
        section,
        system,
        lines,
        rate_finder(shop, section),
        discounts,
        fees,
        quote.currency,
        interstate=interstate,
    )
    breakdown.place_of_supply = place
    return breakdown


_TAX_KINDS = frozenset({"cgst", "sgst", "igst", "vat", "sales_tax"})


@hookimpl(trylast=True)
def price_cart(shop: Shop, quote: Quote) -> None:
    """Runs after the other pricing plugins: it taxes what they added (delivery, a discount)."""
    breakdown = breakdown_of(shop, quote)
    if breakdown is None:
        return
    for kind, rate, amount in breakdown.by_component():
        if breakdown.inclusive:
            values = {"rate": rate, "amount": Money(amount, quote.currency)}
            quote.notices.append(Notice(f"tax_included_{kind}", values))
        else:
            quote.add(f"{kind}:{rate}", Money(amount, quote.currency), label=f"{kind.upper()} {rate}%")
    quote.extras[NAME] = breakdown.to_json()


@hookimpl
def retax_order(shop: Shop, order: Order, quote: Quote) -> None:
    """The order's tax lines computed anew for the lines it now charges (see :func:`retax`)."""
    quote.adjustments = [a for a in quote.adjustments if a.code.partition(":")[0] not in _TAX_KINDS]
    price_cart(shop, quote)
    quote.extras.setdefault(NAME, None)  # no tax any more: the order's old breakdown goes


def retax(
    shop: Shop, order: Order, adjustments: Sequence[tuple[str, Money]]
) -> tuple[tuple[tuple[str, Money], ...], dict[str, Any] | None]:
    """``adjustments`` (what ``order`` is now charged besides its goods: a cash order paid online
    instead, its COD fee gone and a discount given) with the tax lines computed anew, and the
    breakdown its invoice shows; None when the shop charges no tax. The tax follows what is
    charged: none on a fee that is gone, and a discount lowers the goods' taxable value."""
    quote = Quote.for_order(order, adjustments)
    retax_order(shop, order, quote)
    return tuple((a.code, a.amount) for a in quote.adjustments), quote.extras.get(NAME)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register(
        "en",
        {
            "tax_included_vat": "incl. {rate}% VAT: {amount}",
            "tax_included_sales_tax": "incl. {rate}% sales tax: {amount}",
            "adjustment_cgst": "CGST {detail}%",
            "adjustment_sgst": "SGST {detail}%",
            "adjustment_igst": "IGST {detail}%",
            "adjustment_vat": "VAT {detail}%",
            "adjustment_sales_tax": "Sales tax {detail}%",
        },
    )
    register(
        "de",
        {
            "tax_included_vat": "inkl. {rate} % MwSt.: {amount}",
            "tax_included_sales_tax": "inkl. {rate} % Umsatzsteuer: {amount}",
            "adjustment_cgst": "CGST {detail} %",
            "adjustment_sgst": "SGST {detail} %",
            "adjustment_igst": "IGST {detail} %",
            "adjustment_vat": "MwSt. {detail} %",
            "adjustment_sales_tax": "Umsatzsteuer {detail} %",
        },
    )
    register(
        "hi",
        {
            "tax_included_vat": "{rate}% VAT सहित: {amount}",
            "tax_included_sales_tax": "{rate}% बिक्री कर सहित: {amount}",
            "adjustment_cgst": "CGST {detail}%",
            "adjustment_sgst": "SGST {detail}%",
            "adjustment_igst": "IGST {detail}%",
            "adjustment_vat": "VAT {detail}%",
            "adjustment_sales_tax": "बिक्री कर {detail}%",
        },
    )
    register(
        "zh",
        {
            "tax_included_vat": "含 {rate}% 增值税：{amount}",
            "tax_included_sales_tax": "含 {rate}% 销售税：{amount}",
            "adjustment_cgst": "CGST {detail}%",
            "adjustment_sgst": "SGST {detail}%",
            "adjustment_igst": "IGST {detail}%",
            "adjustment_vat": "增值税 {detail}%",
            "adjustment_sales_tax": "销售税 {detail}%",
        },
    )
