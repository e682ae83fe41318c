"""India's place of supply: the state of a delivery address, from its PIN code or the state it
names, and an Indian order across a state border taxed with IGST end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatshop.india import state_of_address, state_of_code, state_of_pin
from chatshop.testing import running_shop
from tests.legal.shops import indian_shop

GST = """
[tax]
prices = "exclusive"
rate = "18"
home_state = "MH"
fees_hsn = "996812"

[[tax.rates]]
categories = ["Staples"]
rate = "5"
hsn = "1101"

[[tax.rates]]
products = ["ghee-1l"]
rate = "12"
hsn = "0405"
"""


@pytest.mark.parametrize(
    ("pin", "state"),
    [
        ("400050", "Maharashtra"),
        ("403001", "Goa"),
        ("560001", "Karnataka"),
        ("110001", "Delhi"),
        ("160017", "Chandigarh"),
        ("248001", "Uttarakhand"),
        ("226001", "Uttar Pradesh"),
        ("834001", "Jharkhand"),
        ("800001", "Bihar"),
        ("500001", "Telangana"),
        ("520001", "Andhra Pradesh"),
        ("737101", "Sikkim"),
        ("744101", "Andaman and Nicobar Islands"),
        ("682555", "Lakshadweep"),
        ("605001", "Puducherry"),
        ("795001", "Manipur"),
        ("194101", "Ladakh"),
        ("396210", "Dadra and Nagar Haveli and Daman and Diu"),
        ("600001", "Tamil Nadu"),
        ("700001", "West Bengal"),
        ("751001", "Odisha"),
    ],
)
def test_a_pin_code_names_its_state(pin: str, state: str) -> None:
    found = state_of_pin(pin)
    assert found is not None and found.name == state


def test_no_state_for_army_post_or_nonsense() -> None:
    assert state_of_pin("900001") is None and state_of_pin("12345") is None and state_of_pin("ABCDEF") is None


def test_a_state_written_in_the_address_wins_within_the_pins_zone() -> None:
    roorkee = state_of_address("Civil Lines, Roorkee, Uttarakhand 247667")
    assert roorkee is not None and roorkee.code == "UK"
    # A state from another zone is a mistake in the address, not a place of supply: the PIN wins.
    mumbai = state_of_address("Flat 3, Karnataka Bhavan Road, Mumbai 400050")
    assert mumbai is not None and mumbai.code == "MH"
    assert state_of_code("27") == state_of_code("mh") == state_of_code("IN-MH")
    assert state_of_code("OR") is not None and state_of_code("OR").name == "Odisha"  # type: ignore[union-attr]


async def test_an_interstate_indian_order_carries_igst(tmp_path: Path) -> None:
    async with running_shop(indian_shop(GST), tmp_path) as h:
        await h.choose("ravi", "add:atta-5kg:1")
        await h.choose("ravi", "add:ghee-1l:1")
        await h.choose("ravi", "checkout")
        summary = await h.say("ravi", "22 MG Road, Bengaluru 560001")
        assert "IGST 5%: ₹12.25" in summary and "IGST 12%: ₹73.50" in summary
        assert "CGST" not in summary and "Total: ₹943.25" in summary
        assert "Grievance officer: R. Sharma" in summary and "Seller: Kirana Corner Pvt Ltd" in summary
        await h.choose("ravi", "confirm")
        (order,) = await h.shop.store.list_orders()
        assert order.total.minor == 94325
        assert [(code, amount.minor) for code, amount in order.adjustments] == [("igst:5", 1225), ("igst:12", 7350)]
        tax = order.extras["tax"]
        assert tax["interstate"] is True and tax["place_of_supply"] == ["29", "Karnataka"]
        assert [(g["hsn"], g["base"]) for g in tax["groups"]] == [("1101", 24500), ("0405", 61250)]


async def test_within_maharashtra_it_is_cgst_and_sgst_and_delivery_is_taxed(tmp_path: Path) -> None:
    async with running_shop(indian_shop(GST), tmp_path) as h:
        await h.choose("mira", "add:atta-5kg:1")
        await h.choose("mira", "checkout")
        summary = await h.say("mira", "5 Linking Road, Bandra West, Mumbai 400050")
        for expected in (
            "Delivery: ₹30.00",
            "CGST 2.5%: ₹6.13",
            "SGST 2.5%: ₹6.13",
            "CGST 9%: ₹2.70",
            "Total: ₹292.66",
        ):
            assert expected in summary
