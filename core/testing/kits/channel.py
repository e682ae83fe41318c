"""The channel kit: what every messenger channel must do, checked against yours.

Write a :class:`ChannelDriver` that plays your messenger (its API as a small fake aiohttp app, its
webhooks as the messenger sends them), then subclass :class:`ChannelKit`::

    class TestSmokeChannel(ChannelKit):
        driver = SmokeDriver

The kit runs a real shop with your channel against your fake and checks that:

- every kind of outbound message (long bodies of emoji and right-to-left text, 200-character
  choice ids) reaches the messenger within your declared limits, its end (a total) still there;
- every choice id survives the round trip: what the customer taps (or the number they type on a
  text-only messenger) comes back to the shop as the same id;
- a webhook with a bad signature is answered 4xx and nothing is stored;
- a redelivered update is handled once;
- the webhook is answered only after ``shop.receive`` returned (and not with 2xx when it failed);
- throttling becomes a retry (``RetryableSendError``), and the message is delivered later;
- an authentication failure halts sending (``SendingHalted``).

A check that cannot apply to your messenger is left out by the driver's flags (``signed``,
``throttles``, ``auth_fails``, ``webhook``), never skipped.
"""

from __future__ import annotations

import asyncio
import json
import uuid
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
from chatshop.channels import Channel, RetryableSendError, SendingHalted
from chatshop.messages import (
    AddressRequest,
    Buttons,
    Choice,
    ChoiceList,
    Document,
    Image,
    OrderLine,
    OrderStatusUpdate,
    OrderSummary,
    Outbound,
    PaymentRequest,
    ProductCard,
    Section,
    Text,
)
from chatshop.money import Money
from chatshop.testing import DEMO_SHOP_TOML, ShopHarness, running_shop
from chatshop.testing.kits.probe import PREFIX, PROBE, WORD

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - chatshop[testing] brings it
    pytest_asyncio = None  # type: ignore[assignment]

__all__ = ["ChannelDriver", "ChannelKit", "KitShop", "WireMessage", "toml_section"]

#: The last line of every long body: it must reach the customer (a total, the question asked).
END = "END ✓ النهاية"
_LINE = "Grüße 👨\u200d👩\u200d👧 مرحبا بكم في متجرنا 🇮🇳 नमस्ते ✨ "
LONG = "\n".join(f"{i:03d} {_LINE * 3}" for i in range(120)) + "\n" + END


def _ids(count: int, tag: str) -> tuple[Choice, ...]:
    """Choice ids of 200 characters, in scripts and signs a messenger may mangle."""
    choices = []
    for i in range(count):
        head = f"{PREFIX}:{tag}{i}:"
        tail = "ü-é:/ ?&=#%🎁" * 40
        choices.append(Choice(id=(head + tail)[:200], title=f"Wählen {i} 🎁 اختر طويل جدا جدا"))
    return tuple(choices)


def _summary() -> OrderSummary:
    line = OrderLine(product_id="atta-5kg", title="Aashirvaad Atta 5 kg", quantity=2, unit_price=Money(24500, "INR"))
    return OrderSummary(number="K7M-4QX", lines=(line,), subtotal=Money(49000, "INR"), total=Money(49000, "INR"))


def outbound_of_every_kind() -> dict[str, Outbound]:
    """One message of each kind at the limits: long bodies, long titles, 200-character ids."""
    picture = "https://shop.example.com/atta.jpg"
    return {
        "text": Text(body=LONG),
        "buttons": Buttons(body=LONG, choices=_ids(3, "b"), header="Header 👋 " * 20, footer="Footer ✨ " * 20),
        "list": ChoiceList(
            body=LONG,
            button="Choose 🛒 something nice",
            sections=(Section(title="Section ✨ with a very long title", choices=_ids(8, "l")),),
        ),
        "product card": ProductCard(
            product_id="atta-5kg",
            title="Aashirvaad Shudh Chakki Atta 5 kg 🌾 " * 5,
            body=LONG,
            price=Money(24500, "INR"),
            image_url=picture,
            url="https://shop.example.com/p/atta",
            choices=_ids(3, "p"),
        ),
        "product card without a picture": ProductCard(
            product_id="cafe-latte", title="Café Latte ☕", body=LONG, price=Money(9900, "INR"), choices=_ids(2, "q")
        ),
        "image": Image(url=picture, caption=LONG),
        "payment request": PaymentRequest(
            method="cod", body=LONG, order=_summary(), url="https://pay.example.com/K7M-4QX", choices=_ids(1, "y")
        ),
        "order status": OrderStatusUpdate(order_number="K7M-4QX", status="shipped", body=LONG),
        "document": Document(url="https://shop.example.com/invoices/k7m.pdf", filename="K7M-4QX.pdf", caption=LONG),
        "address request": AddressRequest(body=LONG),
    }


