"""``[payments.cod] max_returns``: a customer whose cash parcels came back that many times is
offered online payment only, and told so in neutral words; everyone else still sees cash."""

from __future__ import annotations

from pathlib import Path

from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.razorpay import FakeRazorpay
from tests.cod.conftest import CodShop
from tests.cod.shops import cash_order, toml
from tests.operations.test_cli_order_faults import chatshop

WITHHELD = "Cash on delivery is not available for this order; please pay online."


async def to_summary(h: ShopHarness, customer: str) -> str:
    """Atta to an address in the area: the reply that offers the ways to pay (or the summary)."""
    await h.say(customer, "atta")
    await h.say(customer, "1")
    await h.say(customer, "1")
    return await h.say(customer, "Flat 4, Sea View, Bandra West, Mumbai 400050")


async def test_a_customer_who_refused_two_cash_parcels_is_offered_online_payment_only(
    cod_shop: CodShop, storage: str, razorpay_api: FakeRazorpay, api: str
) -> None:
    async with cod_shop(toml(storage, "max_returns = 2", razorpay_api, api)) as h:
        for _ in range(2):
            reply = await to_summary(h, "asha")
            assert "Cash on delivery" in reply and WITHHELD not in reply
            await h.say("asha", "cancel")
            order, _ = await cash_order(h, "asha")
            await h.shop.move_order(order.number, OrderStatus.SHIPPED)
            await h.shop.move_order(order.number, OrderStatus.RETURNED)
        reply = await to_summary(h, "asha")
        assert "Payment: Pay online" in reply and WITHHELD in reply
        assert "Cash on delivery" not in reply.replace(WITHHELD, "")  # neither offered nor chosen
        assert "Cash on delivery" in await to_summary(h, "ravi")  # another customer: cash as before


async def test_one_returned_parcel_is_not_enough(
    cod_shop: CodShop, storage: str, razorpay_api: FakeRazorpay, api: str
) -> None:
    async with cod_shop(toml(storage, "max_returns = 2", razorpay_api, api)) as h:
        order, _ = await cash_order(h, "asha")
        await h.shop.move_order(order.number, OrderStatus.SHIPPED)
        await h.shop.move_order(order.number, OrderStatus.RETURNED)
        reply = await to_summary(h, "asha")
        assert "Cash on delivery" in reply and WITHHELD not in reply


async def test_chatshop_check_names_a_bad_max_returns(tmp_path: Path) -> None:
    shop = tmp_path / "shop.toml"
    shop.write_text(toml("sqlite:///shop.db", "max_returns = 0"), encoding="utf-8")
    code, out, err = await chatshop("check", str(shop))
    assert code == 1 and "payments.cod.max_returns" in out + err and "Traceback" not in err
