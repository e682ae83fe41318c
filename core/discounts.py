"""Discounts: coupon codes and automatic offers of ``[[discounts]]``, priced exactly.

A discount applies to the products of the cart (never to fees), or to those of some categories or
products; a percent is rounded half up to the currency's minor unit, a fixed amount never exceeds
what it applies to. Discounts that do not combine give the customer the better of them. Uses are
counted by the store as the order is placed (:class:`chatshop.orders.Claim`), so a limit holds
across workers; here they are only read, to tell a customer precisely why a code does not apply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chatshop.cart import CartLine
from chatshop.config import DiscountEntry, normalize_code
from chatshop.money import Money
from chatshop.orders import Claim

if TYPE_CHECKING:
    from chatshop.catalog import Catalog
    from chatshop.pricing import Quote
    from chatshop.runtime import Shop

__all__ = ["Applied", "Evaluation", "Refusal", "eligible_lines", "evaluate", "find_code", "percent_of"]

#: Claim keys: a discount's uses, and one customer's uses of it.
USES, CUSTOMER_USES = "discount:", "discount-customer:"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a code does not apply: a text key of the coupons feature and what fills it."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Applied:
    entry: DiscountEntry
    amount: Money  # what it takes off, positive

    @property
    def adjustment_code(self) -> str:
        return f"coupon:{self.entry.code}" if self.entry.code else f"offer:{self.entry.name}"


@dataclass(slots=True)
class Evaluation:
    applied: list[Applied] = field(default_factory=list)
    #: The customer's code and why it is not among ``applied`` (None: it is, or there is none).
    refusal: Refusal | None = None
    claims: list[Claim] = field(default_factory=list)


def find_code(entries: Iterable[DiscountEntry], typed: str) -> DiscountEntry | None:
    """The coupon a customer typed, however spaced or cased (" sommer 10" is SOMMER10)."""
    code = normalize_code(typed)
    return next((e for e in entries if e.code is not None and e.code == code), None)


def percent_of(amount: Money, percent: Decimal) -> Money:
    """``percent`` % of ``amount``, rounded half up to the minor unit."""
    minor = (Decimal(amount.minor) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(int(minor), amount.currency)


def customer_tag(customer_key: str) -> str:
    """A customer in a claim key, without their number in clear."""
    return hashlib.sha256(customer_key.encode()).hexdigest()[:20]


def _moment(value: date | datetime, zone: ZoneInfo, *, end: bool) -> datetime:
    """A day's start (or, for ``end``, the next day's start) or a moment, in the shop's zone."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time(0), tzinfo=zone)


def eligible_lines(entry: DiscountEntry, lines: Sequence[CartLine], catalog: Catalog) -> list[CartLine]:
    if not entry.categories and not entry.products:
        return list(lines)
    wanted = {c.casefold() for c in entry.categories}
    out = []
    for line in lines:
        product = catalog.get(line.product_id)
        category = product.category.casefold() if product is not None else None
        if line.product_id in entry.products or category in wanted:
            out.append(line)
    return out


def _amount(entry: DiscountEntry, base: Money) -> Money:
    if entry.percent is not None:
        return percent_of(base, entry.percent)
    assert entry.amount is not None
    return min(entry.amount, base, key=lambda m: m.minor)


