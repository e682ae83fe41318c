"""Delivery slots at checkout on the terminal: offered in the shop's time zone until their cut-off,
never when full, taken with the order (the last place raced goes to one order) and freed by a
cancel; bad slot keys named by their path."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from chatshop.config import ConfigError, parse_config
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from tests.legal.shops import german_shop, plain

SLOTS = """
[delivery.slots]
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
windows = ["09:00-12:00", "14:00-18:00"]
capacity = 1
cutoff_minutes = 60
days_ahead = 2
"""
ADDRESS = "Hauptstraße 5, 10115 Berlin"
#: Monday 1 June 2026, 07:30 in Berlin (05:30 UTC).
MONDAY_MORNING = datetime(2026, 6, 1, 5, 30, tzinfo=UTC)


def at(h: ShopHarness, moment: datetime) -> None:
    h.shop.clock = lambda: moment


async def to_slots(h: ShopHarness, who: str) -> str:
    await h.choose(who, "add:honig:1")
    await h.choose(who, "checkout")
    return plain(await h.say(who, ADDRESS))


async def test_a_customer_picks_a_slot_and_the_summary_and_the_order_carry_it(tmp_path: Path) -> None:
    async with running_shop(german_shop(SLOTS), tmp_path) as h:
        at(h, MONDAY_MORNING)
        offered = await to_slots(h, "anna")
        assert "Wann sollen wir liefern?" in offered
        assert "Mo., 1. Juni 09:00–12:00" in offered and "Di., 2. Juni 14:00–18:00" in offered
        summary = plain(await h.choose("anna", "slot:2026-06-01T14:00"))
        assert "Lieferzeit: Mo., 1. Juni 14:00–18:00" in summary
        await h.choose("anna", "confirm")
        (order,) = await h.shop.store.list_orders()
        assert order.extras["slots"] == {
            "key": "2026-06-01T14:00",
            "date": "2026-06-01",
            "start": "14:00",
            "end": "18:00",
        }
        assert await h.shop.store.claim_counts(["slot:2026-06-01T14:00"]) == {"slot:2026-06-01T14:00": 1}


async def test_a_slot_closes_at_its_cut_off_in_the_shops_time_zone(tmp_path: Path) -> None:
    async with running_shop(german_shop(SLOTS), tmp_path) as h:
        at(h, datetime(2026, 6, 1, 7, 1, tzinfo=UTC))  # 09:01 in Berlin: the morning is gone
        offered = await to_slots(h, "anna")
        assert "1. Juni 09:00" not in offered and "Mo., 1. Juni 14:00–18:00" in offered
        at(h, datetime(2026, 6, 1, 11, 0, tzinfo=UTC))  # 13:00: the afternoon closed at 13:00 too
        await h.choose("anna", "checkout")
        assert "1. Juni 14:00" not in plain(await h.say("anna", ADDRESS))
        told = plain(await h.choose("anna", "slot:2026-06-01T14:00"))  # an old list's row
        assert "nicht mehr frei" in told


async def test_a_slot_that_closes_while_the_summary_is_read_asks_for_a_slot_not_the_address(tmp_path: Path) -> None:
    async with running_shop(german_shop(SLOTS), tmp_path) as h:
        at(h, MONDAY_MORNING)
        await to_slots(h, "anna")
        await h.choose("anna", "slot:2026-06-01T09:00")
        at(h, datetime(2026, 6, 1, 6, 30, tzinfo=UTC))  # 08:30: the morning closed at 08:00
        told = plain(await h.choose("anna", "confirm"))
        assert "Die gewählte Lieferzeit ist nicht mehr buchbar" in told
        assert "Wann sollen wir liefern?" in told and "1. Juni 09:00" not in told.split("liefern?")[1]
        assert "Wohin sollen wir liefern?" not in told  # the address stands
        summary = plain(await h.choose("anna", "slot:2026-06-01T14:00"))
        assert "Lieferzeit: Mo., 1. Juni 14:00–18:00" in summary and ADDRESS in summary
        assert await h.shop.store.list_orders() == []


async def test_sunday_and_closed_days_have_no_slots(tmp_path: Path) -> None:
    closed = SLOTS.replace("days_ahead = 2", "days_ahead = 3\nclosed = [2026-06-09]")
    async with running_shop(german_shop(closed), tmp_path) as h:
        at(h, datetime(2026, 6, 7, 8, 0, tzinfo=UTC))  # Sunday 7 June
        offered = await to_slots(h, "anna")
        assert "7. Juni" not in offered and "9. Juni" not in offered and "Mo., 8. Juni 09:00–12:00" in offered


async def test_the_last_place_goes_to_one_order_and_a_cancel_frees_it(tmp_path: Path) -> None:
    async with running_shop(german_shop(SLOTS), tmp_path) as h:
        at(h, MONDAY_MORNING)
        await to_slots(h, "anna")
        await h.choose("anna", "slot:2026-06-01T09:00")
        await to_slots(h, "bert")
        await h.choose("bert", "slot:2026-06-01T09:00")  # both see the last place in their summary
        await h.choose("anna", "confirm")
        raced = plain(await h.choose("bert", "confirm"))
        assert "Diese Lieferzeit hat gerade eine andere Bestellung bekommen" in raced
        assert "Wann sollen wir liefern?" in raced and "1. Juni 09:00" not in raced.split("liefern?")[1]
        assert await h.shop.store.list_orders(customer_key="terminal:bert") == []
        full = await to_slots(h, "carl")
        assert "1. Juni 09:00" not in full  # a full slot is not offered
        (anna,) = await h.shop.store.list_orders(customer_key="terminal:anna")
        await h.shop.move_order(anna.number, OrderStatus.CANCELLED)
        await h.choose("carl", "checkout")
        assert "Mo., 1. Juni 09:00–12:00" in plain(await h.say("carl", ADDRESS))


async def test_no_free_slot_is_said(tmp_path: Path) -> None:
    one = SLOTS.replace('windows = ["09:00-12:00", "14:00-18:00"]', 'windows = ["09:00-12:00"]').replace(
        "days_ahead = 2", "days_ahead = 1"
    )
    async with running_shop(german_shop(one), tmp_path) as h:
        at(h, MONDAY_MORNING)
        await to_slots(h, "anna")
        await h.choose("anna", "slot:2026-06-01T09:00")
        await h.choose("anna", "confirm")
        assert "keine Lieferzeit frei" in await to_slots(h, "bert")


@pytest.mark.parametrize(
    ("slots", "path", "message"),
    [
        ('windows = ["18:00-14:00"]\ncapacity = 5', "delivery.slots.windows", "'18:00-14:00' ends before it starts"),
        ('windows = ["9-12"]\ncapacity = 5', "delivery.slots.windows", "expected a window such as"),
        ('windows = ["09:00-12:00"]\ncapacity = 0', "delivery.slots.capacity", "greater than or equal to 1"),
        ('windows = ["09:00-12:00"]\ncapacity = 5\ndays = ["mon", "fun"]', "delivery.slots.days[1]", "'mon'"),
        ('windows = ["09:00-12:00"]\ncapacity = 5\ncutoff_minutes = -5', "delivery.slots.cutoff_minutes", "0"),
    ],
)
def test_bad_slots_name_their_key(slots: str, path: str, message: str) -> None:
    data = tomllib.loads(german_shop(f"[delivery.slots]\n{slots}\n"), parse_float=Decimal)
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(path + ":") and message in p for p in problems), problems


def test_slots_need_the_shops_time_zone() -> None:
    data = tomllib.loads(german_shop(SLOTS).replace('timezone = "Europe/Berlin"', ""), parse_float=Decimal)
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert "shop.timezone: delivery slots are times of day in the shop's time zone" in str(caught.value)
    data = tomllib.loads(german_shop().replace("Europe/Berlin", "Europe/Berlinn"), parse_float=Decimal)
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert "shop.timezone: 'Europe/Berlinn' is not a time zone" in str(caught.value)
