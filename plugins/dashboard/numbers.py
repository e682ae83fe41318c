"""The numbers a shop looks at: orders and revenue today and this week, abandoned carts, payment mix.

Revenue counts every order placed in the period except cancelled and refunded ones, at its total;
days are the shop's days (``[shop] timezone``). Charts are plain geometry here and small inline SVG in the template.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from chatshop.costs import Rates
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.plugins.dialog import cod_confirm

if TYPE_CHECKING:
    from chatshop.runtime import Shop

__all__ = ["ABANDONED_AFTER", "Bar", "Numbers", "shop_numbers"]

#: A cart nobody touched for this long counts as abandoned.
ABANDONED_AFTER = timedelta(hours=3)
#: Enough for a small shop's week; the numbers say when they hit it.
MAX_ORDERS = 10_000
NOT_REVENUE = frozenset({OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.REFUNDED})

CHART_WIDTH = 280
CHART_HEIGHT = 90


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class CashConfirmations:
    """This week's cash orders by what became of the confirmation asked for them."""

    confirmed: int  # by the customer in the chat
    waiting: int  # still unconfirmed
    switched: int  # the customer chose to pay online
    given_up: int  # cancelled, or kept for the shop, for want of a confirmation


@dataclass(frozen=True, slots=True)
class CartRecovery:
    """This week's cart reminders and the orders their customers placed within the days that count."""

    reminded: int
    recovered: int
    revenue: str
    within_days: int


@dataclass(frozen=True, slots=True)
class ChannelMessages:
    """What one channel sent, today and this week: messages, by billing class, and their estimated
    cost (None without a rate table); per order placed on the channel."""

    channel: str
    today: int
    week: int
    by_billing: dict[str, int]
    orders_today: int
    orders_week: int
    cost_today: str | None
    cost_week: str | None
    per_order: str | None
    cost_per_order: str | None


@dataclass(frozen=True, slots=True)
class Numbers:
    orders_today: int
    revenue_today: str
    orders_week: int
    revenue_week: str
    abandoned_carts: int
    revenue_by_day: list[Bar]
    payment_mix: list[Bar]
    truncated: bool
    cash: CashConfirmations | None = None
    carts: CartRecovery | None = None
    #: This week's orders that came back undelivered (refused, or not deliverable: "RTO").
    returned_week: int = 0
    messages: list[ChannelMessages] = field(default_factory=list)


def _revenue(orders: list[Order], currency: str) -> Money:
    total = Money.zero(currency)
    for order in orders:
        if order.status not in NOT_REVENUE and order.currency == currency:
            total += order.total
    return total


def _columns(values: list[tuple[str, int, str]]) -> list[Bar]:
    """Vertical bars across the chart, scaled to the largest value."""
    top = max((v for _, v, _ in values), default=0) or 1
    slot = CHART_WIDTH / max(len(values), 1)
    bars = []
    for i, (label, value, text) in enumerate(values):
        height = round((CHART_HEIGHT - 14) * value / top, 1)  # room for the value above
        x = round(i * slot + slot * 0.15, 1)
        bars.append(Bar(label, text, x, CHART_HEIGHT - height, round(slot * 0.7, 1), height))
    return bars


def _rows(values: list[tuple[str, int, str]]) -> list[Bar]:
    """Horizontal bars, one per row, scaled to the largest value."""
    top = max((v for _, v, _ in values), default=0) or 1
    return [
        Bar(label, text, 0, i * 26, round(CHART_WIDTH * 0.6 * value / top, 1), 16)
        for i, (label, value, text) in enumerate(values)
    ]


async def shop_numbers(shop: Shop, now: datetime) -> Numbers:
    currency = shop.config.shop.currency
    locale = shop.config.shop.locale
    week = shop.time.last_days(now, 7)
    week_start, today = week[0].start, week[-1]
    orders = await shop.store.list_orders(since=week_start, limit=MAX_ORDERS)
    todays = [o for o in orders if o.created_at and today.holds(o.created_at)]
    days = []
    for day in week:
        placed = [o for o in orders if o.created_at and day.holds(o.created_at)]
        revenue = _revenue(placed, currency)
        days.append((day.date.strftime("%a"), revenue.minor, revenue.format(locale)))
    methods = Counter(o.payment_method for o in orders)
    mix = [
        (_method_label(shop, name, locale), count, f"{count} ({round(100 * count / len(orders))} %)")
        for name, count in methods.most_common()
    ]
    return Numbers(
        orders_today=len(todays),
        revenue_today=_revenue(todays, currency).format(locale),
        orders_week=len(orders),
        revenue_week=_revenue(orders, currency).format(locale),
        abandoned_carts=await shop.store.abandoned_carts(now - ABANDONED_AFTER, since=week_start),
        revenue_by_day=_columns(days),
        payment_mix=_rows(mix),
        truncated=len(orders) >= MAX_ORDERS,
        cash=_cash_confirmations(orders) if cod_confirm.settings(shop) is not None else None,
        carts=await _cart_recovery(shop, week_start, orders, now),
        messages=await _messages(shop, week[0].date, today.date, orders, todays),
        returned_week=sum(1 for o in orders if any(entry.get("new") == "returned" for entry in o.history)),
    )


