"""The contract of register_dialog: collisions named at start-up, errors in the plugin's name,
interceptors in their order, checkout steps in theirs, and state that each feature owns."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

from chatshop.config import load_config
from chatshop.dialog import checkout_flow
from chatshop.dialog.feature import Action, CheckoutStep, DialogFeature, Interceptor, Question
from chatshop.dialog.registry import DialogError
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.messages import Inbound, InboundKind
from chatshop.plugin_manager import BUILTIN_PLUGINS, Plugins
from chatshop.runtime import Shop
from tests.conftest import SHOP_TOML, ShopFactory

Install = Callable[..., None]


@pytest.fixture
def install() -> Iterator[Install]:
    """Make plugin modules importable by name, each registering the given features and texts."""
    names: list[str] = []

    def make(name: str, *features: DialogFeature, texts: dict[str, str] | None = None) -> None:
        module = ModuleType(name)

        @hookimpl
        def register_dialog(register: Callable[[DialogFeature], None]) -> None:
            for feature in features:
                register(feature)

        @hookimpl
        def register_texts(register: Callable[[str, dict[str, str]], None]) -> None:
            if texts:
                register("en", texts)

        module.register_dialog = register_dialog  # type: ignore[attr-defined]
        module.register_texts = register_texts  # type: ignore[attr-defined]
        sys.modules[name] = module
        names.append(name)

    yield make
    for name in names:
        sys.modules.pop(name, None)


def toml(*modules: str) -> str:
    listed = ", ".join(f'"{m}"' for m in modules)
    return SHOP_TOML.replace("[storage]", f"[plugins]\nmodules = [{listed}]\n\n[storage]")


def build(tmp_path: Path, *modules: str) -> Shop:
    (tmp_path / "shop.toml").write_text(toml(*modules))
    return Shop(load_config(tmp_path / "shop.toml"))


def noop(turn: Turn, arg: str = "") -> None:
    turn.say("noop")


def test_the_built_in_dialog_is_registered_like_any_plugin() -> None:
    assert {"chatshop.plugins.dialog.menu", "chatshop.plugins.dialog.checkout"} <= set(BUILTIN_PLUGINS)
    assert Plugins(builtins=False, entry_points=False).dialog_features() == []
    names = {f.name for f in Plugins(entry_points=False).dialog_features()}
    assert names == {
        "menu", "browse", "cart", "checkout", "orders", "addresses", "slots", "coupons", "invoices",
        "marketing", "cod_confirm", "reminders", "handover",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("theirs", "message"),
    [
        (
            DialogFeature(name="vouchers", actions={"cart": Action(noop)}),
            "choice prefix 'cart' .* 'cart' and 'vouchers'",
        ),
        (
            DialogFeature(name="vouchers", commands={"words_cart": "coupon"}),
            "command key 'words_cart' .* 'cart' and 'vouchers'",
        ),
        (
            DialogFeature(name="windows", checkout_steps=[CheckoutStep("window", 400, noop)]),
            "checkout steps 'payment' of 'checkout' and 'window' of 'windows' are both at order 400",
        ),
        (
            DialogFeature(name="windows", checkout_steps=[CheckoutStep("address", 160, noop)]),
            "'address' is claimed by two plugins: 'checkout' and 'windows'",
        ),
        (
            DialogFeature(name="vouchers", checkout_steps=[CheckoutStep("voucher", 300, noop)]),
            "checkout steps 'coupon' of 'coupons' and 'voucher' of 'vouchers' are both at order 300",
        ),
        (
            DialogFeature(name="maps", inbound={InboundKind.LOCATION: noop}),
            "inbound kind 'location' .* 'checkout' and 'maps'",
        ),
        (DialogFeature(name="cart"), "two plugins register the dialog feature 'cart'"),
        (DialogFeature(name="Bad", actions={"Gift:": Action(noop)}), "choice prefix 'Gift:' must be"),
    ],
)
def test_a_collision_with_a_built_in_stops_the_shop_naming_both(
    install: Install, tmp_path: Path, theirs: DialogFeature, message: str
) -> None:
    install("theirs_plugin", theirs)
    with pytest.raises(DialogError, match=message):
        build(tmp_path, "theirs_plugin")


def test_the_same_typed_word_in_two_plugins_is_an_error_naming_both(install: Install, tmp_path: Path) -> None:
    install(
        "farewell_plugin",
        DialogFeature(name="farewell", commands={"words_farewell": "farewell"}, actions={"farewell": Action(noop)}),
        texts={"words_farewell": "goodbye, abort"},  # "abort" is the checkout's cancel word
    )
    with pytest.raises(DialogError, match=r"command word 'abort' \(en\) .* 'checkout' \(words_cancel\) and 'farewell'"):
        build(tmp_path, "farewell_plugin")


def test_a_command_key_without_texts_is_an_error(install: Install, tmp_path: Path) -> None:
    install("mute_plugin", DialogFeature(name="mute", commands={"words_mute": "mute"}, actions={"mute": Action(noop)}))
    with pytest.raises(DialogError, match="'mute': command key 'words_mute' has no text"):
        build(tmp_path, "mute_plugin")


async def test_a_failing_action_is_logged_with_its_plugin_and_the_customer_hears_sorry(
    install: Install, make_shop: ShopFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(turn: Turn, arg: str) -> None:
        turn.state.cart.clear()  # a change the failed turn must not keep
        raise ValueError("boom")

    install("broken_plugin", DialogFeature(name="broken", actions={"boom": Action(broken)}))
    async with make_shop(toml("broken_plugin")) as h:
        await h.say("f", "atta")
        await h.say("f", "1")
        reply = await h.choose("f", "boom:now")
        assert reply == "Sorry, I didn't understand that. Type a product name to search, or pick from the menu."
        state = (await h.shop.store.load_conversation("terminal:f")).state
        assert state["cart"]["lines"], "the failed turn's changes were kept"
        failures = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"dialog.failed"' in line]
        assert [f["plugin"] for f in failures] == ["broken"]


async def test_interceptors_run_first_in_priority_order_and_can_silence_the_bot(
    install: Install, make_shop: ShopFactory
) -> None:
    seen: list[str] = []

    def quiet(turn: Turn, inbound: Inbound) -> bool:
        seen.append("quiet")
        return (inbound.text or "") == "psst"

    def early(turn: Turn, inbound: Inbound) -> bool:
        seen.append("early")
        return False

    install(
        "watch_plugin",
        DialogFeature(name="zz_quiet", interceptors=[Interceptor(quiet, priority=50)]),
        DialogFeature(name="aa_early", interceptors=[Interceptor(early, priority=10)]),
    )
    async with make_shop(toml("watch_plugin")) as h:
        assert await h.say("i", "psst") == ""  # handled: no reply at all
        assert seen == ["early", "quiet"]
        assert "Aashirvaad Atta 5 kg" in await h.say("i", "atta")  # not intercepted: the dialog answers
        handled = await h.shop.store.load_conversation("terminal:i")
        assert handled.version >= 2  # both messages were taken and committed


class Visits(BaseModel):
    count: int = 0


def _count(turn: Turn, arg: str) -> None:
    visits = turn.state_of("visits", Visits)
    visits.count += 1
    turn.say(f"visit {visits.count}")


async def test_a_features_state_is_its_own_versioned_and_dropped_with_the_plugin(
    install: Install, make_shop: ShopFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    install("visits_plugin", DialogFeature(name="visits", actions={"visit": Action(_count)}, state=Visits))
    async with make_shop(toml("visits_plugin"), directory=folder) as h:
        assert await h.choose("v", "visit") == "visit 1"
        assert await h.choose("v", "visit") == "visit 2"
        state = (await h.shop.store.load_conversation("terminal:v")).state
        assert state["features"] == {"visits": {"v": 1, "data": {"count": 2}}}
    # A new version of the plugin with an incompatible state starts afresh rather than break.
    install(
        "visits_plugin", DialogFeature(name="visits", actions={"visit": Action(_count)}, state=Visits, state_version=2)
    )
    async with make_shop(toml("visits_plugin"), directory=folder) as h:
        assert await h.choose("v", "visit") == "visit 1"
    # The plugin leaves the shop: its state goes at the next message, and shopping goes on.
    async with make_shop(SHOP_TOML, directory=folder) as h:
        assert "Your cart is empty" in await h.say("v", "cart")
        assert "features" not in (await h.shop.store.load_conversation("terminal:v")).state


async def test_a_stored_state_that_no_longer_validates_starts_afresh(install: Install, make_shop: ShopFactory) -> None:
    install("visits_plugin", DialogFeature(name="visits", actions={"visit": Action(_count)}, state=Visits))
    async with make_shop(toml("visits_plugin")) as h:
        await h.choose("w", "visit")
        record = await h.shop.store.load_conversation("terminal:w")
        broken = {**record.state, "features": {"visits": {"v": 1, "data": {"count": "many"}}}}
        await h.shop.store.commit_turn("terminal:w", None, broken, record.version, [])
        assert await h.choose("w", "visit") == "visit 1"


async def test_a_step_that_does_not_apply_is_skipped_and_one_that_does_is_asked_in_order(
    install: Install, make_shop: ShopFactory
) -> None:
    asked: list[str] = []

    def ask(name: str) -> Callable[[Turn], None]:
        def asking(turn: Turn) -> None:
            asked.append(name)
            turn.ask(
                f"{name}?", [Action and __import__("chatshop.messages").messages.Choice(id=f"ok:{name}", title="OK")]
            )

        return asking

    async def ok(turn: Turn, name: str) -> None:
        await checkout_flow.proceed(turn, name)

    install(
        "steps_plugin",
        DialogFeature(
            name="steps",
            actions={"ok": Action(ok, in_checkout=True)},
            checkout_steps=[
                CheckoutStep("gift", 320, ask("gift")),
                CheckoutStep("window", 220, ask("window")),
                CheckoutStep("never", 350, ask("never"), applies=lambda turn: False),
            ],
        ),
    )
    async with make_shop(toml("steps_plugin")) as h:
        await h.say("s", "atta")
        await h.say("s", "1")
        await h.say("s", "checkout")
        assert "window?" in await h.say("s", "Bandra 400050")
        assert "gift?" in await h.choose("s", "ok:window")
        assert "Please check your order" in await h.choose("s", "ok:gift")
        assert asked == ["window", "gift"]


async def test_a_question_takes_its_typed_answer_after_command_words(install: Install, make_shop: ShopFactory) -> None:
    answers: list[str] = []

    def ask_name(turn: Turn, arg: str) -> None:
        turn.state.step = "nickname"
        turn.say("Your nickname?")

    def answer(turn: Turn, text: str) -> bool:
        answers.append(text)
        turn.state.step = "idle"
        turn.say(f"Hello {text}")
        return True

    install(
        "nick_plugin",
        DialogFeature(
            name="nick",
            actions={"nick": Action(ask_name)},
            questions=[Question("nickname", answer, lambda turn: turn.say("Your nickname?"), numbers=False)],
        ),
    )
    async with make_shop(toml("nick_plugin")) as h:
        await h.choose("q", "nick")
        assert "Your cart is empty" in await h.say("q", "cart")  # a command word is never the answer
        await h.choose("q", "nick")
        assert await h.say("q", "Rocky") == "Hello Rocky"
        assert answers == ["Rocky"]
        await h.choose("q", "nick")
        photo = Inbound(channel="terminal", customer_id="q", message_id="m-photo", kind=InboundKind.MEDIA)
        replies = await h.send_inbound(photo)
        assert [getattr(r, "body", "") for r in replies][-1].endswith("\n\nYour nickname?")  # asked again, one message
