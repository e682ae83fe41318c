"""The plugin contract: discovery by entry point, and every hook exercised by a test named after it."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from chatshop import hookspecs
from chatshop.cli import cli
from chatshop.config import load_config
from chatshop.money import Money
from chatshop.orders import OrderStatus
from chatshop.payments import PaymentEvent, PaymentEventKind
from chatshop.plugin_manager import PluginError, Plugins
from chatshop.runtime import Shop
from tests.conftest import SHOP_TOML, ShopFactory

PLUGIN_DIR = Path(__file__).parent / "plugin_pkg"
ROOT = Path(__file__).parents[2]
GIFT_TOML = SHOP_TOML + "\n[payments.giftcard]\n[channels.pigeon]\n"


@pytest.fixture
def giftcard(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """Install the test package: its dist-info on sys.path carries the ``chatshop`` entry point."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    import giftcard_plugin

    giftcard_plugin.CALLS.clear()
    yield giftcard_plugin
    sys.modules.pop("giftcard_plugin", None)


def calls(plugin: ModuleType, hook: str) -> list[object]:
    return [value for name, value in plugin.CALLS if name == hook]


def test_a_plugin_is_discovered_through_its_entry_point(giftcard: ModuleType) -> None:
    assert "giftcard" in Plugins().names()
    assert "giftcard" not in Plugins(entry_points=False).names()


def test_plugin_modules_listed_in_shop_toml_are_loaded(giftcard: ModuleType) -> None:
    assert "giftcard_plugin" in Plugins(["giftcard_plugin"], entry_points=False).names()
    with pytest.raises(PluginError, match="no_such_plugin"):
        Plugins(["no_such_plugin"])


def test_a_misspelled_hook_fails_loudly_at_startup() -> None:
    broken = ModuleType("broken_plugin")

    @hookspecs.hookimpl
    def order_plaed(shop: object, order: object) -> None: ...

    broken.order_plaed = order_plaed  # type: ignore[attr-defined]
    sys.modules["broken_plugin"] = broken
    try:
        with pytest.raises(PluginError, match="broken_plugin"):
            Plugins(["broken_plugin"], entry_points=False)
    finally:
        del sys.modules["broken_plugin"]