async def evaluate(shop: Shop, quote: Quote, code: str | None) -> Evaluation:
    """The discounts ``quote`` gets now: automatic ones that apply, and the customer's ``code``."""
    config = shop.config
    entries = config.discounts
    result = Evaluation()
    if not entries or not quote.lines:
        return result
    chosen = find_code(entries, code) if code else None
    if code and chosen is None:
        result.refusal = Refusal("coupon_unknown", {"code": normalize_code(code)})
    candidates = [e for e in entries if e.code is None] + ([chosen] if chosen is not None else [])
    keys = [USES + e.key for e in candidates]
    if quote.customer_key:
        keys += [f"{CUSTOMER_USES}{e.key}:{customer_tag(quote.customer_key)}" for e in candidates]
    counts = await shop.store.claim_counts(keys)
    now = shop.now()
    possible: list[Applied] = []
    for entry in candidates:
        refusal = _refusal(shop, quote, entry, counts, now)
        if refusal is None:
            eligible = Money.sum((ln.total for ln in eligible_lines(entry, quote.lines, shop.catalog)), quote.currency)
            possible.append(Applied(entry, _amount(entry, eligible)))
        elif entry is chosen:
            result.refusal = refusal
    result.applied = _best(possible, quote.subtotal)
    if chosen is not None and result.refusal is None and all(a.entry is not chosen for a in result.applied):
        better = next((a.entry.name or a.entry.key for a in result.applied), "")
        result.refusal = Refusal("coupon_not_combinable", {"code": chosen.code, "offer": better})
    for applied in result.applied:
        entry = applied.entry
        result.claims.append(Claim(USES + entry.key, entry.max_uses, message="coupon_used_up", step=None))
        if entry.max_uses_per_customer is not None and quote.customer_key:
            key = f"{CUSTOMER_USES}{entry.key}:{customer_tag(quote.customer_key)}"
            result.claims.append(Claim(key, entry.max_uses_per_customer, message="coupon_used_up", step=None))
    return result


def _refusal(shop: Shop, quote: Quote, entry: DiscountEntry, counts: dict[str, int], now: datetime) -> Refusal | None:
    code = entry.code or entry.name or ""
    zone = shop.config.shop.zone
    if entry.valid_from is not None and now < _moment(entry.valid_from, zone, end=False):
        return Refusal("coupon_not_yet", {"code": code, "date": _day(entry.valid_from)})
    if entry.valid_until is not None and now >= _moment(entry.valid_until, zone, end=True):
        return Refusal("coupon_expired", {"code": code, "date": _day(entry.valid_until)})
    if entry.min_total is not None and quote.subtotal < entry.min_total:
        return Refusal("coupon_min_total", {"code": code, "min": entry.min_total, "total": quote.subtotal})
    if not eligible_lines(entry, quote.lines, shop.catalog):
        what = ", ".join([*entry.categories, *entry.products])
        return Refusal("coupon_no_items", {"code": code, "what": what})
    if entry.payment_methods and not _paid_as(shop, quote.payment_method, entry.payment_methods):
        # Before a method is chosen an offer for paying online is not yet taken: the summary shows it.
        return Refusal("coupon_payment", {"code": code})
    if entry.max_uses is not None and counts.get(USES + entry.key, 0) >= entry.max_uses:
        return Refusal("coupon_used_up", {"code": code})
    if entry.max_uses_per_customer is not None and quote.customer_key:
        mine = counts.get(f"{CUSTOMER_USES}{entry.key}:{customer_tag(quote.customer_key)}", 0)
        if mine >= entry.max_uses_per_customer:
            return Refusal("coupon_used_by_you", {"code": code, "count": entry.max_uses_per_customer})
    return None


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _paid_as(shop: Shop, method: str | None, allowed: list[str]) -> bool:
    if method is None:
        return False
    if method in allowed:
        return True
    chosen = shop.payment_methods.get(method)
    return "online" in allowed and chosen is not None and chosen.online


def _best(possible: list[Applied], subtotal: Money) -> list[Applied]:
    """The set that saves the customer most: every combinable discount together, or one that does
    not combine on its own. Never more than the products cost."""
    together = [a for a in possible if a.entry.combinable]
    options = [together] + [[a] for a in possible if not a.entry.combinable]
    best = max(options, key=lambda option: sum(a.amount.minor for a in option))
    room = subtotal.minor
    capped = []
    for applied in best:
        take = min(applied.amount.minor, room)
        room -= take
        if take > 0:
            capped.append(Applied(applied.entry, Money(take, subtotal.currency)))
    return capped
