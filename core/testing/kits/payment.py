"""The payment-method kit: what every payment method must do, checked against yours.

Write a :class:`PaymentDriver` that plays your provider (its API as a small fake aiohttp app, its
webhooks as it sends them), then subclass :class:`PaymentKit`::

    class TestAcmePay(PaymentKit):
        driver = AcmeDriver

The kit runs a real shop with your method against your fake and checks that:

- ``start`` is safe to repeat: the same order never gets a second thing to pay;
- a payment is applied once, whether it arrives by webhook (twice), by ``poll`` or by ``start``
  finding it paid: one receipt, the order paid once;
- a payment of the wrong amount never marks the order paid;
- a payment that arrives after the order was cancelled is refunded;
- a retried refund is made once, a new refund after a partial one or one the provider reported
  failed is made anew; where the provider takes idempotency keys, refunds carry them (the same for
  a retried refund, a new one after a partial or a failed refund);
- a forged webhook is refused (4xx) and changes nothing.

Checks that do not apply (a method without a provider, like cash on delivery) are left out by the
driver's flags, never skipped.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from chatshop.api import Shop
from chatshop.messages import OrderLine, OrderStatusUpdate
from chatshop.money import Money
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentMethod
from chatshop.testing import DEMO_SHOP_TOML, ShopHarness, running_shop
from chatshop.testing.kits.channel import toml_section

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - chatshop[testing] brings it
    pytest_asyncio = None  # type: ignore[assignment]

__all__ = ["PaymentDriver", "PaymentKit", "PaymentShop"]


class PaymentDriver(ABC):
    """Plays your payment provider for the kit. One instance per test."""

    #: The method's name (``[payments.NAME]``).
    method: ClassVar[str]
    #: The shop's currency for the kit's orders (one your provider takes).
    currency: ClassVar[str] = "INR"
    #: The customer pays a provider (False: cash on delivery and the like; only ``start`` is checked).
    online: ClassVar[bool] = True
    #: The provider refunds through the method.
    refunds: ClassVar[bool] = True
    #: The provider takes an idempotency key with each refund (``refund_keys``). A provider without
    #: one (WhatsApp Pay) leaves it to the method to keep a retried refund from being made twice.
    keyed_refunds: ClassVar[bool] = True
    #: Who buys the kit's orders (``channel:customer id``): a customer of the channel the method
    #: pays through, where it pays inside a messenger.
    buyer: ClassVar[str] = "terminal:kit-buyer"

    def fake_api(self) -> web.Application | None:
        """The provider's API the method calls, as an aiohttp app (None: it has none)."""
        return None

    @abstractmethod
    def section(self, api_url: str) -> dict[str, Any]:
        """The ``[payments.NAME]`` section, pointed at the fake API's URL."""

    def environment(self) -> dict[str, str]:
        """Environment variables the section's ``*_env`` keys name (the secrets)."""
        return {}

    def other_sections(self, api_url: str) -> dict[str, dict[str, Any]]:
        """More sections the method needs, by key path (``{"channels.whatsapp": {...}}``): the
        channel an in-chat payment method pays through."""
        return {}

    async def greet(self, client: TestClient[Any, Any]) -> None:
        """The buyer writes to the shop before the kit's orders (a messenger that lets a shop
        answer only customers who wrote recently)."""

    def prepare(self, directory: Path) -> None:
        """Write files the section names (key files) into the shop's folder."""

    def plugin_modules(self) -> list[str]:
        """Modules to load (``[plugins] modules``) when your plugin is not installed by entry point."""
        return []

    def started(self, shop: Shop) -> None:
        """Called once the shop runs."""

    def server(self) -> dict[str, Any]:
        """``[server]`` keys to set (a ``public_url`` on https, where a provider insists on one)."""
        return {}

    def payables(self, order: Order) -> int:
        """How many things to pay (links, sessions, transactions) the provider made for the order."""
        raise NotImplementedError("an online method's driver counts what the fake made")

    async def pay(self, client: TestClient[Any, Any], order: Order, amount: int | None = None) -> int:
        """The customer pays the order at the provider (``amount`` minor units: by default what it
        asked), even on a link the shop closed a moment ago; the provider's webhook reaches the
        shop. The webhook's status."""
        raise NotImplementedError("an online method's driver plays the customer paying")

    async def redeliver(self, client: TestClient[Any, Any]) -> int:
        """The provider sends its last webhook again (the same event); the status."""
        raise NotImplementedError("an online method's driver sends a webhook again")

    async def forge(self, client: TestClient[Any, Any], order: Order) -> int:
        """A "paid" webhook for the order, signed with the wrong secret; the status."""
        raise NotImplementedError("an online method's driver forges a webhook")

    def refund_keys(self) -> list[str]:
        """The idempotency keys of the refund requests the provider received, in order."""
        raise NotImplementedError("a keyed refunding method's driver reads the keys the fake saw")

    def refunds_made(self) -> int:
        """How many refunds the provider made (a request it answered by replaying an earlier one
        for its idempotency key is not one)."""
        raise NotImplementedError("a refunding method's driver counts the refunds the fake made")