def test_register_payment_methods(giftcard: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text(GIFT_TOML)
    shop = Shop(load_config(tmp_path / "shop.toml"))
    assert set(shop.payment_methods) == {"cod", "giftcard"}


def test_register_channels(giftcard: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text(GIFT_TOML)
    assert "pigeon" in Shop(load_config(tmp_path / "shop.toml")).channels


async def test_register_routes(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML) as h:
        response = await h.client.get("/giftcards")
        assert await response.text() == "gift cards here"


def test_register_commands(giftcard: ModuleType) -> None:
    from chatshop.cli import main

    runner = CliRunner()
    Plugins().register_commands(cli)
    result = runner.invoke(cli, ["giftcards"])
    assert result.output.strip() == "no gift cards yet"
    assert callable(main)


def test_load_catalog(giftcard: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text('[shop]\nname = "G"\ncurrency = "INR"\n[catalog]\nfile = "cards.gift"\n')
    shop = Shop(load_config(tmp_path / "shop.toml"))
    assert [p.id for p in shop.catalog] == ["card-500"]


def test_check_config(giftcard: ModuleType, tmp_path: Path) -> None:
    """A plugin's rule about keys outside its section stops `chatshop check` with the key path."""
    toml = tmp_path / "shop.toml"
    toml.write_text(GIFT_TOML + '[texts.de]\ngiftcard_balance = "Guthaben"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(toml)])
    assert result.exit_code != 0
    assert "texts.de.giftcard_balance: must keep {amount}" in result.output
    toml.write_text(GIFT_TOML + '[texts.de]\ngiftcard_balance = "Guthaben: {amount}"\n', encoding="utf-8")
    assert CliRunner().invoke(cli, ["check", str(toml)]).exit_code == 0


async def test_register_dialog(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    """A plugin's feature answers its choice id and its command word, beside the built-in dialog."""
    async with make_shop(GIFT_TOML) as h:
        assert await h.choose("rd", "giftcard:card-1") == "Balance: ₹100.00"
        assert await h.say("rd", "Balance!") == "Balance: ₹100.00"
        assert calls(giftcard, "register_dialog") == ["card-1", ""]
        assert "Your cart is empty" in await h.say("rd", "cart")  # the built-in features still answer


async def test_register_jobs(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    """A plugin's kind of job runs when due, by the shop's clock, once."""
    async with make_shop(GIFT_TOML, sweep_seconds=3600) as h:
        due = h.shop.now() + timedelta(days=365)
        await h.shop.jobs.schedule("giftcard_expiry", "card-1", due, {"card": "GC-1"})
        assert await h.shop.jobs.run_due(due - timedelta(seconds=1)) == 0
        assert await h.shop.jobs.run_due(due) == 1
        assert calls(giftcard, "register_jobs") == [("card-1", "GC-1")]


async def checkout_with_giftcard(h: object, customer: str, address: str) -> str:
    say = h.say  # type: ignore[attr-defined]
    await say(customer, "atta")
    await say(customer, "1")
    await say(customer, "checkout")
    reply: str = await say(customer, address)
    return reply


async def test_price_cart(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML) as h:
        reply = await checkout_with_giftcard(h, "gc", "Bandra 400050")
        reply = await h.say("gc", re.search(r"(\d)\. Help", reply).group(1))  # type: ignore[union-attr]
        assert "Discount: -₹10.00" in reply and "Total: ₹265.00" in reply


async def test_retax_order(
    giftcard: ModuleType, make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cash order paid online instead is taxed by the plugins that tax, not by the core: their
    lines are what it then charges, their breakdown what it keeps."""
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", "hooks-secret")
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", "hooks-webhook-secret")
    razorpay = '[payments.razorpay]\nkey_id = "rzp_test_hooks"\napi_base_url = "http://127.0.0.1:9"\n'
    async with make_shop(GIFT_TOML + razorpay) as h:
        await checkout_with_giftcard(h, "rt", "Bandra 400050")
        await h.choose("rt", "pay:cod")
        await h.choose("rt", "confirm")
        (order,) = await h.shop.store.list_orders()
        switched = await h.shop.ordering.switch_to_online(order.number, "razorpay")
        assert calls(giftcard, "retax_order") == [(order.number, tuple(code for code, _ in order.adjustments))]
        assert dict(switched.adjustments)["giftcard_levy"] == Money(100, "INR")
        assert switched.total == order.total + Money(100, "INR")
        assert switched.extras["giftcard"] == {"levy": 100}


async def test_validate_checkout(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML) as h:
        await checkout_with_giftcard(h, "vc", "Khar 400051")
        reply = await h.choose("vc", "pay:cod")
        assert "We do not deliver gift cards to 400051." in reply
        assert calls(giftcard, "validate_checkout") == ["400051"]


async def test_order_placed(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML) as h:
        await checkout_with_giftcard(h, "op", "Bandra 400050")
        await h.choose("op", "pay:cod")
        await h.choose("op", "confirm")
        (order,) = await h.shop.store.list_orders()
        assert calls(giftcard, "order_placed") == [order.number]


async def test_order_status_changed(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML) as h:
        await checkout_with_giftcard(h, "os", "Bandra 400050")
        await h.choose("os", "pay:cod")
        await h.choose("os", "confirm")
        (order,) = await h.shop.store.list_orders()
        await h.shop.move_order(order.number, OrderStatus.SHIPPED)
        assert calls(giftcard, "order_status_changed") == [("cod_pending", "shipped")]


async def test_payment_updated(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML) as h:
        await checkout_with_giftcard(h, "pu", "Bandra 400050")
        await h.choose("pu", "pay:giftcard")
        await h.choose("pu", "confirm")
        (order,) = await h.shop.store.list_orders()
        event = PaymentEvent("giftcard", "evt-1", PaymentEventKind.FAILED, order.number)
        await h.shop.apply_payment_event(event)
        await h.shop.apply_payment_event(event)  # a replay is not applied twice
        assert calls(giftcard, "payment_updated") == ["evt-1"]


async def test_order_refunded(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    """Money the shop gave back itself (cash returned by UPI) reaches the plugins with its amount;
    the core asks no plugin of its own directly (a credit note is the invoices plugin's)."""
    async with make_shop(GIFT_TOML) as h:
        await checkout_with_giftcard(h, "rf", "Bandra 400050")
        await h.choose("rf", "pay:cod")
        await h.choose("rf", "confirm")
        (order,) = await h.shop.store.list_orders()
        for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):  # delivered: the cash is collected
            await h.shop.move_order(order.number, status)
        await h.shop.ordering.record_refund(order.number, Money(5000, "INR"), "UPI-4711")
        assert calls(giftcard, "order_refunded") == [(order.number, 5000)]


async def test_catalog_changed(
    giftcard: ModuleType, make_shop: ShopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A price saved on the dashboard is a catalog change; an order is not (it has its own hooks)."""
    from tests.web.admin_client import login, page_csrf

    monkeypatch.setenv("CHATSHOP_TEST_HOOKS_ADMIN", "hooks-admin-token-0123456789")
    async with make_shop(GIFT_TOML + '[admin]\ntoken_env = "CHATSHOP_TEST_HOOKS_ADMIN"\n') as h:
        await checkout_with_giftcard(h, "cc", "Bandra 400050")
        await h.choose("cc", "pay:cod")
        await h.choose("cc", "confirm")
        await login(h, "hooks-admin-token-0123456789")
        csrf = await page_csrf(h, "/admin/catalog")
        form = {"csrf": csrf, "action": "save", "price": "599.00"}
        assert (await h.client.post("/admin/catalog/ghee-1l", data=form)).status == 200
        assert calls(giftcard, "catalog_changed") == [("ghee-1l",)]


async def test_startup(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML):
        assert calls(giftcard, "startup") == ["Test Kirana"]


async def test_shutdown(giftcard: ModuleType, make_shop: ShopFactory) -> None:
    async with make_shop(GIFT_TOML):
        assert calls(giftcard, "shutdown") == []
    assert calls(giftcard, "shutdown") == ["Test Kirana"]


def test_every_hook_has_a_test_named_after_it_and_is_documented() -> None:
    tests = {name for name, _ in inspect.getmembers(sys.modules[__name__], inspect.isfunction)}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for name in hookspecs.HOOK_NAMES:
        assert f"test_{name}" in tests, f"no test named after the hook {name}"
        spec = getattr(hookspecs, name)
        assert spec.__doc__, f"hook {name} has no docstring"
        params = ", ".join(inspect.signature(spec).parameters)
        assert f"`{name}({params})`" in readme, f"README does not document {name}({params})"
        assert f"`{name}({params})`" in guide, f"docs/plugins.md does not document {name}({params})"


def test_register_texts(giftcard: ModuleType, tmp_path: Path) -> None:
    """A plugin's texts are translatable and overridable like the core's; unknown keys still fail."""
    from chatshop.config import ConfigError

    (tmp_path / "shop.toml").write_text(GIFT_TOML + '\n[texts.de]\ngiftcard_balance = "Guthaben: {amount}"\n')
    shop = Shop(load_config(tmp_path / "shop.toml"))
    assert shop.text("en", "giftcard_balance", amount="₹10") == "Balance: ₹10"
    assert shop.text("de", "giftcard_balance", amount="10 €") == "Guthaben: 10 €"
    assert shop.text("fr", "giftcard_balance", amount="1") == "Balance: 1"
    (tmp_path / "shop.toml").write_text(GIFT_TOML + '\n[texts.en]\ngiftcard_balanse = "x"\n')
    with pytest.raises(ConfigError, match=r"texts\.en\.giftcard_balanse"):
        Shop(load_config(tmp_path / "shop.toml"))


@pytest.mark.parametrize("hook", ["register_routes", "register_commands", "register_channels", "load_catalog"])
def test_an_async_implementation_of_a_hook_the_core_calls_synchronously_stops_the_start(hook: str) -> None:
    """An ``async def register_routes`` would return a coroutine nobody awaits: routes that 404."""
    broken = ModuleType("async_routes_plugin")
    params = {
        "register_routes": "shop, router",
        "register_commands": "cli",
        "register_channels": "register",
        "load_catalog": "shop, source",
    }[hook]
    namespace: dict[str, object] = {}
    exec(f"async def {hook}({params}):\n    return None", namespace)
    setattr(broken, hook, hookspecs.hookimpl(namespace[hook]))
    sys.modules["async_routes_plugin"] = broken
    try:
        with pytest.raises(PluginError, match=f"async_routes_plugin.*{hook}.*plain 'def'"):
            Plugins(["async_routes_plugin"], entry_points=False)
    finally:
        del sys.modules["async_routes_plugin"]
