"""Whether the shop's people can answer, and when they are there."""

from __future__ import annotations

from chatshop.hours import OpeningHours
from chatshop.runtime import Shop

__all__ = ["available", "opening_hours"]


def available(shop: Shop) -> bool:
    """Someone can answer: the shop has its dashboard (staff accounts, or the owner's token)."""
    return shop.config.dashboard


def opening_hours(shop: Shop) -> OpeningHours:
    """``[support] hours`` in ``[support] timezone`` (else the shop's); always open without the table."""
    support = shop.config.support
    timezone = support.timezone or shop.config.shop.timezone or "UTC"
    return OpeningHours.from_config(support.hours.by_day() if support.hours else None, timezone)
