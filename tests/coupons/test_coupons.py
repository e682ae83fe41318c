"""Coupons at checkout on the terminal channel: a code however typed, the discount as its own line,
every reason a code does not apply told precisely, uses counted when the order is placed and given
back when it is cancelled."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from chatshop.config import ConfigError, parse_config
from chatshop.orders import OrderStatus
from chatshop.testing import ShopHarness, running_shop
from tests.legal.shops import german_shop, plain
from tests.web.admin_client import login

ADMIN_TOKEN = "hofladen-admin-token-0123"

ADDRESS = "Hauptstraße 5, 10115 Berlin"

COUPONS = """
[[discounts]]
code = "SOMMER10"
percent = "10"
max_uses = 1

[[discounts]]
code = "OBST2"
amount = "2.00"
min_total = "5.00"
categories = ["Obst"]

[[discounts]]
code = "ALT"
percent = "5"
valid_until = 2020-12-31

[[discounts]]
code = "BALD"
percent = "5"
valid_from = 2099-01-01

[[discounts]]
code = "GROSS"
amount = "10.00"
min_total = "40.00"

[[discounts]]
code = "EINMAL"
percent = "20"
max_uses_per_customer = 1
"""


async def say(h: ShopHarness, who: str, text: str) -> str:
    return plain(await h.say(who, text))


async def choose(h: ShopHarness, who: str, choice_id: str) -> str:
    return plain(await h.choose(who, choice_id))


async def to_coupon_question(h: ShopHarness, who: str, *products: str) -> str:
    for product in products:
        await choose(h, who, f"add:{product}:1")
    await choose(h, who, "checkout")
    return await say(h, who, ADDRESS)


async def test_a_code_typed_with_odd_spacing_and_case_is_a_visible_discount_line(tmp_path: Path) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        asked = await to_coupon_question(h, "anna", "honig", "apfel")
        assert "Haben Sie einen Gutschein?" in asked
        reply = await say(h, "anna", "  sommer 10 ")
        assert "Gutschein SOMMER10 eingelöst: 1,14 € Rabatt." in reply  # 10 % of 11,39 €, half up
        assert "Gutschein SOMMER10: -1,14 €" in reply
        assert "Summe: 15,15 €" in reply  # 11,39 + 4,90 delivery - 1,14
        await choose(h, "anna", "confirm")
        (order,) = await h.shop.store.list_orders()
        assert ("coupon:SOMMER10", order.adjustments[-1][1]) == order.adjustments[-1]
        assert order.adjustments[-1][1].minor == -114 and order.total.minor == 1515
        assert order.extras["coupons"] == [{"key": "SOMMER10", "code": "SOMMER10", "name": None, "amount_minor": 114}]


@pytest.mark.parametrize("typed", ["  kein Gutschein ", "Nein", "nein danke", "überspringen", "no"])
async def test_no_coupon_typed_out_goes_on_without_one(tmp_path: Path, typed: str) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        await to_coupon_question(h, "anna", "honig")
        summary = await say(h, "anna", typed)
        assert "kennen wir nicht" not in summary and "Bitte prüfen Sie Ihre Bestellung" in summary
        assert "Summe: 12,80 €" in summary


async def test_a_shop_code_named_like_a_no_is_still_the_code(tmp_path: Path) -> None:
    async with running_shop(german_shop(COUPONS + '\n[[discounts]]\ncode = "NEIN"\npercent = "5"\n'), tmp_path) as h:
        await to_coupon_question(h, "anna", "honig")
        assert "Gutschein NEIN eingelöst" in await say(h, "anna", "nein")


@pytest.mark.parametrize(
    ("typed", "products", "told"),
    [
        ("NOPE12", ["honig"], "Den Code NOPE12 kennen wir nicht."),
        ("alt", ["honig"], "Der Gutschein ALT ist am 31.12.2020 abgelaufen."),
        ("Bald", ["honig"], "Der Gutschein BALD gilt ab 01.01.2099."),
        ("obst2", ["honig"], "Der Gutschein OBST2 gilt nur für Obst: nichts in Ihrem Warenkorb."),
        ("obst2", ["apfel"], "Der Gutschein OBST2 gilt ab einem Bestellwert von 5,00 € (Ihrer: 3,49 €)."),
        ("GROSS", ["honig"], "Der Gutschein GROSS gilt ab einem Bestellwert von 40,00 € (Ihrer: 7,90 €)."),
    ],
)
async def test_a_code_that_does_not_apply_is_told_why(
    tmp_path: Path, typed: str, products: list[str], told: str
) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        await to_coupon_question(h, "anna", *products)
        reply = await say(h, "anna", typed)
        assert told in reply
        assert "eingelöst" not in reply and "gespeichert" not in reply
        summary = await choose(h, "anna", "coupon:none")
        assert "-" not in summary.split("Zwischensumme")[1].split("Lieferadresse")[0]  # no discount line


async def test_the_last_use_goes_to_one_order_and_a_cancel_gives_it_back(tmp_path: Path) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        await to_coupon_question(h, "anna", "honig")
        await say(h, "anna", "SOMMER10")
        await to_coupon_question(h, "bert", "honig")
        await say(h, "bert", "SOMMER10")  # both hold the code: one use is left
        placed = await choose(h, "anna", "confirm")
        assert "Ihre Bestellung" in placed
        raced = await choose(h, "bert", "confirm")
        assert "Der Gutschein SOMMER10 ist bereits aufgebraucht." in raced
        assert "Summe: 12,80 €" in raced  # the summary again, without the discount: nothing placed yet
        assert len(await h.shop.store.list_orders(customer_key="terminal:bert")) == 0
        assert await h.shop.store.claim_counts(["discount:SOMMER10"]) == {"discount:SOMMER10": 1}
        (anna,) = await h.shop.store.list_orders(customer_key="terminal:anna")
        await h.shop.move_order(anna.number, OrderStatus.CANCELLED)
        assert await h.shop.store.claim_counts(["discount:SOMMER10"]) == {"discount:SOMMER10": 0}
        await to_coupon_question(h, "carl", "honig")
        assert "eingelöst" in await say(h, "carl", "sommer10")


async def test_once_per_customer(tmp_path: Path) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        await to_coupon_question(h, "anna", "honig")
        await say(h, "anna", "einmal")
        await choose(h, "anna", "confirm")
        await to_coupon_question(h, "anna", "honig")
        assert "Sie haben den Gutschein EINMAL bereits eingelöst." in await say(h, "anna", "EINMAL")


async def test_a_code_typed_before_checkout_is_kept_for_it(tmp_path: Path) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        await say(h, "anna", "hallo")
        assert "Gutschein SOMMER10 gespeichert" in await say(h, "anna", "Sommer10")
        await choose(h, "anna", "add:honig:1")
        await choose(h, "anna", "checkout")
        summary = await say(h, "anna", ADDRESS)  # no coupon question: the code is held already
        assert "Gutschein SOMMER10: -0,79 €" in summary


async def test_a_code_typed_at_the_summary_shows_it_again_with_the_discount(tmp_path: Path) -> None:
    async with running_shop(german_shop(COUPONS), tmp_path) as h:
        await to_coupon_question(h, "anna", "honig")
        before = await choose(h, "anna", "coupon:none")
        assert "Summe: 12,80 €" in before
        after = await say(h, "anna", "SOMMER10")
        assert "Gutschein SOMMER10: -0,79 €" in after and "Summe: 12,01 €" in after


async def test_an_automatic_discount_for_paying_online(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    online = """
[payments.stripe]
api_base_url = "http://127.0.0.1:9"

