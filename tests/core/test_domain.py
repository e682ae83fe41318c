"""Catalog, cart, pricing and the order state machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatshop.cart import MAX_QUANTITY, Cart
from chatshop.catalog import Catalog, Product, load_catalog_file
from chatshop.money import Money
from chatshop.orders import TRANSITIONS, IllegalTransition, OrderStatus, check_transition, new_order_number
from chatshop.pricing import Quote

INR = "INR"


def product(pid: str, title: str, price: str = "10.00", category: str = "Other", **kw: object) -> Product:
    return Product(id=pid, title=title, price=Money.parse(price, INR), category=category, **kw)  # type: ignore[arg-type]


def test_search_ignores_case_and_accents_and_ranks_titles_first() -> None:
    catalog = Catalog(
        [
            product("latte", "Café Latte Premix", category="Beverages"),
            product("atta", "Aashirvaad ATTA 5 kg", category="Staples"),
            product("roti", "Roti maker", description="for atta dough"),
        ]
    )
    assert [p.id for p in catalog.search("cafe")] == ["latte"]
    assert [p.id for p in catalog.search("CAFÉ latte")] == ["latte"]
    assert [p.id for p in catalog.search("atta")] == ["atta", "roti"]
    assert catalog.search("   ") == []
    assert catalog.categories == ["Beverages", "Staples", "Other"]


def test_duplicate_product_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Catalog([product("a", "A"), product("a", "B")])


def test_catalog_from_csv_and_json(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("id,title,price,category,stock\nx,Ex,12.50,Cat,3\ny,Why,1,Cat,\n", encoding="utf-8")
    csv_products = load_catalog_file(tmp_path / "c.csv", INR)
    assert [(p.id, p.price.minor, p.stock) for p in csv_products] == [("x", 1250, 3), ("y", 100, None)]
    (tmp_path / "c.json").write_text(json.dumps({"products": [{"id": "z", "title": "Zed", "price": 0.1}]}))
    (json_product,) = load_catalog_file(tmp_path / "c.json", INR)
    assert json_product.price.minor == 10


def test_cart_keeps_the_price_seen_and_caps_quantities() -> None:
    cart = Cart(INR)
    cart.add("a", "A", Money(1000, INR), 2)
    cart.add("a", "A", Money(9999, INR), 1)  # a later price does not rewrite the line
    assert cart.line("a") is not None and cart.line("a").unit_price == Money(1000, INR)  # type: ignore[union-attr]
    assert cart.subtotal == Money(3000, INR)
    cart.set_quantity("a", 10_000)
    assert cart.line("a").quantity == MAX_QUANTITY  # type: ignore[union-attr]
    cart.add("b", "B", Money(1, INR))
    cart.set_quantity("a", 0)
    assert [ln.product_id for ln in cart.lines] == ["b"]
    cart.remove("b")
    assert not cart
    with pytest.raises(ValueError):
        cart.add("c", "C", Money(1, "EUR"))
    with pytest.raises(ValueError):
        cart.add("c", "C", Money(1, INR), 0)


def test_cart_json_round_trip() -> None:
    cart = Cart(INR)
    cart.add("a", "A", Money(1050, INR), 3)
    assert Cart.from_json(json.loads(json.dumps(cart.to_json()))).lines == cart.lines


def test_quote_adds_visible_lines_exactly() -> None:
    cart = Cart(INR)
    cart.add("a", "A", Money.parse("0.10", INR), 3)
    quote = Quote.for_cart(cart, "terminal")
    quote.add("delivery", Money.parse("30.00", INR))
    quote.add("discount", Money.parse("-0.30", INR))
    quote.add("delivery", Money.parse("20.00", INR))  # the same code replaces
    assert quote.subtotal == Money(30, INR)
    assert quote.total == Money(2000, INR)
    assert quote.amount_of("delivery") == Money(2000, INR)


def test_order_state_machine_allows_only_the_table() -> None:
    check_transition("X", OrderStatus.COD_PENDING, OrderStatus.SHIPPED)
    check_transition("X", OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
    with pytest.raises(IllegalTransition, match="cannot go from shipped to cancelled"):
        check_transition("X", OrderStatus.SHIPPED, OrderStatus.CANCELLED)
    with pytest.raises(IllegalTransition):
        check_transition("X", OrderStatus.PENDING_PAYMENT, OrderStatus.SHIPPED)
    assert TRANSITIONS[OrderStatus.REFUNDED] == frozenset()
    assert set(TRANSITIONS) == set(OrderStatus)


def test_order_numbers_are_readable() -> None:
    numbers = {new_order_number() for _ in range(500)}
    assert len(numbers) == 500
    for number in numbers:
        assert len(number) == 7 and number[3] == "-"
        assert not set(number) & set("01OIL")
    # every position draws from the whole alphabet (a biased draw would repeat a few characters)
    for position in (0, 2, 4, 6):
        assert len({number[position] for number in numbers}) >= 25
