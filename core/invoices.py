"""Tax invoices: issued once per paid or delivered order, numbered without gaps per shop and year.

An invoice is a snapshot: who sold, to whom, what, at which tax, for how much, taken when it is
issued and kept with its number (``Store.issue_invoice``), so a later change to the catalog or to
``[legal]`` never changes an invoice already sent. Its PDF is drawn from the snapshot
(:mod:`chatshop.invoice_pdf`) whenever it is asked for.

What it holds is what the law of the shop's country asks of an invoice: Germany's §14 UStG (the
seller's and the buyer's name and address, the seller's VAT id or tax number, the date, a unique
sequential number, quantity and description, the date of supply, the net amount per rate, the rate
and the tax, any discount) and India's CGST Rules, rule 46 (the seller's GSTIN, a consecutive
number of at most 16 characters unique in the financial year, HSN codes, the taxable value net of
discounts, each tax's rate and amount, the place of supply with its state, the seller's signature).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from chatshop.config import ShopConfig, tax_system
from chatshop.orders import Order, OrderStatus
from chatshop.store.base import InvoiceRecord

if TYPE_CHECKING:
    from chatshop.runtime import Shop

__all__ = ["credit", "credit_snapshot", "eligible", "invoice_number", "issue", "numbering_year", "snapshot"]

#: Statuses whose orders get an invoice: paid (online), or delivered (cash on delivery, paid then).
_PAID_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def eligible(order: Order) -> bool:
    """A paid order, or one delivered (cash on delivery is paid at the door)."""
    if order.status is OrderStatus.DELIVERED:
        return True
    return order.status in _PAID_STATUSES and order.is_paid


def numbering_year(config: ShopConfig, moment: datetime) -> str:
    """The year an invoice issued at ``moment`` counts in: "2026", or India's "2026-27" (April-March)."""
    local = moment.astimezone(config.shop.zone)
    start = config.invoices.year_starts_month if config.invoices is not None else 1
    if start == 1:
        return str(local.year)
    first = local.year if local.month >= start else local.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def invoice_number(prefix: str, year: str, seq: int) -> str:
    """``RE2026-00001``: the prefix, the numbering year and the year's sequence number."""
    return f"{prefix}{year}-{seq:05d}"


def snapshot(shop: Shop, order: Order, issued_at: datetime) -> dict[str, Any]:
    """Everything the invoice shows, as JSON values (amounts in minor units)."""
    config = shop.config
    legal = config.legal
    locale = config.shop.locale
    labels, english = {}, {}
    for code, _ in order.adjustments:
        kind, _, detail = code.partition(":")
        labels[code] = _label(shop, locale, code, kind, detail)
        english[code] = _label(shop, "en", code, kind, detail)
    return {
        "order": order.number,
        "order_date": order.created_at.astimezone(config.shop.zone).date().isoformat() if order.created_at else None,
        "date": issued_at.astimezone(config.shop.zone).date().isoformat(),
        "currency": order.currency,
        "locale": locale,
        "system": tax_system(config),
        "seller": {
            "name": legal.seller_name or config.shop.name,
            "address": legal.seller_address,
            "contact": legal.seller_contact,
            "vat_id": legal.vat_id,
            "tax_number": legal.tax_number,
            "gstin": legal.gstin,
        },
        "buyer": {"name": order.contact_name, "address": order.address, "postal_code": order.postal_code},
        "lines": [
            {
                "product_id": line.product_id,
                "title": line.title,
                "quantity": line.quantity,
                "unit_minor": line.unit_price.minor,
                "total_minor": (line.unit_price * line.quantity).minor,
            }
            for line in order.lines
        ],
        "adjustments": [
            {"code": code, "label": labels[code], "label_en": english[code], "amount_minor": amount.minor}
            for code, amount in order.adjustments
        ],
        "subtotal_minor": order.subtotal.minor,
        "total_minor": order.total.minor,
        "paid_minor": order.paid_amount,
        "payment_method": order.payment_method,
        "tax": order.extras.get("tax"),
    }


def _label(shop: Shop, locale: str, code: str, kind: str, detail: str) -> str:
    for key in (f"adjustment_{code}", f"adjustment_{kind}" if detail else None):
        if key is None:
            continue
        try:
            return shop.texts.get(locale, key, detail=detail)
        except KeyError:
            continue
    return code