[[discounts]]
name = "5 % bei Online-Zahlung"
percent = "5"
payment_methods = ["online"]
combinable = true
"""
    async with running_shop(german_shop(online), tmp_path) as h:
        await choose(h, "anna", "add:honig:1")
        await choose(h, "anna", "checkout")
        await say(h, "anna", ADDRESS)
        by_card = await choose(h, "anna", "pay:stripe")
        assert "5 % bei Online-Zahlung: -0,40 €" in by_card and "Summe: 12,40 €" in by_card
        await choose(h, "anna", "checkout")
        await say(h, "anna", ADDRESS)
        in_cash = await choose(h, "anna", "pay:cod")
        assert "Online-Zahlung" not in in_cash and "Summe: 12,80 €" in in_cash


async def test_the_dashboard_lists_codes_with_uses_and_revenue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOFLADEN_ADMIN_TOKEN", ADMIN_TOKEN)
    admin = '[admin]\ntoken_env = "HOFLADEN_ADMIN_TOKEN"\n'
    async with running_shop(german_shop(COUPONS + admin), tmp_path) as h:
        await to_coupon_question(h, "anna", "honig")
        await say(h, "anna", "SOMMER10")
        await choose(h, "anna", "confirm")
        (use,) = await h.shop.store.claim_uses("discount:SOMMER")
        assert (use.used, use.orders, use.revenue_minor) == (1, 1, 1201)
        assert await login(h, ADMIN_TOKEN) == 303
        page = plain(await (await h.client.get("/admin/numbers")).text())
        row = page.split("SOMMER10", 1)[1].split("</tr>", 1)[0]
        assert "10 %" in row and "1 of 1" in row and "12,01 €" in row
        assert "EINMAL" in page and "0,00 €" in page.split("EINMAL", 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize(
    ("entry", "path", "message"),
    [
        ('code = "X1"\npercent = "10"', "discounts[0].code", "3 to 32 letters"),
        ('code = "ABC"\npercent = "120"', "discounts[0].percent", "less than or equal to 100"),
        ('code = "ABC"\namount = "10.00"', "discounts[0]", "amount 10.00 is larger than an order may be"),
        ('code = "ABC"\namount = "10.00"\nmin_total = "5.00"', "discounts[0]", "set min_total to at least 10.00"),
        ('code = "ABC"', "discounts[0]", "give either percent or amount"),
        ('percent = "5"', "discounts[0]", "needs a name"),
        ('code = "ABC"\npercent = "5"\nvalid_from = 2026-02-01\nvalid_until = 2026-01-01', "discounts[0]", "before"),
        ('code = "ABC"\npercent = "5"\npayment_methods = ["paypal"]', "discounts[0].payment_methods[0]", "paypal"),
    ],
)
def test_bad_discounts_name_their_key(entry: str, path: str, message: str) -> None:
    data = tomllib.loads(german_shop(f"[[discounts]]\n{entry}\n"), parse_float=Decimal)
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(path + ":") and message in p for p in problems), problems


def test_two_discounts_with_one_code() -> None:
    data = tomllib.loads(
        german_shop('[[discounts]]\ncode = "abc"\npercent = "5"\n[[discounts]]\ncode = " A B C "\npercent = "6"\n'),
        parse_float=Decimal,
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert "discounts[1].code: 'ABC' is already discounts[0]" in str(caught.value)
