"""What a plugin may use of the running shop: the :class:`Shop` every hook and plugin object receives.

This is the stable surface (see ``docs/plugins.md``, "The plugin API"): a plugin typed against it
keeps working across chatshop's minor versions. The runtime object (:class:`chatshop.runtime.Shop`)
has more, for the core's own use; anything not here may change without notice, and a type checker
flags a plugin that reaches for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import aiohttp

    from chatshop.catalog import Catalog, Product
    from chatshop.channels import Capabilities, Channel
    from chatshop.config import ShopConfig
    from chatshop.dialog.turn import ProductView
    from chatshop.jobs import Jobs
    from chatshop.kv import KeyValueSpace
    from chatshop.messages import DeliveryReport, Inbound, Outbound
    from chatshop.money import Money
    from chatshop.orders import Order, OrderStatus
    from chatshop.payments import PaymentEvent, PaymentMethod
    from chatshop.shoptime import ShopTime

__all__ = ["OrderBook", "Shop"]


class OrderBook(Protocol):
    """The store's plugin-facing part: ``shop.store``. Orders are read here and moved through the shop."""

    async def get_order(self, number: str) -> Order | None:
        """The order with this number (``K7M-4QX``), or None."""
        ...

    async def list_orders(
        self,
        *,
        customer_key: str | None = None,
        statuses: Iterable[OrderStatus] | None = None,
        search: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Order]:
        """Orders, newest first: of one customer, in some states, matching a search, since a time."""
        ...

    async def forget_customer(self, customer_key: str) -> int:
        """Erase a customer's conversation, messages and kv entries (their orders stay); rows removed."""
        ...


class Shop(Protocol):
    """The running shop as a plugin sees it (``self.shop`` of a channel or payment method, ``shop``
    in hooks)."""

    @property
    def config(self) -> ShopConfig:
        """``shop.toml`` as validated: ``config.shop.name``, ``.currency``, ``.locale``; ``config.resolve(path)``."""
        ...

    @property
    def catalog(self) -> Catalog:
        """The products: ``get(id)``, ``search(text)``, ``categories()``, ``in_category(name)``."""
        ...

    @property
    def store(self) -> OrderBook: ...

    @property
    def channels(self) -> Mapping[str, Channel]:
        """The enabled channels by name."""
        ...

    @property
    def payment_methods(self) -> Mapping[str, PaymentMethod]:
        """The enabled payment methods by name."""
        ...

    @property
    def locales(self) -> list[str]:
        """The languages the shop offers, its default first."""
        ...

    @property
    def http(self) -> aiohttp.ClientSession:
        """The shop's one HTTP client session (set once the shop started): use it for every API call."""
        ...

    @property
    def jobs(self) -> Jobs:
        """Durable scheduled work: ``await schedule(kind, key, due_at, payload)``, ``await cancel(kind, key)``."""
        ...

    def kv(self, namespace: str) -> KeyValueSpace:
        """Your plugin's own durable key-value space, shared by every worker (:mod:`chatshop.kv`)."""
        ...

    async def receive(self, inbound: Inbound) -> bool:
        """Put a customer's message in the durable inbox; False for a duplicate. Answer the
        messenger's webhook only after this returned: then the message cannot be lost."""
        ...

    async def report_delivery(self, report: DeliveryReport) -> None:
        """Record what the messenger says became of a message the shop sent."""
        ...

    async def notify(self, customer_key: str, *messages: Outbound) -> None:
        """Send messages to a customer outside a turn (lowered, fitted and queued like any reply)."""
        ...

    async def apply_payment_event(self, event: PaymentEvent) -> Order | None:
        """Apply a verified provider event: once, only when amount and currency match; None for an
        unknown order. An event the order's state refuses (expired after paid) is logged, not raised.
        A method with ``online = False`` reports cash it collected as a PAID event on the delivered order."""
        ...

    async def move_order(self, number: str, new: OrderStatus, note: str = "") -> Order:
        """Move an order along its state table and tell the customer; raises IllegalTransition."""
        ...

    async def refund_order(self, number: str, amount: Money | None = None) -> Order:
        """Refund a paid order (all of what is left, or ``amount``) through its payment method."""
        ...

    async def customer_locale(self, customer_key: str) -> str:
        """The language a customer's conversation is in."""
        ...

    async def record_consent(self, customer_key: str, opted_in: bool, *, at: datetime) -> bool:
        """The customer's yes or no to marketing as their messenger reported it (WhatsApp's "Stop
        promotions"), kept as their word as of ``at``; False when a newer word is kept already (a
        webhook redelivered late never undoes what the customer said since)."""
        ...

    async def last_message_at(self, customer_key: str) -> datetime | None:
        """When the customer's newest message reached the shop (None: they never wrote): a
        messenger's reply window (WhatsApp 24 h, WeChat 48 h) counts from it."""
        ...

    def text(self, locale: str, key: str, **values: object) -> str:
        """A customer-facing text in ``locale`` (the shop's overrides first, then English)."""
        ...

    def public_url(self, path: str) -> str:
        """An absolute URL of this shop (``[server] public_url``) for webhooks and return pages."""
        ...

    def secret(self, variable: str) -> str:
        """The secret in an environment variable your config names with a ``*_env`` key."""
        ...

    def now(self) -> datetime:
        """The current time (UTC, aware); tests move it."""
        ...

    @property
    def time(self) -> ShopTime:
        """The shop's wall clock (``[shop] timezone``): ``time.clock(moment)`` as customers read it."""
        ...

    def channel_capabilities(self, name: str) -> Capabilities | None:
        """What an installed channel plugin can show (``whatsapp``), enabled in this shop or not;
        None for a channel no plugin provides."""
        ...

    def lowered(self, messages: Sequence[Outbound], capabilities: Capabilities, locale: str) -> list[Outbound]:
        """``messages`` as the core hands them to a channel with ``capabilities`` (buttons, else a
        list, else a numbered menu; product cards, else pictures, else text): to show a customer
        what another messenger would get."""
        ...

    async def replace_catalog(self, catalog: Catalog) -> list[str]:
        """Sell ``catalog`` from now on, on this worker (a live catalog source refreshed): swapped
        whole (a turn under way keeps the one it started with), the inventory seeded (new products
        counted; a stock figure changed since the last catalog applied once, so sales since are not
        counted twice), and ``catalog_changed`` told of the SKUs added, gone or changed, which are
        returned."""
        ...

    async def product_views(self, products: Sequence[Product], *, fresh: bool = False) -> list[ProductView]:
        """Products as a customer sees them now: live price, stock and whether they are on sale
        (``fresh``: as the database holds them this moment, for a price the customer will pay)."""
        ...