@dataclass
class PaymentShop:
    harness: ShopHarness
    driver: PaymentDriver
    _numbers: int = 0

    @property
    def shop(self) -> Any:
        return self.harness.shop

    @property
    def client(self) -> TestClient[Any, Any]:
        return self.harness.client

    @property
    def method(self) -> PaymentMethod:
        method: PaymentMethod = self.harness.shop.payment_methods[self.driver.method]
        return method

    async def order(self) -> Order:
        """An order placed for the method, its payment started as checkout starts it."""
        self._numbers += 1
        number = f"KIT-{self._numbers:03d}"
        currency = self.driver.currency
        line = OrderLine(product_id="atta-5kg", title="Aashirvaad Atta 5 kg", quantity=2,
                         unit_price=Money(24500, currency))
        order = Order(
            number=number,
            customer_key=self.driver.buyer,
            status=OrderStatus.PENDING_PAYMENT if self.method.online else OrderStatus.COD_PENDING,
            lines=(line,),
            adjustments=(),
            currency=currency,
            payment_method=self.driver.method,
            placement_key=f"kit-{number}",
            created_at=self.shop.now(),
        )
        placed, created = await self.shop.store.place_order(order)
        assert created, "the kit's order was not placed"
        messages = await self.shop.ordering.start_payment(placed)
        await self.shop.notify(self.driver.buyer, *messages)  # as checkout sends them: the bill, a link
        await self.harness.idle()
        return await self.get(number)

    async def get(self, number: str) -> Order:
        order = await self.shop.store.get_order(number)
        assert order is not None
        return order  # type: ignore[no-any-return]

    def receipts(self, order: Order) -> int:
        """Messages telling the buyer the order was paid."""
        return sum(
            1
            for m in self.harness.sent_to(self.driver.buyer)
            if isinstance(m, OrderStatusUpdate) and m.order_number == order.number and m.status == "paid"
        )


async def _payment_shop(driver: PaymentDriver, directory: Path) -> AsyncIterator[PaymentShop]:
    async with AsyncExitStack() as stack:
        api_url = ""
        app = driver.fake_api()
        if app is not None:
            server = TestServer(app, host="127.0.0.1")
            await server.start_server()
            stack.push_async_callback(server.close)
            api_url = str(server.make_url("")).rstrip("/")
        directory.mkdir(parents=True, exist_ok=True)
        driver.prepare(directory)
        toml = DEMO_SHOP_TOML.replace('currency = "INR"', f"currency = {json.dumps(driver.currency)}")
        if driver.method == "cod":
            toml = toml.replace('[payments.cod]\nmax_order_total = "2000.00"\n', "")
        modules = driver.plugin_modules()
        if modules:
            toml += toml_section("plugins", {"modules": modules})
        toml += toml_section(f"payments.{driver.method}", driver.section(api_url))
        for path, section in driver.other_sections(api_url).items():
            toml += toml_section(path, section)
        harness = await stack.enter_async_context(running_shop(toml, directory, **driver.server()))
        driver.started(harness.shop)
        await driver.greet(harness.client)
        await harness.idle()
        yield PaymentShop(harness, driver)


_OPTIONAL = {
    "online": (
        "test_a_payment_is_applied_once_across_webhooks_poll_and_start",
        "test_a_payment_of_the_wrong_amount_never_pays_the_order",
        "test_a_payment_after_the_order_was_cancelled_is_refunded",
        "test_a_forged_webhook_is_refused_and_changes_nothing",
    ),
    "refunds": (
        "test_a_payment_after_the_order_was_cancelled_is_refunded",
        "test_a_retried_refund_is_made_once",
        "test_refunds_carry_idempotency_keys",
    ),
    "keyed_refunds": ("test_refunds_carry_idempotency_keys",),
}


