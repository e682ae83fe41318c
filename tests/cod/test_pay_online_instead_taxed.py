"""Paying online instead in a shop that charges GST on top of its prices: the tax is the tax of
what is now charged. Before, the order kept the GST lines of the cash order, so the customer paid
GST on a COD fee that was gone, and on goods at their price before the discount for paying online
(India's taxable value is net of a discount given with the sale); the invoice said the same."""

from __future__ import annotations

from chatshop.money import Money
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order, toml

OFFER = 'prepaid_offer = true\nprepaid_discount = "10.00"'
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
"""


async def test_paying_online_instead_charges_gst_on_what_is_now_charged(
    razorpay_api: FakeRazorpay, api: str, cod_shop: CodShop
) -> None:
    async with cod_shop(toml("sqlite:///shop.db", OFFER, razorpay_api, api) + GST) as h:
        order, reply = await cash_order(h)
        # 245 atta at 5% (12.25), 30 delivery and 20 COD fee at 18% (9.00), in CGST and SGST halves
        assert order.total == Money(31626, "INR")
        # Online: 235 atta after the ₹10 off at 5% (11.76), 30 delivery at 18% (5.40)
        assert "save ₹34.10" in reply
        reply = await h.say("asha", "2")  # Pay online
        switched = await h.shop.store.get_order(order.number)
        assert switched is not None
        assert dict(switched.adjustments) == {
            "delivery": Money(3000, "INR"),
            "prepaid_discount": Money(-1000, "INR"),
            "cgst:2.5": Money(588, "INR"),
            "sgst:2.5": Money(588, "INR"),
            "cgst:9": Money(270, "INR"),
            "sgst:9": Money(270, "INR"),
        }
        assert switched.total == Money(28216, "INR")
        assert "₹282.16" in reply and "you save ₹34.10" in reply
        assert razorpay_api.links[switched.payment_ref or ""]["amount"] == 28216
        tax = switched.extras["tax"]  # what the invoice shows
        assert [item["key"] for item in tax["items"]] == ["atta-5kg", "fee:delivery"]
        assert [group["base"] for group in tax["groups"]] == [23500, 3000]
