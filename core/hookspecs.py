"""Every door into the core: the hooks a chatshop plugin may implement.

pluggy calls hooks synchronously. The event hooks (``price_cart``, ``retax_order``, ``validate_checkout``,
``order_placed``, ``order_status_changed``, ``order_refunded``, ``payment_updated``, ``startup``, ``shutdown``) may be
``async def``: the core awaits whatever they return. The ``register_*`` hooks, ``check_config`` and ``load_catalog`` run
while the shop is built and must be plain ``def``: an ``async def`` one stops the shop at start-up.
``shop`` is the running shop; :class:`chatshop.api.Shop` says what a plugin may use of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click
    from aiohttp import web

    from chatshop.api import Shop
    from chatshop.catalog import Catalog
    from chatshop.channels import Channel
    from chatshop.checkout import Checkout, CheckoutProblem
    from chatshop.config import ConfigProblem, ShopConfig
    from chatshop.dialog.feature import DialogFeature
    from chatshop.jobs import JobHandler
    from chatshop.money import Money
    from chatshop.orders import Order, OrderStatus
    from chatshop.payments import PaymentEvent, PaymentMethod
    from chatshop.pricing import Quote

hookspec = pluggy.HookspecMarker("chatshop")
hookimpl = pluggy.HookimplMarker("chatshop")


@hookspec
def register_channels(register: Callable[[type[Channel]], None]) -> None:
    """Contribute messenger channels: call ``register(ChannelClass)`` for each.

    A channel is used only when ``shop.toml`` has a ``[channels.NAME]`` section for it.
    """


@hookspec
def register_payment_methods(register: Callable[[type[PaymentMethod]], None]) -> None:
    """Contribute payment methods: call ``register(PaymentMethodClass)`` for each.

    A method is offered only when ``shop.toml`` has an enabled ``[payments.NAME]`` section.
    """


@hookspec
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    """Contribute customer-facing texts: call ``register(locale, {key: text})`` for each locale.

    Start keys with your plugin's name (``whatsapp_pay_request``). Shops override them under
    ``[texts.LOCALE]`` like the core's own; a locale you do not cover falls back to English.
    """


@hookspec
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    """Contribute to the conversation: call ``register(DialogFeature(name=..., ...))`` for each feature.

    A feature brings actions behind choice-id prefixes, command words (text keys you register with
    ``register_texts``, so shops override them per locale), questions, checkout steps in a declared
    order, interceptors that run before the shopping dialog, and its own per-customer state (see
    :mod:`chatshop.dialog.feature`). The built-in menu, browse, cart, checkout and orders are
    features registered through this hook. Two features claiming the same prefix, command word,
    step or inbound kind stop the shop at start-up with an error naming both.
    """


@hookspec
def register_jobs(register: Callable[[str, JobHandler], None]) -> None:
    """Contribute kinds of scheduled job: call ``register(kind, handler)`` for each.

    ``handler(shop, job)`` (plain or ``async def``) runs when a job of that kind falls due, once
    across all workers, even after a restart (see :mod:`chatshop.jobs`); schedule one with
    ``shop.jobs.schedule(kind, key, due_at, payload)``. A handler that raises is tried again later.
    """


@hookspec
def register_routes(shop: Shop, router: web.UrlDispatcher) -> None:
    """Add HTTP routes that are not webhooks (a web chat page, a dashboard, a payment page)."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``chatshop`` command line (``chatshop wechat menu ...``)."""


@hookspec
def check_config(config: ShopConfig) -> list[ConfigProblem] | None:
    """Problems in the ``shop.toml`` keys your plugin reads outside its own ``[channels.NAME]`` or
    ``[payments.NAME]`` section (those the core validates with your ``Config`` model).

    Called while the shop is built, so ``chatshop check`` and start-up both refuse a bad key with
    its path (``catalog.sources.shopify.token_env: ...``) before anything runs. Plain ``def``.
    """


