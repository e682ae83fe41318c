"""Cash on delivery: offered up to a limit and where the shop delivers, with an optional fee.

The order is placed as ``cod_pending`` and counts as paid when it is delivered: the courier
collects the cash (Vendure's "authorize now, settle later").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from chatshop.api import Shop
from chatshop.config import Amount, ConfigError, ConfigProblem, code_as_text
from chatshop.hookspecs import hookimpl
from chatshop.orders import Order, OrderStatus
from chatshop.payments import (
    PaymentConfig,
    PaymentContext,
    PaymentEvent,
    PaymentEventKind,
    PaymentMethod,
    PaymentStart,
)
from chatshop.plugins.dialog.cod_confirm import confirmation  # the dialog feature owns the question
from chatshop.pricing import Notice, Quote

#: The order's history note when the courier collected the cash.
CASH_COLLECTED = "cash collected"


class CashOnDeliveryConfig(PaymentConfig):
    max_order_total: Amount | None = None
    fee: Amount | None = None
    #: Postal codes where COD is offered (numbers allowed, as in [delivery]); default: all delivery areas.
    areas: list[Annotated[str, BeforeValidator(code_as_text)]] | None = None
    #: Ask the customer to confirm a cash order before it is packed (buttons: confirm / cancel).
    confirm: bool = False
    #: Remind a customer who has not confirmed after this long (0: no reminder).
    confirm_remind_minutes: float = 30
    #: What is done with an order still unconfirmed after this long (``confirm_unanswered``).
    confirm_cancel_minutes: float = Field(default=120, gt=0)
    #: ``cancel``: the order is cancelled (stock released, customer told); ``keep``: it waits for the shop.
    confirm_unanswered: Literal["cancel", "keep"] = "cancel"
    #: At confirmation, offer to pay online instead (any enabled online method the order may use).
    prepaid_offer: bool = False
    #: An amount off for paying online, shown as its own line of the order (the COD fee goes too).
    prepaid_discount: Amount | None = None
    #: A customer with this many cash orders that came back undelivered (refused, or not taken
    #: at the door) is offered online payment only (None: cash stays offered to everyone).
    max_returns: int | None = Field(default=None, ge=1)


class CashOnDelivery(PaymentMethod):
    name = "cod"
    Config = CashOnDeliveryConfig
    docs = "chatshop's docs/payments.md (cash on delivery)"
    online = False
    label_key = "payment_cod"
    config: CashOnDeliveryConfig

    def __init__(self, shop: Shop, config: CashOnDeliveryConfig) -> None:
        super().__init__(shop, config)
        problems = [
            ConfigProblem(path="payments.cod.areas", message=m)
            for m in _area_problems(config.areas, shop.config.delivery.areas)
        ]
        problems += _confirmation_problems(config)
        if problems:
            raise ConfigError(problems)

    def available(self, context: PaymentContext) -> bool:
        limit = self.config.max_order_total
        if limit is not None and context.total > limit:
            return False
        areas = self.config.areas
        if areas is None:
            return True
        return context.postal_code in {a.strip().upper().replace(" ", "") for a in areas}

    async def start(self, order: Order) -> PaymentStart:
        """Nothing to pay until the courier collects the cash; with ``confirm``, the customer is
        asked to confirm the order (the question is this method's message, in place of "placed")."""
        if not self.config.confirm:
            return PaymentStart()
        return PaymentStart(messages=(await confirmation(self.shop, order),))


def _confirmation_problems(config: CashOnDeliveryConfig) -> list[ConfigProblem]:
    """Confirmation settings that contradict each other, each with its key path."""
    problems = []
    if config.confirm_remind_minutes and config.confirm_remind_minutes >= config.confirm_cancel_minutes:
        problems.append(
            ConfigProblem(
                path="payments.cod.confirm_remind_minutes",
                message=f"{config.confirm_remind_minutes:g} is not less than confirm_cancel_minutes "
                f"({config.confirm_cancel_minutes:g}): the reminder must come before the order is given up",
            )
        )
    for key in ("prepaid_offer", "confirm_unanswered", "confirm_remind_minutes", "confirm_cancel_minutes"):
        if key in config.model_fields_set and not config.confirm:
            problems.append(ConfigProblem(path=f"payments.cod.{key}", message="goes with confirm = true"))
    if config.prepaid_discount is not None and not config.prepaid_offer:
        problems.append(ConfigProblem(path="payments.cod.prepaid_discount", message="goes with prepaid_offer = true"))
    return problems


def _area_problems(areas: list[str] | None, delivered: list[str]) -> list[str]:
    """COD areas that would never see an order: none at all, or places the shop does not deliver to."""
    if areas is None:
        return []
    if not areas:
        return ["offers cash on delivery nowhere: leave the key out for every delivery area, or set enabled = false"]
    served = set(delivered)
    return [
        f"{area} is not one of the [delivery] areas, so no order there is ever placed"
        for area in (a.strip().upper().replace(" ", "") for a in areas)
        if served and area not in served
    ]


@hookimpl
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    register(CashOnDelivery)


@hookimpl
async def price_cart(shop: Shop, quote: Quote) -> None:
    method = shop.payment_methods.get("cod")
    if not isinstance(method, CashOnDelivery):
        return
    if await _too_many_returns(shop, method.config, quote.customer_key):
        quote.withheld.add(method.name)
        quote.notices.append(Notice("cod_withheld"))
        return
    if quote.payment_method != "cod":
        return
    fee = method.config.fee
    if fee is not None and fee.minor > 0:
        quote.add("cod_fee", fee, label="Cash-on-delivery fee")


async def _too_many_returns(shop: Shop, config: CashOnDeliveryConfig, customer_key: str | None) -> bool:
    """Whether the customer's cash parcels came back ``max_returns`` times: a parcel refused at the
    door costs the shop both ways of delivery and the stock's time away, so cash is not offered
    to them again (paying online still is)."""
    limit = config.max_returns
    if limit is None or customer_key is None:
        return False
    returned = await shop.store.list_orders(customer_key=customer_key, statuses=[OrderStatus.RETURNED], limit=1000)
    return sum(1 for order in returned if order.payment_method == "cod") >= limit


@hookimpl
async def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """Delivered means the courier collected the cash: the order is paid, as a payment event the
    core applies once (its id is the order's: a retried hook pays nothing twice)."""
    if new == OrderStatus.DELIVERED and order.payment_method == "cod" and order.paid_amount == 0:
        collected = PaymentEvent(
            method="cod",
            event_id=f"delivered:{order.number}",
            kind=PaymentEventKind.PAID,
            order_number=order.number,
            amount=order.total,
            raw_status=CASH_COLLECTED,
        )
        await shop.apply_payment_event(collected)
