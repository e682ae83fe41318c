"""The plugin manager: built-ins, the ``chatshop`` entry-point group, and ``[plugins] modules``.

A thin typed facade over pluggy (the tox 4 pattern): one method per hook call site, so the core
reads as plain calls and a misspelled hook implementation fails loudly at start-up.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from types import CoroutineType
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar, cast

import pluggy

from chatshop import hookspecs
from chatshop.channels import Channel
from chatshop.checkout import CheckoutProblem
from chatshop.payments import PaymentMethod

if TYPE_CHECKING:
    import click
    from aiohttp import web

    from chatshop.catalog import Catalog
    from chatshop.checkout import Checkout
    from chatshop.config import ConfigProblem, ShopConfig
    from chatshop.dialog.feature import DialogFeature
    from chatshop.jobs import JobHandler
    from chatshop.money import Money
    from chatshop.orders import Order, OrderStatus
    from chatshop.payments import PaymentEvent
    from chatshop.pricing import Quote
    from chatshop.runtime import Shop

__all__ = ["BUILTIN_PLUGINS", "PluginError", "Plugins", "await_me_maybe"]

#: Built-in plugins, registered exactly as a third-party package's would be.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "chatshop.plugins.dialog.menu",
    "chatshop.plugins.dialog.browse",
    "chatshop.plugins.dialog.cart",
    "chatshop.plugins.dialog.checkout",
    "chatshop.plugins.dialog.addresses",
    "chatshop.plugins.dialog.slots",
    "chatshop.plugins.dialog.coupons",
    "chatshop.plugins.dialog.orders",
    "chatshop.plugins.dialog.marketing",
    "chatshop.plugins.dialog.cod_confirm",
    "chatshop.plugins.dialog.reminders",
    "chatshop.plugins.handover",
    "chatshop.plugins.pricing",
    "chatshop.plugins.tax",
    "chatshop.plugins.invoices",
    "chatshop.plugins.terminal",
    "chatshop.plugins.payments.cod",
    "chatshop.plugins.whatsapp",
    "chatshop.plugins.catalog_imports.plugin",
    "chatshop.plugins.catalog_sources",
    "chatshop.plugins.wechat",
    "chatshop.plugins.telegram",
    "chatshop.plugins.payments.razorpay",
    "chatshop.plugins.payments.stripe",
    "chatshop.plugins.payments.wechatpay",
    "chatshop.plugins.webchat",
    "chatshop.plugins.dashboard",
)

T = TypeVar("T")

#: Hooks the core calls while it builds the shop or its app, outside any event loop's await: an
#: ``async def`` implementation of one would return a coroutine nobody runs (routes that 404,
#: a catalog that is a coroutine), so it stops the shop at start-up instead.
SYNCHRONOUS_HOOKS: frozenset[str] = frozenset(
    {
        "register_channels",
        "register_payment_methods",
        "register_texts",
        "register_dialog",
        "register_jobs",
        "register_routes",
        "register_commands",
        "check_config",
        "load_catalog",
    }
)


class PluginError(Exception):
    """A plugin could not be loaded or broke the contract; the message names the plugin."""


async def await_me_maybe(value: T | Awaitable[T]) -> T:
    """Hooks may be ``async def``: await what they return when it is awaitable (datasette)."""
    if is_awaitable(value):
        return cast(T, await value)
    return cast(T, value)


def is_awaitable(value: object) -> TypeGuard[Awaitable[Any]]:
    """``inspect.isawaitable``, answered at once for the usual cases (a coroutine, None, a bool):
    every dialog handler's result is asked this, and the general check ends in an ABC's."""
    if type(value) is CoroutineType:
        return True
    return value is not None and value is not True and value is not False and inspect.isawaitable(value)


class Plugins:
    """Loads plugins and calls their hooks with types the core can rely on."""

    def __init__(self, modules: Iterable[str] = (), *, builtins: bool = True, entry_points: bool = True):
        self.pm = pluggy.PluginManager("chatshop")
        self.pm.add_hookspecs(hookspecs)
        if builtins:
            for name in BUILTIN_PLUGINS:
                self.register_module(name)
        if entry_points:
            self.pm.load_setuptools_entrypoints("chatshop")
        for name in modules:
            self.register_module(name)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as e:
            raise PluginError(f"plugin {e.plugin!r} implements a hook that does not exist: {e}") from None
        self.check_synchronous()

    def check_synchronous(self) -> None:
        """Refuse an ``async def`` implementation of a hook the core calls synchronously."""
        for name in sorted(SYNCHRONOUS_HOOKS):
            for impl in getattr(self.pm.hook, name).get_hookimpls():
                function = impl.function
                if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
                    raise PluginError(
                        f"plugin {impl.plugin_name!r}: {name} must be a plain 'def', not 'async def': "
                        "the core calls it while building the shop and would never run it"
                    )

    def register_module(self, name: str) -> None:
        try:
            module = importlib.import_module(name)
        except ImportError as e:
            raise PluginError(f"plugin module {name!r} cannot be imported: {e}") from None
        if self.pm.is_registered(module):
            return
        try:
            self.pm.register(module, name=name)
        except (pluggy.PluginValidationError, ValueError) as e:
            raise PluginError(f"plugin module {name!r}: {e}") from None
        self.check_synchronous()

    def register(self, plugin: object, name: str | None = None) -> None:
        self.pm.register(plugin, name=name)
        self.check_synchronous()

    def names(self) -> list[str]:
        return sorted(name for name, _ in self.pm.list_name_plugin() if name)

    # --- contributions ---------------------------------------------------------------------
    def channel_classes(self) -> dict[str, type[Channel]]:
        return self._collect(self.pm.hook.register_channels, Channel, "channel")  # type: ignore[type-abstract]

    def payment_method_classes(self) -> dict[str, type[PaymentMethod]]:
        return self._collect(self.pm.hook.register_payment_methods, PaymentMethod, "payment method")  # type: ignore[type-abstract]

    def _collect(self, hook: Any, base: type[T], what: str) -> dict[str, type[T]]:
        found: dict[str, type[T]] = {}

        def register(cls: type[T]) -> None:
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise PluginError(f"{cls!r} registered as a {what} is not a {base.__name__} subclass")
            name = getattr(cls, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginError(f"{what} {cls.__qualname__} has no name")
            if name in found and found[name] is not cls:
                raise PluginError(f"two plugins register the {what} {name!r}: {found[name]} and {cls}")
            found[name] = cls

        hook(register=register)
        return found

    def dialog_features(self) -> list[DialogFeature]:
        """The conversation's features, built-ins first, then in the order plugins were loaded (pluggy
        calls the newest first), so a collision names the built-in before the plugin that clashed."""
        batches: list[list[DialogFeature]] = []
        for impl in self.pm.hook.register_dialog.get_hookimpls():
            batch: list[DialogFeature] = []
            impl.function(**{name: batch.append for name in impl.argnames})  # pluggy allows fewer arguments
            batches.append(batch)
        return [feature for batch in batches for feature in batch]

    def job_handlers(self) -> dict[str, JobHandler]:
        """What each kind of scheduled job runs; a kind two plugins register is an error."""
        handlers: dict[str, JobHandler] = {}

        def register(kind: str, handler: JobHandler) -> None:
            if not isinstance(kind, str) or not kind or not callable(handler):
                raise PluginError(f"register_jobs: a kind and a callable handler are required, got {kind!r}")
            if kind.startswith("chatshop."):
                raise PluginError(f"register_jobs: job kinds named chatshop.* are the core's, got {kind!r}")
            if kind in handlers and handlers[kind] is not handler:
                raise PluginError(f"two plugins register the job kind {kind!r}: {handlers[kind]!r} and {handler!r}")
            handlers[kind] = handler

        self.pm.hook.register_jobs(register=register)
        return handlers

    def texts(self) -> dict[str, dict[str, str]]:
        """Texts plugins contribute, by locale; a key two plugins both claim is an error."""
        tables: dict[str, dict[str, str]] = {}

        def register(locale: str, table: Mapping[str, str]) -> None:
            target = tables.setdefault(locale, {})
            for key, text in table.items():
                if key in target and target[key] != text:
                    raise PluginError(f"two plugins register the text {key!r} for locale {locale!r}")
                target[key] = text

        self.pm.hook.register_texts(register=register)
        return tables

    def register_routes(self, shop: Shop, router: web.UrlDispatcher) -> None:
        self.pm.hook.register_routes(shop=shop, router=router)

    def register_commands(self, cli: click.Group) -> None:
        self.pm.hook.register_commands(cli=cli)

    def check_config(self, config: ShopConfig) -> list[ConfigProblem]:
        """Every plugin's problems with the keys it reads outside its own section."""
        return [problem for found in self.pm.hook.check_config(config=config) for problem in found or ()]

    # --- domain hooks ---------------------------------------------------------------------
    def load_catalog(self, shop: Shop, source: str) -> Catalog | None:
        result: Catalog | None = self.pm.hook.load_catalog(shop=shop, source=source)
        return result

    async def price_cart(self, shop: Shop, quote: Quote) -> None:
        # One implementation after the other, each awaited before the next is called: an async
        # one (a discount) must have added its line before a later one (tax) reads the quote.
        await self._in_turn(self.pm.hook.price_cart, shop=shop, quote=quote)

    async def retax_order(self, shop: Shop, order: Order, quote: Quote) -> None:
        # In turn, as price_cart: a second tax plugin sees the lines the first one wrote.
        await self._in_turn(self.pm.hook.retax_order, shop=shop, order=order, quote=quote)

    async def validate_checkout(self, shop: Shop, checkout: Checkout, quote: Quote) -> list[CheckoutProblem]:
        problems: list[CheckoutProblem] = []
        for result in self.pm.hook.validate_checkout(shop=shop, checkout=checkout, quote=quote):
            for problem in await await_me_maybe(result) or []:
                problems.append(problem if isinstance(problem, CheckoutProblem) else CheckoutProblem(str(problem)))
        return problems

    async def order_placed(self, shop: Shop, order: Order) -> None:
        await self._each(self.pm.hook.order_placed(shop=shop, order=order))

    async def order_status_changed(self, shop: Shop, order: Order, old: OrderStatus, new: OrderStatus) -> None:
        await self._each(self.pm.hook.order_status_changed(shop=shop, order=order, old=old, new=new))

    async def order_refunded(self, shop: Shop, order: Order, amount: Money) -> None:
        await self._each(self.pm.hook.order_refunded(shop=shop, order=order, amount=amount))

    async def payment_updated(self, shop: Shop, order: Order, event: PaymentEvent) -> None:
        await self._each(self.pm.hook.payment_updated(shop=shop, order=order, event=event))

    async def catalog_changed(self, shop: Shop, product_ids: Sequence[str]) -> None:
        await self._each(self.pm.hook.catalog_changed(shop=shop, product_ids=list(product_ids)))

    async def startup(self, shop: Shop) -> None:
        await self._each(self.pm.hook.startup(shop=shop))

    async def shutdown(self, shop: Shop) -> None:
        await self._each(self.pm.hook.shutdown(shop=shop))

    @staticmethod
    async def _in_turn(hook: Any, **kwargs: Any) -> None:
        """Call a hook's implementations in pluggy's order (``tryfirst`` first, ``trylast`` last),
        awaiting each before calling the next; pluggy alone would call them all, then await."""
        for impl in reversed(hook.get_hookimpls()):
            await await_me_maybe(impl.function(**{name: kwargs[name] for name in impl.argnames}))

    @staticmethod
    async def _each(results: list[Any]) -> None:
        for i, result in enumerate(results):
            try:
                await await_me_maybe(result)
            except BaseException:
                for rest in results[i + 1 :]:  # never run now: closed, not left to warn "never awaited"
                    if inspect.iscoroutine(rest):
                        rest.close()
                raise
