"""Buy again: any past order's lines back in the cart at today's prices and stock, every change said."""

from __future__ import annotations

from pathlib import Path

from chatshop.orders import OrderStatus
from chatshop.testing import running_shop
from tests.legal.shops import german_shop, plain


async def test_buy_again_takes_todays_prices_and_stock_and_says_what_changed(tmp_path: Path) -> None:
    async with running_shop(german_shop(), tmp_path) as h:
        for choice in ("add:honig:2", "add:apfel:1", "add:messer:3", "checkout"):
            await h.choose("anna", choice)
        await h.say("anna", "Hauptstraße 5, 10115 Berlin")
        await h.choose("anna", "confirm")
        (order,) = await h.shop.store.list_orders()
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            await h.shop.move_order(order.number, status)
        await h.shop.store.update_inventory("honig", price_minor=849)
        await h.shop.store.update_inventory("apfel", active=False)
        await h.shop.store.update_inventory("messer", stock=2)
        detail = plain(await h.choose("anna", f"o:{order.number}"))
        assert "Nochmal kaufen" in detail
        again = plain(await h.choose("anna", f"again:{order.number}"))
        assert f"Seit Bestellung {order.number}:" in again
        assert "• Honig 500 g kostet jetzt 8,49 € (damals 7,90 €)." in again
        assert "• Äpfel 1 kg gibt es nicht mehr." in again
        assert "• Obstmesser: nur 2 von 3 verfügbar." in again
        cart = h.shop.store  # the cart is in the conversation: read it back
        state = (await cart.load_conversation("terminal:anna")).state["cart"]
        assert [(ln["product_id"], ln["quantity"], ln["unit_minor"]) for ln in state["lines"]] == [
            ("honig", 2, 849),
            ("messer", 2, 1299),
        ]


async def test_buy_again_with_nothing_left(tmp_path: Path) -> None:
    async with running_shop(german_shop(), tmp_path) as h:
        for choice in ("add:apfel:1", "checkout"):
            await h.choose("bert", choice)
        await h.say("bert", "Hauptstraße 5, 10115 Berlin")
        await h.choose("bert", "confirm")
        (order,) = await h.shop.store.list_orders()
        await h.shop.store.update_inventory("apfel", stock=0)
        again = plain(await h.choose("bert", f"again:{order.number}"))
        assert "• Äpfel 1 kg ist ausverkauft." in again and "ist gerade nichts zu haben" in again
        assert "unknown" not in again
        assert "kennen" not in plain(await h.choose("bert", "again:ZZZ-ZZZ"))
