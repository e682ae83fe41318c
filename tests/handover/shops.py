"""The hand-over tests' shop: the small test shop with a dashboard (someone can answer) and
``[support]`` hours in Kolkata, and a way to set the shop's clock."""

from __future__ import annotations

from datetime import datetime

from chatshop.runtime import Shop
from tests.conftest import SHOP_TOML

HANDOVER_TOML = (
    SHOP_TOML
    + """
[admin]

[support]
timezone = "Asia/Kolkata"
idle_minutes = 60
after_not_understood = 3

[support.hours]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"
sat = "10:00-14:00"
"""
)


def at(shop: Shop, moment: datetime) -> None:
    """The shop's clock reads ``moment`` from now on (time moves, nobody sleeps)."""
    shop.clock = lambda: moment