@dataclass(frozen=True)
class WireMessage:
    """One message as it reached the messenger's API, as the customer would see it."""

    #: Every text the customer reads in it: body, caption, header, footer, button and row titles.
    texts: tuple[str, ...]
    #: What can be tapped, in order: (the id as it went on the wire, its title).
    choices: tuple[tuple[str, str], ...] = ()


class ChannelDriver(ABC):
    """Plays your messenger for the kit. One instance per test."""

    #: The channel's name (``[channels.NAME]``).
    channel: ClassVar[str]
    #: The channel has webhooks (False: messages come in another way, like the terminal's).
    webhook: ClassVar[bool] = True
    #: Webhooks carry a signature (or secret) the channel checks.
    signed: ClassVar[bool] = True
    #: The messenger can refuse a send for throttling.
    throttles: ClassVar[bool] = True
    #: The messenger can refuse a send for bad credentials.
    auth_fails: ClassVar[bool] = True

    def fake_api(self) -> web.Application | None:
        """The messenger's API the channel sends to, as an aiohttp app (None: it has none)."""
        return None

    @abstractmethod
    def section(self, api_url: str) -> dict[str, Any]:
        """The ``[channels.NAME]`` section, pointed at the fake API's URL."""

    def environment(self) -> dict[str, str]:
        """Environment variables the section's ``*_env`` keys name (the secrets)."""
        return {}

    def plugin_modules(self) -> list[str]:
        """Modules to load (``[plugins] modules``) when your plugin is not installed by entry point."""
        return []

    def started(self, shop: Shop) -> None:
        """Called once the shop runs (point a clock, read what the channel built)."""

    def customer_active(self, customer_id: str) -> None:
        """The customer just did something in the messenger: the shop may send to them now (WeChat
        allows replies only for a while after the customer's last message, a few per message)."""

    def customer(self, number: int) -> str:
        """The messenger's id of the kit's customer ``number`` (a phone number, an OpenID, ...)."""
        return f"kit-customer-{number}"

    @abstractmethod
    async def deliver_text(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        """Post the webhook the messenger sends when ``customer_id`` writes ``text``; its status.
        The same ``message_id`` must make the same update (a redelivery)."""

    @abstractmethod
    async def deliver_tap(
        self, client: TestClient[Any, Any], customer_id: str, choice: tuple[str, str], message_id: str
    ) -> int:
        """Post the webhook for a tap on ``choice`` (its wire id and title, from :meth:`sent`)."""

    async def deliver_forged(self, client: TestClient[Any, Any], customer_id: str, text: str, message_id: str) -> int:
        """Post the webhook of :meth:`deliver_text` with a wrong signature (or secret); its status."""
        raise NotImplementedError("a signed messenger's driver forges a webhook here")

    @abstractmethod
    def sent(self, customer_id: str) -> list[WireMessage]:
        """Everything the fake API accepted for ``customer_id``, oldest first."""

    def throttle_next(self) -> float | None:
        """Have the fake refuse the next send as the messenger does when throttling; the
        ``retry_after`` seconds it states, if it states one."""
        raise NotImplementedError("a driver whose messenger throttles implements this")

    def refuse_auth_next(self) -> None:
        """Have the fake refuse the next send for bad credentials (a revoked token)."""
        raise NotImplementedError("a driver whose messenger can refuse credentials implements this")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def toml_section(header: str, values: dict[str, Any]) -> str:
    """``[header]`` and its keys, as TOML."""
    return f"\n[{header}]\n" + "".join(f"{key} = {_toml_value(value)}\n" for key, value in values.items())


@dataclass
class KitShop:
    """A running shop with the channel under test, its driver and the client of its app."""

    harness: ShopHarness
    driver: ChannelDriver

    @property
    def shop(self) -> Any:
        return self.harness.shop

    @property
    def client(self) -> TestClient[Any, Any]:
        return self.harness.client

    @property
    def channel(self) -> Channel:
        return self.harness.shop.channels[self.driver.channel]

    def key(self, customer_id: str) -> str:
        return f"{self.driver.channel}:{customer_id}"

    async def write(self, customer_id: str, text: str, message_id: str | None = None) -> int:
        status = await self.driver.deliver_text(self.client, customer_id, text, message_id or uuid.uuid4().hex)
        await self.harness.idle()
        return status


async def _kit_shop(driver: ChannelDriver, directory: Path) -> AsyncIterator[KitShop]:
    async with AsyncExitStack() as stack:
        api_url = ""
        app = driver.fake_api()
        if app is not None:
            server = TestServer(app, host="127.0.0.1")
            await server.start_server()
            stack.push_async_callback(server.close)
            api_url = str(server.make_url("")).rstrip("/")
        modules = ["chatshop.testing.kits.probe", *driver.plugin_modules()]
        toml = DEMO_SHOP_TOML + toml_section("plugins", {"modules": modules})
        toml += toml_section(f"channels.{driver.channel}", driver.section(api_url))
        harness = await stack.enter_async_context(
            running_shop(toml, directory, terminal=driver.channel == "terminal")
        )
        driver.started(harness.shop)
        yield KitShop(harness, driver)


_OPTIONAL = {
    "signed": ("test_a_forged_webhook_is_refused_and_nothing_is_stored",),
    "throttles": ("test_throttling_becomes_a_retry_and_the_message_arrives_later",),
    "auth_fails": ("test_an_authentication_failure_halts_sending",),
    "webhook": (
        "test_the_webhook_is_answered_only_after_receive",
        "test_a_webhook_whose_message_could_not_be_stored_is_not_answered_2xx",
    ),
}


class ChannelKit:
    """The checks; subclass it with ``driver = YourDriver`` (the class)."""

    driver: ClassVar[type[ChannelDriver]]
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
        async def kit(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[KitShop]:
            """A real shop running the channel under test against the driver's fake messenger."""
            driver = self.driver()
            for name, value in driver.environment().items():
                monkeypatch.setenv(name, value)
            PROBE.clear()
            async for shop in _kit_shop(driver, tmp_path / "kit-shop"):
                yield shop

    # --- outbound ---------------------------------------------------------------------------
    @pytest.mark.parametrize("kind", list(outbound_of_every_kind()))
    async def test_every_kind_of_message_reaches_the_messenger_within_its_limits(self, kit: KitShop, kind: str) -> None:
        customer = kit.driver.customer(1)
        await kit.write(customer, "hi")
        before = len(kit.driver.sent(customer))
        message = outbound_of_every_kind()[kind]
        kit.driver.customer_active(customer)
        await kit.shop.notify(kit.key(customer), message)
        await kit.harness.idle()
        assert kit.harness.sent_to(kit.key(customer))[-1:], f"the {kind} was not sent (refused or still retrying)"
        arrived = kit.driver.sent(customer)[before:]
        assert arrived, f"nothing of the {kind} reached the messenger's API"
        caps = kit.channel.capabilities
        for wire in arrived:
            for text in wire.texts:
                size = caps.measure(text)
                assert size <= caps.max_text_length, f"a text of {size} > max_text_length {caps.max_text_length}"
            for choice_id, _ in wire.choices:
                if caps.max_choice_id_bytes is not None:
                    assert len(choice_id.encode()) <= caps.max_choice_id_bytes, choice_id
        everything = "\n".join(text for wire in arrived for text in wire.texts)
        if kind != "image" or caps.images:
            assert END in everything, f"the end of the {kind}'s body (its total, its question) was cut off"

    async def test_every_choice_id_survives_the_round_trip(self, kit: KitShop) -> None:
        customer = kit.driver.customer(2)
        await kit.write(customer, "hi")
        buttons = Buttons(body="Pick one 🎁", choices=_ids(3, "r"))
        rows = ChoiceList(body="Or one of these", button="Choose", sections=(Section(choices=_ids(5, "s")),))
        shown: list[Outbound] = [buttons, rows]
        expected = [c.id for c in (*buttons.choices, *rows.choices)]
        PROBE.show[:] = shown
        before = len(kit.driver.sent(customer))
        await kit.write(customer, WORD)
        offered = [choice for wire in kit.driver.sent(customer)[before:] for choice in wire.choices]
        if offered:  # taps: every choice as it went on the wire
            assert len(offered) == len(expected), f"the messenger got {len(offered)} of {len(expected)} choices"
            for choice in offered:
                await kit.driver.deliver_tap(kit.client, customer, choice, uuid.uuid4().hex)
                await kit.harness.idle()
                PROBE.show[:] = shown
                await kit.write(customer, WORD)  # the menu again, for the next tap
        else:  # a text-only messenger: the numbers of the numbered menu
            for number in range(1, len(expected) + 1):
                await kit.write(customer, str(number))
                await kit.write(customer, WORD)
        assert PROBE.choices == expected

    # --- inbound ----------------------------------------------------------------------------
    async def test_a_forged_webhook_is_refused_and_nothing_is_stored(self, kit: KitShop) -> None:
        status = await kit.driver.deliver_forged(kit.client, kit.driver.customer(3), "hi", "forged-1")
        await kit.harness.idle()
        assert 400 <= status < 500, f"a forged webhook was answered {status}"
        assert not PROBE.turns and not await kit.harness.shop.store.customers_with_pending_inbound()
        assert kit.driver.sent(kit.driver.customer(3)) == []

    async def test_a_redelivered_update_is_handled_once(self, kit: KitShop) -> None:
        first = await kit.write(kit.driver.customer(4), "hi", "same-update")
        again = await kit.write(kit.driver.customer(4), "hi", "same-update")
        assert first < 300 and again < 300, "a redelivery must still be acknowledged, or the messenger retries"
        assert len(PROBE.turns) == 1, f"one update ran {len(PROBE.turns)} turns"

    async def test_the_webhook_is_answered_only_after_receive(
        self, kit: KitShop, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        entered, release = asyncio.Event(), asyncio.Event()
        real = kit.harness.shop.receive

        async def held(inbound: Any) -> bool:
            entered.set()
            await release.wait()
            return await real(inbound)

        monkeypatch.setattr(kit.harness.shop, "receive", held)
        answer = asyncio.ensure_future(kit.driver.deliver_text(kit.client, kit.driver.customer(5), "hi", "held-1"))
        waiting = asyncio.ensure_future(entered.wait())
        await asyncio.wait({waiting, answer}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        assert entered.is_set(), "the webhook was answered without handing the message to shop.receive"
        assert not answer.done(), "the webhook was answered before shop.receive returned: a crash would lose it"
        release.set()
        assert await answer < 300

    async def test_a_webhook_whose_message_could_not_be_stored_is_not_answered_2xx(
        self, kit: KitShop, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async def broken(inbound: Any) -> bool:
            raise OSError("the database is away")

        monkeypatch.setattr(kit.harness.shop, "receive", broken)
        status = await kit.driver.deliver_text(kit.client, kit.driver.customer(6), "hi", "lost-1")
        assert not 200 <= status < 300, "a message the shop could not store was acknowledged: it is lost"

    # --- sending ------------------------------------------------------------------------------
    async def test_throttling_becomes_a_retry_and_the_message_arrives_later(self, kit: KitShop) -> None:
        customer = kit.driver.customer(7)
        await kit.write(customer, "hi")
        retry_after = kit.driver.throttle_next()
        with pytest.raises(RetryableSendError) as raised:
            await kit.channel.send(customer, Text(body="one"))
        assert not isinstance(raised.value, SendingHalted), "throttling is not an operator's problem"
        if retry_after is not None:
            assert raised.value.retry_after is not None and raised.value.retry_after >= retry_after
        before = len(kit.driver.sent(customer))
        kit.driver.throttle_next()
        kit.driver.customer_active(customer)
        await kit.shop.notify(kit.key(customer), Text(body="two"))
        await kit.harness.idle()
        assert any("two" in t for wire in kit.driver.sent(customer)[before:] for t in wire.texts)

    async def test_an_authentication_failure_halts_sending(self, kit: KitShop) -> None:
        customer = kit.driver.customer(8)
        await kit.write(customer, "hi")
        kit.driver.refuse_auth_next()
        with pytest.raises(SendingHalted):
            await kit.channel.send(customer, Text(body="one"))