@hookspec(firstresult=True)
def load_catalog(shop: Shop, source: str) -> Catalog | None:
    """Load the catalog from a ``[catalog] file``; None if the file is not yours.

    Asked first for every file (a ``.csv`` may be a Shopify export: the built-in
    ``catalog_imports`` plugin reads those); when every plugin says None, the core reads ``.csv``
    and ``.json`` itself. Inline ``[[catalog.products]]`` are added to what was loaded.
    """


@hookspec
def price_cart(shop: Shop, quote: Quote) -> None:
    """Add visible lines to a quote: delivery fee, payment fee, discount, tax.

    Call ``quote.add(code, amount, label=...)``; every implementation sees the lines added before it.
    """


@hookspec
def retax_order(shop: Shop, order: Order, quote: Quote) -> None:
    """Tax ``order`` anew for what it now charges: the lines besides its goods changed after it was
    placed (a cash order paid online instead, its cash fee gone, a discount for paying ahead).

    ``quote`` holds the order's goods and those lines, its old tax lines among them: replace the
    tax lines you own with ones for what is charged now, and put the breakdown its invoice needs
    in ``quote.extras`` under your plugin's name (``None`` there removes an old one). The core then
    charges ``quote.adjustments`` and keeps ``quote.extras`` with the order. Without a tax plugin
    the lines stay as they are.
    """


@hookspec
def validate_checkout(shop: Shop, checkout: Checkout, quote: Quote) -> Sequence[str | CheckoutProblem] | None:
    """Return problems the customer must fix before the order can be placed: texts to show them,
    or :class:`~chatshop.checkout.CheckoutProblem` to name the checkout step that asks again."""


@hookspec
def order_placed(shop: Shop, order: Order) -> None:
    """An order was placed (stock reserved); notify, fulfil, export.

    Owed until every implementation returns (see :mod:`chatshop.order_effects`): after a crash,
    or when any plugin's implementation raised, it is called again by a sweeper, late and more
    than once, so it must be safe to repeat."""


@hookspec
def order_status_changed(shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
    """An order moved from ``old`` to ``new`` (already saved; the customer is being told).

    Owed like ``order_placed``: it may come late, when ``order`` has moved on (decide by ``old``
    and ``new``), and more than once."""


@hookspec
def payment_updated(shop: Shop, order: Order, event: PaymentEvent) -> None:
    """A verified payment event was applied to ``order`` (paid, expired, refunded, ...)."""


@hookspec
def order_refunded(shop: Shop, order: Order, amount: Money) -> None:
    """``amount`` went back to the customer of ``order`` through the shop: a refund of its own
    through the payment method (the dashboard's Refund, ``chatshop refund``, a paid order cancelled
    or come back undelivered), or one the shop recorded itself (cash given back by UPI or bank
    transfer). An invoice is credited, an export told. A refund made in the provider's own
    dashboard comes as ``payment_updated`` instead."""


@hookspec
def catalog_changed(shop: Shop, product_ids: Sequence[str]) -> None:
    """Prices, stock or products changed while the shop runs: a staff member's edit on the
    dashboard, a live catalog source refreshed (``product_ids``: the SKUs concerned).

    Not called for orders (``order_placed`` and ``order_status_changed`` say those). Keep it quick:
    schedule a job (``shop.jobs.schedule``) for slow work; a staff member is waiting.
    """


@hookspec
def startup(shop: Shop) -> None:
    """The shop is ready: storage open, channels and payment methods built, HTTP session up."""


@hookspec
def shutdown(shop: Shop) -> None:
    """The shop is stopping; inbound traffic has stopped and queued work was drained."""


def _hookspec_names() -> list[str]:
    return [name for name, value in globals().items() if hasattr(value, "chatshop_spec")]


HOOK_NAMES: list[str] = _hookspec_names()
__all__ = ["HOOK_NAMES", "hookimpl", "hookspec"]
