"""The main menu, the greeting, help and the choice of language: where every conversation starts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chatshop.dialog.engine import MENU
from chatshop.dialog.feature import Action, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice, Inbound, InboundKind

#: The argument of the ``menu`` choice that typed greetings ("hi", "namaste") carry: a customer's
#: first greeting is answered with the welcome, later ones with the menu.
GREET = "greet"


def show_menu(turn: Turn, *, greet: bool = False, extra: Sequence[Choice] = ()) -> None:
    if greet:
        name = (turn.state.name or "").split(" ")[0].strip()
        body = turn.t("welcome_named", name=name) if name else turn.t("welcome")
    else:
        body = turn.t("menu_body")
    count = len(turn.state.cart)
    cart_title = turn.t("menu_cart") + (f" ({count})" if count else "")
    choices = [
        turn.choice("browse", "menu_browse"),
        turn.choice("search", "menu_search"),
        Choice(id="cart", title=cart_title),
        turn.choice("orders", "menu_orders"),
        turn.choice("help", "menu_help"),
    ]
    if len(turn.shop.locales) > 1:
        choices.append(turn.choice("lang", "menu_language"))
    turn.ask(body, [*choices, *extra], button=turn.t("menu_button"))
    turn.state.step = "idle"
    turn.state.welcomed = True


def menu_button(turn: Turn) -> Choice:
    return turn.choice(MENU, "back_to_menu")


def _menu(turn: Turn, arg: str) -> None:
    show_menu(turn, greet=arg == GREET and not turn.state.welcomed)


async def _help(turn: Turn, _: str) -> None:
    """Help, then the menu with the choices features add under Help (numbered after the menu's own,
    so a typed "1" still means the same as on the menu)."""
    extra = [
        turn.choice(owned.value.choice, owned.value.title_key)
        for owned in turn.dialog.help
        if await turn.run_as(owned.feature, owned.value.applies, turn)
    ]
    turn.say(turn.t("help"))
    show_menu(turn, extra=extra)


def _language(turn: Turn, code: str) -> None:
    if not code:
        choices = [
            Choice(id=f"lang:{code}", title=turn.shop.texts.get(code, "language_name")) for code in turn.shop.locales
        ]
        turn.ask(turn.t("language_prompt"), choices)
        return
    if code in turn.shop.locales:
        turn.state.locale = code
        turn.say(turn.t("language_set"))
    show_menu(turn)


def _event(turn: Turn, inbound: Inbound) -> None:
    """A follow or a QR scan (WeChat), or a first chat opened (the web chat's "welcome", greeted once)."""
    if inbound.event in ("subscribe", "scan") or (inbound.event == "welcome" and not turn.state.welcomed):
        show_menu(turn, greet=True)


FEATURE = DialogFeature(
    name="menu",
    actions={MENU: Action(_menu), "help": Action(_help), "lang": Action(_language)},
    commands={"words_menu": f"{MENU}:{GREET}", "words_help": "help", "words_language": "lang"},
    labels={"menu_help": "help", "back_to_menu": MENU, "menu_button": MENU},
    inbound={InboundKind.EVENT: _event},
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
