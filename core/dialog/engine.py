"""The shopping dialog: turn one inbound message into replies and a new conversation state.

Every button, list row and numbered answer arrives as a choice id like ``p:atta-5kg``; free text is
read as a command word, an answer the dialog is waiting for (a quantity, an address), a number from
the last menu, or a search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from chatshop.catalog import fold
from chatshop.dialog import browse, cart_steps, checkout_steps, order_steps
from chatshop.dialog.turn import Turn
from chatshop.messages import Choice, Inbound, InboundKind

Handler = Callable[[Turn, str], Awaitable[None]]


async def _menu(turn: Turn, _: str) -> None:
    browse.show_menu(turn)


async def _help(turn: Turn, _: str) -> None:
    turn.say(turn.t("help"))
    browse.show_menu(turn)


async def _languages(turn: Turn, _: str) -> None:
    choices = [
        Choice(id=f"lang:{code}", title=turn.shop.texts.get(code, "language_name")) for code in turn.shop.locales
    ]
    turn.ask(turn.t("language_prompt"), choices)


async def _set_language(turn: Turn, code: str) -> None:
    if code in turn.shop.locales:
        turn.state.locale = code
        turn.say(turn.t("language_set"))
    browse.show_menu(turn)


async def _language(turn: Turn, code: str) -> None:
    await (_set_language(turn, code) if code else _languages(turn, code))


async def _category(turn: Turn, arg: str) -> None:
    index, _, page = arg.partition(":")
    await browse.show_category(turn, _int(index), _int(page))


async def _search_page(turn: Turn, page: str) -> None:
    if not turn.state.query or not await browse.search(turn, turn.state.query, _int(page)):
        browse.ask_search(turn)


async def _add(turn: Turn, arg: str) -> None:
    product_id, _, quantity = arg.rpartition(":")
    await cart_steps.add(turn, product_id, max(_int(quantity), 1))


def _plain(action: Callable[[Turn], None]) -> Handler:
    async def handler(turn: Turn, _: str) -> None:
        action(turn)

    return handler


def _with_arg(action: Callable[[Turn, str], None]) -> Handler:
    async def handler(turn: Turn, arg: str) -> None:
        action(turn, arg)

    return handler


async def _browse(turn: Turn, _: str) -> None:
    await browse.show_categories(turn)


async def _categories_page(turn: Turn, page: str) -> None:
    await browse.show_categories(turn, _int(page))


async def _orders(turn: Turn, page: str) -> None:
    await order_steps.list_orders(turn, _int(page))


async def _confirm(turn: Turn, _: str) -> None:
    await checkout_steps.confirm(turn)


async def _edit(turn: Turn, page: str) -> None:
    cart_steps.edit_cart(turn, _int(page))


async def _inc(turn: Turn, product_id: str) -> None:
    await cart_steps.change_line(turn, product_id, 1)


async def _dec(turn: Turn, product_id: str) -> None:
    await cart_steps.change_line(turn, product_id, -1)


HANDLERS: dict[str, Handler] = {
    "menu": _menu,
    "help": _help,
    "lang": _language,
    "browse": _browse,
    "cats": _categories_page,
    "cat": _category,
    "p": browse.show_product,
    "search": _plain(browse.ask_search),
    "sr": _search_page,
    "add": _add,
    "qty": _with_arg(cart_steps.ask_quantity),
    "cart": _plain(cart_steps.show_cart),
    "edit": _edit,
    "line": _with_arg(cart_steps.line_options),
    "inc": _inc,
    "dec": _dec,
    "rm": _with_arg(cart_steps.remove_line),
    "clear": _plain(cart_steps.clear),
    "checkout": _plain(checkout_steps.start),
    "pay": checkout_steps.choose_payment,
    "confirm": _confirm,
    "abort": _plain(checkout_steps.abort),
    "orders": _orders,
    "o": order_steps.show_order,
    "cancel": order_steps.ask_cancel,
    "cancelyes": order_steps.cancel,
    "paylink": order_steps.pay_again,
    "reorder": order_steps.reorder,
}

#: Choices that continue a checkout in progress rather than leave it.
CHECKOUT_CHOICES = frozenset({"pay", "confirm", "abort", "checkout"})

#: Steps of a checkout in progress, where a typed "cancel" leaves it.
CHECKOUT_STEPS = frozenset({"address", "postal_code", "payment", "confirm"})

#: Typed words that act like a menu choice (from the ``words_*`` texts of the customer's locale).
WORD_ACTIONS = {
    "words_menu": "menu",
    "words_cart": "cart",
    "words_orders": "orders",
    "words_help": "help",
    "words_language": "lang",
    "words_checkout": "checkout",
}


#: Typed words that pick a choice of the last reply by what it is (its title in the customer's
#: language), wherever it was offered: "下一页" on any page with a "More…", "返回" wherever "Back" is.
WORD_PICKS = {"words_more": ("more",), "words_back": ("back", "back_to_menu")}


#: Marks keyboards add that nobody sees: bidi marks and isolates around a number typed in a
#: right-to-left chat, zero-width spaces pasted with a word, a byte-order mark. Joiners (ZWJ, ZWNJ)
#: stay: they shape Indic and Persian words and emoji.
_INVISIBLE = re.compile("[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _number(text: str) -> int | None:
    """A menu number or quantity typed in any script: 2, २, ２, and the circled ② of Chinese keyboards
    (``int`` reads only the first three, and raised on the last)."""
    cleaned = text.strip().rstrip(".)")
    digits = [unicodedata.digit(c, None) for c in cleaned]
    if not cleaned or len(cleaned) > 4 or None in digits:
        return None
    return int("".join(str(d) for d in digits))


async def choose(turn: Turn, choice_id: str) -> None:
    prefix, _, arg = choice_id.partition(":")
    handler = HANDLERS.get(prefix)
    if handler is None:
        turn.say(turn.t("unknown"))
        browse.show_menu(turn)
        return
    if prefix not in CHECKOUT_CHOICES:
        turn.state.step = "idle"  # leaving checkout or a question: free text means search again
    await handler(turn, arg)


#: The shop's own button titles, by the choice each stands for. A template's quick-reply button
#: tapped without a payload (a template sent before its buttons had payloads, or a campaign sent
#: from WhatsApp Manager) comes back as its label alone, in whatever language the template is in.
LABEL_CHOICES = {
    "menu_browse": "browse",
    "menu_cart": "cart",
    "view_cart": "cart",
    "menu_orders": "orders",
    "cancel_order": "orders",  # which order is not said: the list, to pick it from
    "menu_help": "help",
    "back_to_menu": "menu",
    "menu_button": "menu",
}


def _spoken(text: str) -> str:
    """A typed word as command words are listed: case-folded, single-spaced, no end punctuation."""
    return " ".join(text.casefold().strip("!.?¡¿。！？，、। ").split())


def _labelled(turn: Turn, label: str) -> str | None:
    """The choice a button's label stands for (a title of ours, or a command word) in the
    customer's language or another of the shop's, which they are answered in from then on."""
    texts, own = turn.shop.texts, turn.state.locale
    folded, word = fold(label.strip()), _spoken(label)
    for code in (own, *(c for c in turn.shop.locales if c != own)):
        found = next((c for key, c in LABEL_CHOICES.items() if fold(texts.raw(code, key)) == folded), None)
        found = found or next((c for key, c in WORD_ACTIONS.items() if word in texts.words(code, key)), None)
        if found is not None:
            turn.state.locale = code
            return found
    return None


#: Every kind of typed command word, for recognising the language a customer types in.
COMMAND_WORDS = (*WORD_ACTIONS, *WORD_PICKS, "words_cancel", "words_remove", "words_clear")


def _language_of(turn: Turn, word: str) -> str | None:
    """Another of the shop's languages whose command word ``word`` is, when the customer's own has
    no such word: 购物车 typed to a shop that greeted in English means "my cart, in Chinese"."""
    texts, own = turn.shop.texts, turn.state.locale
    if any(word in texts.words(own, key) for key in COMMAND_WORDS):
        return None
    for code in turn.shop.locales:
        if code != own and any(word in texts.words(code, key) for key in COMMAND_WORDS):
            return code
    return None


async def on_text(turn: Turn, text: str) -> None:
    text = _INVISIBLE.sub("", text).strip()
    state = turn.state
    word = _spoken(text) or text
    if (language := _language_of(turn, word)) is not None:
        state.locale = language  # answered in the language they typed, from this reply on
    number = _number(text)
    if state.step == "quantity" and number is not None:
        await cart_steps.quantity_answer(turn, number)
        return
    if word in turn.shop.texts.words(state.locale, "words_cancel"):
        # "cancel" typed where an address is expected must never become the address (nor, typed
        # again, its postal code): it leaves the checkout, or whatever question was asked.
        if state.step in CHECKOUT_STEPS:
            checkout_steps.abort(turn)
        else:
            browse.show_menu(turn)
        return
    if await _typed_pick(turn, word):
        return
    for key, action in WORD_ACTIONS.items():
        if word in turn.shop.texts.words(state.locale, key):
            if action == "menu" and not state.welcomed:
                browse.show_menu(turn, greet=True)
                return
            await choose(turn, action)
            return
    if number is not None and state.step not in ("address", "postal_code"):
        if 1 <= number <= len(state.menu):
            await choose(turn, state.menu[number - 1])
        elif state.menu:
            turn.say(turn.t("number_out_of_range", max=len(state.menu)))
        else:
            browse.show_menu(turn)
        return
    if state.step == "address":
        await checkout_steps.address_text(turn, text)
        return
    if state.step == "postal_code":
        await checkout_steps.postal_code_text(turn, text)
        return
    label = fold(text)
    if label in state.labels and len(state.labels) == len(state.menu):  # "Deutsch" typed, not its number
        await choose(turn, state.menu[state.labels.index(label)])
        return
    greet = not state.welcomed
    if not text or not await browse.search(turn, text[:100]):
        if greet:
            browse.show_menu(turn, greet=True)
            return
        turn.say(turn.t("search_none", query=text[:100]) if text else turn.t("unknown"))
        browse.show_menu(turn)
        return
    state.welcomed = True


async def _typed_pick(turn: Turn, word: str) -> bool:
    """A typed "next page", "back", "remove" or "empty the cart" (``words_*`` of the customer's
    locale, which a shop may override): the matching choice of the last reply. True if handled."""
    state, texts = turn.state, turn.shop.texts
    for key, titles in WORD_PICKS.items():
        if word in texts.words(state.locale, key):
            labels = {fold(turn.t(title)) for title in titles}
            picked = next((cid for cid, label in zip(state.menu, state.labels, strict=False) if label in labels), None)
            if picked is not None:
                await choose(turn, picked)
            elif key == "words_more":
                turn.say(turn.t("no_more"))
            else:
                browse.show_menu(turn)
            return True
    if word in texts.words(state.locale, "words_remove"):
        line = next((cid for cid in state.menu if cid.startswith("rm:")), None)
        await choose(turn, line or "edit")
        return True
    if word in texts.words(state.locale, "words_clear"):
        await choose(turn, "clear")
        return True
    return False


#: Away this long (WhatsApp's conversation window), a customer who left at the address question
#: and writes again is starting afresh: their "milk" is a search, not yesterday's address.
AWAY = timedelta(hours=24)


def _back_after(turn: Turn, inbound: Inbound) -> timedelta | None:
    """How long since the customer last wrote (None the first time); remembers this message's time.
    A redelivered old message never moves the time back."""
    now = inbound.received_at or datetime.now(UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    try:
        last = datetime.fromisoformat(turn.state.seen_at) if turn.state.seen_at else None
    except ValueError:
        last = None
    last = last if last is None or last.tzinfo else last.replace(tzinfo=UTC)
    if last is None or now > last:
        turn.state.seen_at = now.isoformat()
    return now - last if last is not None else None


async def handle(turn: Turn, inbound: Inbound) -> None:
    """Run the dialog for one message; the replies end up in ``turn.out``."""
    if inbound.profile_name and not turn.state.name:
        turn.state.name = inbound.profile_name[:60]
    away = _back_after(turn, inbound)
    match inbound.kind:
        case InboundKind.CHOICE if inbound.choice_id:
            choice = inbound.choice_id
            if choice.partition(":")[0] not in HANDLERS and inbound.text:
                choice = _labelled(turn, inbound.text) or choice  # a button that came back as its label
            await choose(turn, choice)
        case InboundKind.TEXT:
            text = inbound.text or ""
            if (
                away is not None
                and away > AWAY
                and turn.state.step in ("address", "postal_code")
                and not checkout_steps.has_postal_code(turn, text)
            ):
                turn.state.step = "idle"  # the cart and the checkout stay; the question is closed
            await on_text(turn, text)
        case InboundKind.CART:
            await cart_steps.native_cart(turn, inbound.items)
        case InboundKind.LOCATION if inbound.location:
            await checkout_steps.location(turn, inbound.location)
        case InboundKind.ADDRESS if inbound.address:
            await checkout_steps.address_form(turn, inbound.address)
        case InboundKind.EVENT:
            if inbound.event in ("subscribe", "scan") or (inbound.event == "welcome" and not turn.state.welcomed):
                browse.show_menu(turn, greet=True)  # "welcome": a first chat opened, greeted once
        case _:
            turn.say(turn.t("media_reply"))
            await _ask_again(turn)


async def _ask_again(turn: Turn) -> None:
    """After a message the shop cannot read (a photo of the address, a sticker at the summary, an
    empty form), the question that was open is asked again: the customer stays in their checkout
    instead of the main menu, and a typed "1" still means the first choice they see."""
    step, checkout = turn.state.step, turn.state.checkout
    if step == "address" and checkout is not None:
        checkout_steps.start(turn)
    elif step == "postal_code" and checkout is not None:
        turn.say(turn.t("ask_postal_code"))
    elif step == "confirm" and checkout is not None and checkout.payment_method:
        await checkout_steps.choose_payment(turn, checkout.payment_method)  # the summary again
    elif step == "payment" and checkout is not None and checkout.postal_code:
        await checkout_steps.after_address(turn)  # the payment methods again
    elif step == "quantity" and turn.state.product_id:
        cart_steps.ask_quantity(turn, turn.state.product_id)
    else:
        browse.show_menu(turn)