class PaymentKit:
    """The checks; subclass it with ``driver = YourDriver`` (the class)."""

    driver: ClassVar[type[PaymentDriver]]
    pytestmark = pytest.mark.asyncio

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        driver = cls.__dict__.get("driver")
        if driver is None:
            return
        for flag, tests in _OPTIONAL.items():
            if not getattr(driver, flag):
                for name in tests:
                    setattr(cls, name, None)  # not collected: the check does not apply here

    if pytest_asyncio is not None:

        @pytest_asyncio.fixture
        async def kit(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[PaymentShop]:
            """A real shop running the method under test against the driver's fake provider."""
            driver = self.driver()
            for name, value in driver.environment().items():
                monkeypatch.setenv(name, value)
            async for shop in _payment_shop(driver, tmp_path / "kit-shop"):
                yield shop

    async def test_start_is_safe_to_repeat(self, kit: PaymentShop) -> None:
        order = await kit.order()
        first = order.payment_url
        again = await kit.method.start(await kit.get(order.number))
        await kit.shop.notify(kit.driver.buyer, *again.messages)  # "Try again" sends what it gave
        await kit.harness.idle()
        if kit.driver.online:
            assert kit.driver.payables(order) == 1, "starting again made a second thing to pay"
            assert again.url in (None, first), "starting again gave the customer another link"
        order = await kit.get(order.number)
        assert order.paid_amount == 0 and order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.COD_PENDING)

    async def test_a_payment_is_applied_once_across_webhooks_poll_and_start(self, kit: PaymentShop) -> None:
        order = await kit.order()
        assert await kit.driver.pay(kit.client, order) < 300
        await kit.harness.idle()
        paid = await kit.get(order.number)
        assert paid.status is OrderStatus.PAID and paid.paid_amount == order.total.minor
        assert await kit.driver.redeliver(kit.client) < 300, "a verified redelivery must be acknowledged"
        polled = await kit.method.poll(paid)
        if polled is not None:
            await kit.shop.apply_payment_event(polled)
        restarted = await kit.method.start(await kit.get(order.number))
        await kit.harness.idle()
        final = await kit.get(order.number)
        assert final.status is OrderStatus.PAID and final.paid_amount == order.total.minor
        assert final.refunded_amount == 0, "a payment told twice must not be taken for a second one"
        assert kit.receipts(order) == 1, f"the buyer was told {kit.receipts(order)} times that it was paid"
        assert kit.driver.payables(order) == 1 and restarted.url in (None, order.payment_url)

    async def test_a_payment_of_the_wrong_amount_never_pays_the_order(self, kit: PaymentShop) -> None:
        order = await kit.order()
        await kit.driver.pay(kit.client, order, amount=order.total.minor - 100)
        await kit.harness.idle()
        after = await kit.get(order.number)
        assert after.status is OrderStatus.PENDING_PAYMENT and kit.receipts(order) == 0
        assert after.paid_amount in (0, order.total.minor - 100)

    async def test_a_payment_after_the_order_was_cancelled_is_refunded(self, kit: PaymentShop) -> None:
        order = await kit.order()
        await kit.shop.move_order(order.number, OrderStatus.CANCELLED, "the customer cancelled")
        await kit.harness.idle()
        assert await kit.driver.pay(kit.client, order) < 300
        await kit.harness.idle()
        after = await kit.get(order.number)
        assert after.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        assert after.refunded_amount == order.total.minor, "money paid for a cancelled order was kept"
        assert kit.driver.refunds_made() == 1, f"the late payment was refunded {kit.driver.refunds_made()} times"

    async def _refunded_thrice(self, kit: PaymentShop) -> list[tuple[int, list[str]]]:
        """A paid order refunded in part, the same refund asked again (a lost answer), then a
        second part after the first was recorded, then a third after a refund was reported failed.
        What the provider had made and seen after each: (refunds made, idempotency keys)."""
        order = await kit.order()
        await kit.driver.pay(kit.client, order)
        await kit.harness.idle()
        paid = await kit.get(order.number)
        part = Money(10000, order.currency)
        await kit.method.refund(paid, part)
        await kit.method.refund(paid, part)  # the same refund asked again (a lost answer)
        seen = [(kit.driver.refunds_made(), self._keys(kit))]
        await kit.shop.store.record_amounts(order.number, refunded_amount=part.minor, note="kit: partial refund")
        await kit.method.refund(await kit.get(order.number), part)
        seen.append((kit.driver.refunds_made(), self._keys(kit)))
        await kit.shop.store.record_amounts(order.number, note="refund kit-refund-1 failed")
        await kit.method.refund(await kit.get(order.number), part)
        seen.append((kit.driver.refunds_made(), self._keys(kit)))
        return seen

    @staticmethod
    def _keys(kit: PaymentShop) -> list[str]:
        return kit.driver.refund_keys() if kit.driver.keyed_refunds else []

    async def test_a_retried_refund_is_made_once(self, kit: PaymentShop) -> None:
        (retried, _), (second, _), (third, _) = await self._refunded_thrice(kit)
        assert retried == 1, f"a refund asked twice was made {retried} times"
        assert second == 2, "a second refund after a partial one was not made"
        assert third == 3, "a refund after one reported failed was not made"

    async def test_refunds_carry_idempotency_keys(self, kit: PaymentShop) -> None:
        (_, retry), (_, second), (_, keys) = await self._refunded_thrice(kit)
        first, retried = retry[-2:]
        assert first == retried, "a retried refund must reuse its idempotency key"
        assert second[-1] != first, "a second refund must not replay the first by its key"
        assert keys[-1] != keys[-2], "a refund reported failed must not be replayed by its key"

    async def test_a_forged_webhook_is_refused_and_changes_nothing(self, kit: PaymentShop) -> None:
        order = await kit.order()
        status = await kit.driver.forge(kit.client, order)
        await kit.harness.idle()
        assert 400 <= status < 500, f"a forged webhook was answered {status}"
        after = await kit.get(order.number)
        assert after.status is OrderStatus.PENDING_PAYMENT and after.paid_amount == 0 and kit.receipts(order) == 0

