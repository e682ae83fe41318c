"""The order page shows the shop what it needs to deliver (name, phone, address, pin), and logs none of it."""

from __future__ import annotations

import html

import structlog

from chatshop.messages import OrderLine
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus, new_order_number
from chatshop.testing import ShopHarness
from tests.web.admin_client import login

from .web_shop import web_toml

PHONE = "919812345678"
ADDRESS = "Flat 4, Sea View, 12 Hill Road, Bandra West, Mumbai 400050"


async def place(h: ShopHarness, customer_key: str, **details: str | None) -> str:
    number = new_order_number()
    line = OrderLine(product_id="atta-5kg", title="Aashirvaad Atta 5 kg", quantity=1, unit_price=Money(24500, "INR"))
    order = Order(number, customer_key, OrderStatus.COD_PENDING, (line,), (), "INR", "cod", f"k-{number}", **details)
    await h.shop.store.place_order(order)
    return number


async def test_a_whatsapp_order_shows_name_phone_address_and_pin_unmasked(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        number = await place(
            h,
            f"whatsapp:{PHONE}",
            contact_name="Asha Rao",
            address=ADDRESS,
            postal_code="400050",
            latitude="19.054999",
            longitude="72.840000",
        )
        assert await login(h) == 303
        with structlog.testing.capture_logs() as logs:
            page = html.unescape(await (await h.client.get(f"/admin/orders/{number}")).text())
            rows = html.unescape(await (await h.client.get("/admin/orders/rows?status=all")).text())
        assert "Asha Rao" in page and ADDRESS in page and "400050" in page
        assert f'href="tel:+{PHONE}"' in page and f">+{PHONE}<" in page
        assert f"https://wa.me/{PHONE}" in page
        assert "openstreetmap.org/?mlat=19.054999&mlon=72.840000" in page
        assert f"+{PHONE}" in rows and "Asha Rao" in rows and "WhatsApp" in rows
        logged = repr(logs)
        assert PHONE not in logged and "Asha" not in logged and "Sea View" not in logged


async def test_customers_without_a_phone_are_shown_by_messenger(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        number = await place(h, "wechat:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", address=ADDRESS, postal_code="400050")
        assert await login(h) == 303
        page = html.unescape(await (await h.client.get(f"/admin/orders/{number}")).text())
        assert "not given: reply in WeChat" in page and "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" in page
        assert "tel:" not in page and "wa.me" not in page and "openstreetmap" not in page


async def test_a_hostile_name_and_address_stay_text(make_shop: object) -> None:
    async with make_shop(web_toml(), terminal=False) as h:  # type: ignore[operator]
        number = await place(
            h,
            f"whatsapp:{PHONE}",
            contact_name='<img src=x onerror="alert(1)">',
            address='"><script>alert(2)</script>',
            latitude="javascript:alert(3)",
            longitude="1",
        )
        assert await login(h) == 303
        page = await (await h.client.get(f"/admin/orders/{number}")).text()
        assert "<script>alert(2)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
        assert "javascript:" not in page and "openstreetmap" not in page