async def issue(shop: Shop, order: Order) -> tuple[InvoiceRecord, bool] | None:
    """The order's invoice, issued now if it is due one and has none; None when it is not due
    (not paid nor delivered) or the shop issues no invoices."""
    section = shop.config.invoices
    if section is None:
        return None
    existing = await shop.store.get_invoice(order_number=order.number)
    if existing is not None:
        return existing, False
    if not eligible(order):
        return None
    now = shop.now()
    year = numbering_year(shop.config, now)
    return await shop.store.issue_invoice(
        order.number,
        year,
        lambda seq: invoice_number(section.prefix, year, seq),
        snapshot(shop, order, now),
        secrets.token_urlsafe(24),
        now,
    )


# --- credit notes ------------------------------------------------------------------------------
# A refund or a parcel back at the shop does not change the invoice sent: a credit note amends it
# (India's CGST Act s.34; the EU VAT Directive, art. 219), with a number of its own series, the
# invoice it refers to, the amount credited and the tax that amount reverses.


def credit_target(order: Order, invoice: InvoiceRecord) -> int:
    """What the order's invoice should be credited in all now: all of it for an order that came
    back undelivered (nothing was supplied), else what was refunded (never more than invoiced)."""
    total = int(invoice.data["total_minor"])
    returned = order.status is OrderStatus.RETURNED or any(e.get("new") == "returned" for e in order.history)
    return total if returned else min(order.refunded_amount, total)


def _part(value: int, amount: int, total: int) -> int:
    """``value`` × ``amount`` / ``total``, to the nearest minor unit (halves up)."""
    return int((Decimal(value) * amount / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _reversed_tax(tax: dict[str, Any] | None, amount: int, total: int) -> dict[str, Any] | None:
    """The invoice's tax for ``amount`` of its ``total``: each rate's taxable value and tax in proportion."""
    if not tax or amount == total or total <= 0:
        return tax
    groups = [
        {
            **group,
            "base": _part(group["base"], amount, total),
            "components": [[kind, rate, _part(value, amount, total)] for kind, rate, value in group["components"]],
        }
        for group in tax.get("groups", [])
    ]
    return {**tax, "groups": groups, "items": []}


def credit_snapshot(
    invoice: InvoiceRecord, amount: int, credited: int, issued_at: datetime, zone: Any, reason: str, title: str
) -> dict[str, Any]:
    """What the credit note shows: the invoice's seller and buyer, the invoice it amends, and the
    amount credited with its tax. Crediting the whole invoice at once repeats its lines; a part
    is one line (``title``) of that amount."""
    data = invoice.data
    total = int(data["total_minor"])
    whole = amount == total
    line = {"product_id": "", "title": title, "quantity": 1, "unit_minor": amount, "total_minor": amount}
    return {
        **{key: data.get(key) for key in ("order", "order_date", "currency", "locale", "system", "seller", "buyer")},
        "kind": "credit_note",
        "reason": reason,
        "invoice": invoice.number,
        "invoice_date": data["date"],
        "date": issued_at.astimezone(zone).date().isoformat(),
        "lines": data["lines"] if whole else [line],
        "adjustments": data["adjustments"] if whole else [],
        "subtotal_minor": data["subtotal_minor"] if whole else amount,
        "total_minor": amount,
        "credited_minor": credited,
        "payment_method": data.get("payment_method"),
        "tax": _reversed_tax(data.get("tax"), amount, total),
    }


async def credit(shop: Shop, order: Order) -> InvoiceRecord | None:
    """The credit note the order is due now, issued (once: the same refund told twice, on any
    worker, issues nothing); None when there is none to issue: no invoice to amend, or nothing
    refunded or returned beyond what earlier credit notes credited."""
    section = shop.config.invoices
    if section is None:
        return None
    invoice = await shop.store.get_invoice(order_number=order.number)
    if invoice is None:
        return None
    target = credit_target(order, invoice)
    if target <= 0:
        return None
    now = shop.now()
    year = numbering_year(shop.config, now)
    reason = "returned" if order.status is OrderStatus.RETURNED else "refunded"
    locale = str(invoice.data.get("locale") or shop.config.shop.locale)
    title = shop.texts.get(locale, "credit_note_line", invoice=invoice.number)
    zone = shop.config.shop.zone
    return await shop.store.issue_credit_note(
        order.number,
        target,
        year,
        lambda seq: invoice_number(section.credit_note_prefix, year, seq),
        lambda amount: credit_snapshot(invoice, amount, target, now, zone, reason, title),
        secrets.token_urlsafe(24),
        now,
    )
