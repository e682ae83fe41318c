"""A third-party plugin, installed through an entry point by the tests: a gift-card payment method
that exercises every hook of the contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from aiohttp import web

from chatshop.catalog import Catalog, Product
from chatshop.channels import Channel, SendResult
from chatshop.checkout import Checkout
from chatshop.config import ConfigProblem, ShopConfig
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.hookspecs import hookimpl
from chatshop.messages import Outbound
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentConfig, PaymentEvent, PaymentMethod, PaymentStart
from chatshop.pricing import Quote

CALLS: list[tuple[str, Any]] = []


class GiftCardConfig(PaymentConfig):
    balance: str = "100.00"


class GiftCard(PaymentMethod):
    name = "giftcard"
    Config = GiftCardConfig
    online = False
    label_key = "menu_help"  # any existing text key: the label shown at checkout

    async def start(self, order: Order) -> PaymentStart:
        return PaymentStart()


class Pigeon(Channel):
    name = "pigeon"

    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        return SendResult("coo")


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(GiftCard)


@hookimpl
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    register(Pigeon)


@hookimpl
def register_texts(register: Callable[[str, dict[str, str]], None]) -> None:
    register("en", {"giftcard_balance": "Balance: {amount}", "words_giftcard": "gift card, balance"})


def _balance(turn: Any, arg: str) -> None:
    CALLS.append(("register_dialog", arg))
    turn.say(turn.t("giftcard_balance", amount="₹100.00"))


async def _expire_card(shop: Any, job: Any) -> None:
    CALLS.append(("register_jobs", (job.key, job.payload["card"])))


@hookimpl
def check_config(config: ShopConfig) -> list[ConfigProblem]:
    """A shop's own wording of the balance text must still show the balance."""
    return [
        ConfigProblem(path=f"texts.{locale}.giftcard_balance", message="must keep {amount}")
        for locale, table in config.texts.items()
        if "{amount}" not in table.get("giftcard_balance", "{amount}")
    ]


@hookimpl
def register_jobs(register: Callable[[str, Any], None]) -> None:
    register("giftcard_expiry", _expire_card)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(
        DialogFeature(name="giftcard", actions={"giftcard": Action(_balance)}, commands={"words_giftcard": "giftcard"})
    )


@hookimpl
def register_routes(shop: Any, router: web.UrlDispatcher) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="gift cards here")

    router.add_get("/giftcards", hello)


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.command(name="giftcards")
    def giftcards() -> None:
        """List gift cards."""
        click.echo("no gift cards yet")


@hookimpl
def load_catalog(shop: Any, source: str) -> Catalog | None:
    if not source.endswith(".gift"):
        return None
    return Catalog([Product(id="card-500", title="Gift card ₹500", price=Money(50000, "INR"), category="Gifts")])


@hookimpl
async def price_cart(shop: Any, quote: Quote) -> None:
    if quote.payment_method == "giftcard":
        quote.add("discount", Money(-1000, quote.currency), label="Gift card bonus")


@hookimpl
async def retax_order(shop: Any, order: Order, quote: Quote) -> None:
    """A levy on what a switched order charges, and its record for the invoice."""
    CALLS.append(("retax_order", (order.number, tuple(a.code for a in quote.adjustments))))
    quote.add("giftcard_levy", Money(100, quote.currency), label="Gift card levy")
    quote.extras["giftcard"] = {"levy": 100}


@hookimpl
async def validate_checkout(shop: Any, checkout: Checkout, quote: Quote) -> list[str]:
    CALLS.append(("validate_checkout", checkout.postal_code))
    return ["We do not deliver gift cards to 400051."] if checkout.postal_code == "400051" else []


@hookimpl
def order_placed(shop: Any, order: Order) -> None:
    CALLS.append(("order_placed", order.number))


@hookimpl
async def order_status_changed(shop: Any, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    CALLS.append(("order_status_changed", (old.value, new.value)))


@hookimpl
def order_refunded(shop: Any, order: Order, amount: Money) -> None:
    CALLS.append(("order_refunded", (order.number, amount.minor)))


@hookimpl
def payment_updated(shop: Any, order: Order, event: PaymentEvent) -> None:
    CALLS.append(("payment_updated", event.event_id))


@hookimpl
async def catalog_changed(shop: Any, product_ids: list[str]) -> None:
    CALLS.append(("catalog_changed", tuple(product_ids)))


@hookimpl
async def startup(shop: Any) -> None:
    CALLS.append(("startup", shop.config.shop.name))


@hookimpl
def shutdown(shop: Any) -> None:
    CALLS.append(("shutdown", shop.config.shop.name))