async def _messages(
    shop: Shop, first: date, today: date, orders: list[Order], todays: list[Order]
) -> list[ChannelMessages]:
    """Messages sent per channel (counted as sent, on the shop's days) and what they cost."""
    locale = shop.config.shop.locale
    week: dict[str, Counter[str]] = {}
    day: dict[str, Counter[str]] = {}
    for when, channel, billing, count in await shop.store.message_counts(first):
        week.setdefault(channel, Counter())[billing] += count
        if when == today:
            day.setdefault(channel, Counter())[billing] += count
    placed_week = Counter(o.channel for o in orders)
    placed_today = Counter(o.channel for o in todays)
    rows = []
    for channel in sorted(set(week) | set(placed_week)):
        counts, counts_today = week.get(channel, Counter()), day.get(channel, Counter())
        sender = shop.channels.get(channel)
        rates = sender.message_rates() if sender is not None else None
        sent, placed = sum(counts.values()), placed_week[channel]

        def shown(amount: Decimal | None, rates: Rates | None = rates) -> str | None:
            return rates.money(amount).format(locale) if rates is not None and amount is not None else None

        cost = rates.cost(counts) if rates is not None else None
        rows.append(
            ChannelMessages(
                channel=channel,
                today=sum(counts_today.values()),
                week=sent,
                by_billing=dict(sorted(counts.items())),
                orders_today=placed_today[channel],
                orders_week=placed,
                cost_today=shown(rates.cost(counts_today) if rates is not None else None),
                cost_week=shown(cost),
                per_order=f"{Decimal(sent) / placed:.1f}" if placed else None,
                cost_per_order=shown(cost / placed if cost is not None and placed else None),
            )
        )
    return rows


async def _cart_recovery(shop: Shop, since: datetime, orders: list[Order], now: datetime) -> CartRecovery | None:
    """Carts reminded since ``since``; recovered: the customer placed an order (not cancelled or
    refunded) within ``[reminders] recovered_within_days`` after the reminder; its total is revenue
    recovered. An order counts for one reminder only."""
    config = shop.config.reminders
    if config.cart_after_minutes is None:
        return None
    within = timedelta(days=config.recovered_within_days)
    reminders = await shop.store.reminders_since("cart", since)
    placed = sorted((o for o in orders if o.created_at and o.status not in NOT_REVENUE), key=_placed_at)
    used: set[str] = set()
    recovered, revenue = 0, Money.zero(shop.config.shop.currency)
    for customer_key, sent_at in reminders:
        order = next(
            (o for o in placed if o.customer_key == customer_key and o.number not in used
             and sent_at < _placed_at(o) <= sent_at + within),
            None,
        )  # fmt: skip
        if order is None:
            continue
        used.add(order.number)
        recovered += 1
        if order.currency == revenue.currency:
            revenue += order.total
    shown = revenue.format(shop.config.shop.locale)
    return CartRecovery(len(reminders), recovered, shown, config.recovered_within_days)


def _placed_at(order: Order) -> datetime:
    assert order.created_at is not None
    return order.created_at


def _notes(order: Order) -> set[str]:
    return {str(entry.get("note", "")) for entry in order.history}


def _cash_confirmations(orders: list[Order]) -> CashConfirmations:
    """Cash orders placed this week, by their confirmation: each order counted once, by what it came to."""
    confirmed = waiting = switched = given_up = 0
    for order in orders:
        notes = _notes(order)
        placed_as_cash = any(entry.get("old") is None and entry.get("new") == "cod_pending" for entry in order.history)
        if not placed_as_cash:
            continue
        if cod_confirm.CONFIRMED_NOTE in notes:
            confirmed += 1
        elif any(note.startswith(cod_confirm.SWITCHED_NOTE) for note in notes):
            switched += 1
        elif cod_confirm.UNCONFIRMED_NOTE in notes:
            given_up += 1
        elif order.status == OrderStatus.COD_PENDING:
            waiting += 1
    return CashConfirmations(confirmed, waiting, switched, given_up)


def _method_label(shop: Shop, name: str, locale: str) -> str:
    method = shop.payment_methods.get(name)
    key = getattr(method, "label_key", None) if method else None
    if key:
        try:
            return shop.text(locale, key)
        except (KeyError, ValueError):
            pass
    return name
