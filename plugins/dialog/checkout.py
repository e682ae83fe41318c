"""Checkout: an address (typed, shared as a location, or from a form), a postal code in the areas
served, a payment method available for this order, a summary, and an explicit confirm.

Its four steps stand at ``address`` 100, ``postal_code`` 110, ``payment`` 400 and ``confirm`` 900
in the order of checkout steps, leaving room for other features' steps between them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from chatshop.checkout import Checkout, find_postal_code, normalize_postal_code, typed_postal_code
from chatshop.dialog import checkout_flow
from chatshop.dialog.checkout_flow import ensure_checkout
from chatshop.dialog.engine import ABORT, AWAY, ask_again, number
from chatshop.dialog.feature import Action, CheckoutStep, DialogFeature
from chatshop.dialog.registry import Owned
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.legal import applies_eu, legal_lines
from chatshop.messages import Address, AddressRequest, Choice, Inbound, InboundKind, Location, lead_with
from chatshop.money import Money
from chatshop.ordering import CartChange
from chatshop.orders import Order, OrderStatus
from chatshop.payments import PaymentError
from chatshop.plugins.dialog.cart import show_cart
from chatshop.plugins.dialog.marketing import offer
from chatshop.plugins.dialog.menu import menu_button, show_menu
from chatshop.pricing import Notice, Quote
from chatshop.store.base import LimitReached, OutOfStock

ADDRESS, POSTAL_CODE, PAYMENT, CONFIRM = "address", "postal_code", "payment", "confirm"


def ascii_digits(text: str) -> str:
    """Digits of any script as ASCII: a PIN code typed in Devanagari (४०००५०) must match the shop's areas."""
    return "".join(str(unicodedata.digit(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def _postal_code(turn: Turn, text: str) -> str | None:
    """The postal code in ``text`` in the form of the shop's country, preferring one it delivers to."""
    config = turn.shop.config
    return find_postal_code(text, config.shop.currency, config.delivery.areas)


def has_postal_code(turn: Turn, text: str) -> bool:
    """Whether ``text`` reads as an address: it holds a postal code of the shop's country."""
    return _postal_code(turn, ascii_digits(text)) is not None


async def start(turn: Turn) -> None:
    """Begin checkout (or begin it again: "Change"), every step asked anew from the first."""
    if not turn.state.cart:
        show_cart(turn)
        return
    ensure_checkout(turn)
    await checkout_flow.start(turn)


def ask_address(turn: Turn) -> None:
    if ensure_checkout(turn) is None:
        show_cart(turn)
        return
    turn.state.step = ADDRESS
    key = "ask_address_location" if turn.caps.shares_location else "ask_address"
    turn.ask(turn.t(key), [turn.choice(ABORT, "cancel")])


def _ask_postal_code(turn: Turn) -> None:
    if turn.state.checkout is None:
        show_menu(turn)
        return
    turn.say(turn.t("ask_postal_code"))


def _needs_postal_code(turn: Turn) -> bool:
    checkout = turn.state.checkout
    return checkout is not None and not checkout.postal_code


def _stale(turn: Turn, text: str) -> bool:
    """A customer back after a day away whose text is no address: the question is closed (the cart
    and the checkout stay) and the text read as usual ("milk" is a search, not yesterday's address)."""
    if turn.away is not None and turn.away > AWAY and not has_postal_code(turn, text):
        turn.state.step = "idle"
        return True
    return False


async def _address_answer(turn: Turn, text: str) -> bool:
    if _stale(turn, text):
        return False
    located = turn.state.checkout is not None and turn.state.checkout.latitude is not None
    if not any(char.isalpha() for char in text) and not (located and has_postal_code(turn, text)):
        # No street, no place: no address, even with a postal code in it ("400050" alone), unless it
        # completes a shared location. A number of the choices under the question ("1. Cancel") is
        # that choice; anything else, the question again.
        typed = number(text)
        if typed is not None and 1 <= typed <= len(turn.state.menu):
            return False
        ask_address(turn)
        return True
    await address_text(turn, text)
    return True


async def _postal_code_answer(turn: Turn, text: str) -> bool:
    if _stale(turn, text):
        return False
    await postal_code_text(turn, text)
    return True


async def address_text(turn: Turn, text: str) -> None:
    checkout = ensure_checkout(turn)
    if checkout is None:
        show_cart(turn)
        return
    text = ascii_digits(text)
    code = _postal_code(turn, text)
    placed = checkout.address if checkout.latitude else None  # what a shared location said, if anything
    if placed and code and normalize_postal_code(text) == code:
        # "Share your location and then your postal code": the code completes the location's address.
        checkout.address = f"{placed} {code}"[:500]
    else:
        checkout.address = " ".join(text.split())[:500]
    checkout.postal_code = code
    if checkout.postal_code is None:
        await checkout_flow.proceed(turn, ADDRESS)  # the postal code, asked on its own
        return
    await after_address(turn)


async def postal_code_text(turn: Turn, text: str) -> None:
    checkout = ensure_checkout(turn)
    if checkout is None:
        show_cart(turn)
        return
    text = ascii_digits(text)
    config = turn.shop.config
    code = typed_postal_code(text, config.shop.currency, config.delivery.areas)
    if code is None:
        turn.say(turn.t("ask_postal_code"))
        return
    checkout.postal_code = code
    if not checkout.address:
        checkout.address = code
    await after_address(turn)


async def location(turn: Turn, where: Location) -> None:
    checkout = ensure_checkout(turn)
    if checkout is None:
        turn.say(turn.t("cart_empty"))
        show_menu(turn)
        return
    checkout.latitude = f"{where.latitude:.6f}"
    checkout.longitude = f"{where.longitude:.6f}"
    described = ", ".join(part for part in (where.name, where.address) if part)
    code = _postal_code(turn, described) if described else None
    if described and code:
        checkout.address = described
        checkout.postal_code = code
        await after_address(turn)
        return
    # Kept for the postal code the customer sends next (see address_text); none said: none kept.
    checkout.address = described[:500] or None
    checkout.postal_code = None
    turn.state.step = ADDRESS
    turn.say(turn.t("location_received"))


async def address_form(turn: Turn, address: Address) -> None:
    checkout = ensure_checkout(turn)
    if checkout is None:
        show_cart(turn)
        return
    checkout.address = address.one_line()[:500]
    checkout.contact_name = address.name
    code = (
        normalize_postal_code(ascii_digits(address.postal_code))
        if address.postal_code
        else _postal_code(turn, ascii_digits(checkout.address))
    )
    if not code:
        checkout.postal_code = None
        await checkout_flow.proceed(turn, ADDRESS)
        return
    checkout.postal_code = code
    await after_address(turn)


async def after_address(turn: Turn) -> None:
    """The address is in: on to the next step, if the shop delivers there."""
    checkout = turn.state.checkout
    assert checkout is not None
    areas = turn.shop.config.delivery.areas
    if areas and checkout.postal_code not in areas:
        turn.state.step = ADDRESS
        refusal = turn.t("area_not_served", postal_code=checkout.postal_code)
        if turn.caps.address_form:  # the messenger's form again, the PIN code marked for the customer to fix
            entered = {"address": (checkout.address or "")[:200], "in_pin_code": (checkout.postal_code or "")[:6]}
            turn.out.append(AddressRequest(body=refusal, values=entered, errors={"in_pin_code": refusal}))
            return
        turn.ask(refusal, [turn.choice(ABORT, "cancel")])
        return
    await checkout_flow.proceed(turn, POSTAL_CODE)


async def ask_payment(turn: Turn) -> None:
    """The payment methods available for this order; the only one is chosen without asking."""
    checkout = turn.state.checkout
    if checkout is None or not checkout.postal_code or not turn.state.cart:
        await start(turn)
        return
    quote = await turn.shop.ordering.quote(
        turn.state.cart, turn.channel, checkout.postal_code, checkout=checkout, customer_key=turn.customer_key
    )
    methods = turn.shop.ordering.methods_for(quote)
    turn.state.step = PAYMENT
    if not methods:
        turn.ask(turn.t("no_payment_method"), [turn.choice("cart", "view_cart"), menu_button(turn)])
        return
    if len(methods) == 1:
        await choose_payment(turn, methods[0].name)
        return
    choices = [Choice(id=f"pay:{m.name}", title=_method_label(turn, m.name)) for m in methods]
    turn.ask(turn.t("choose_payment", total=turn.money(quote.total)), [*choices, turn.choice(ABORT, "cancel")][:10])


def _method_label(turn: Turn, name: str) -> str:
    """The method's own text (``payment_<name>``), else a generic "Pay online"."""
    method = turn.shop.payment_methods[name]
    for key in (method.label_key, f"payment_{name}", "payment_online" if method.online else None):
        if key:
            try:
                return turn.t(key)
            except KeyError:
                continue
    return name


def _say_changes(turn: Turn, changes: list[CartChange]) -> None:
    """Tell the customer what bringing the cart to the catalog changed."""
    for change in changes:
        if change.price is None:
            turn.say(turn.t("no_longer_sold", title=change.title))
        else:
            turn.say(turn.t("price_changed", title=change.title, price=turn.money(change.price)))


async def _priced(turn: Turn, checkout: Checkout, *, confirming: bool = False) -> Quote | None:
    """The quote for the checkout as it stands, or None (and the customer told) if it cannot go on.

    The cart is first brought to the shop's current prices and products; when confirming, a change
    shows the summary again, so the customer confirms the total they will pay.
    """
    changes = await turn.shop.ordering.refresh(turn.state.cart)
    _say_changes(turn, changes)
    if not turn.state.cart:
        turn.state.step = "idle"
        show_cart(turn)
        return None
    if changes and confirming and checkout.payment_method:
        await checkout_flow.go_to(turn, CONFIRM)
        return None
    quote = await turn.shop.ordering.quote(
        turn.state.cart,
        turn.channel,
        checkout.postal_code,
        checkout.payment_method,
        checkout=checkout,
        customer_key=turn.customer_key,
    )
    available = {m.name for m in turn.shop.ordering.methods_for(quote)}
    if checkout.payment_method not in available:
        await checkout_flow.go_to(turn, PAYMENT)
        return None
    problems = await turn.shop.plugins.validate_checkout(turn.shop, checkout, quote)
    if problems:
        turn.say("\n".join(problem.text for problem in problems))
        # The earliest step a problem names is asked again, the answers before it stand (a closed
        # delivery time asks for a time, not the address); a problem naming none starts over.
        named = [i for problem in problems if problem.step and (i := turn.dialog.step_index(problem.step)) is not None]
        if len(named) == len(problems):
            await checkout_flow.go_to(turn, turn.dialog.steps[min(named)].value.name)
        else:
            await start(turn)
        return None
    return quote


async def choose_payment(turn: Turn, name: str) -> None:
    checkout = turn.state.checkout
    if checkout is None or not checkout.postal_code or not turn.state.cart:
        await start(turn)
        return
    if name not in turn.shop.payment_methods:
        await after_address(turn)
        return
    checkout.payment_method = name
    await checkout_flow.proceed(turn, PAYMENT)


async def show_summary(turn: Turn) -> None:
    """What the order will be, every fee and the total, above the binding confirm button."""
    checkout = turn.state.checkout
    if checkout is None or not checkout.postal_code or not turn.state.cart:
        await start(turn)
        return
    name = checkout.payment_method
    if name is None or name not in turn.shop.payment_methods:
        await checkout_flow.go_to(turn, PAYMENT)
        return
    quote = await _priced(turn, checkout)
    if quote is None:
        return
    turn.state.step = CONFIRM
    turn.state.summary = digest(quote)
    lines = [
        turn.t("cart_line", quantity=ln.quantity, title=ln.title, total=turn.money(ln.total)) for ln in quote.lines
    ]
    lines.append(turn.t("summary_subtotal", amount=turn.money(quote.subtotal)))
    for adjustment in quote.adjustments:
        lines.append(f"{adjustment_label(turn, adjustment.code, adjustment.label)}: {turn.money(adjustment.amount)}")
    lines.extend(notice_text(turn, notice) for notice in quote.notices)
    details = [line for line in [await _described(turn, owned) for owned in turn.dialog.steps] if line]
    body = turn.t(
        "summary",
        lines="\n".join(lines),
        address=checkout.address or checkout.postal_code,
        details="".join(f"\n{line}" for line in details),
        payment=_method_label(turn, name),
        total=turn.money(quote.total),
    )
    button = confirm_label(turn)
    law = legal_lines(turn.shop.config, turn.t, button=button)
    if law:
        body += "\n\n" + "\n".join(law)
    confirm_choice = Choice(id=CONFIRM, title=button)
    turn.ask(body, [confirm_choice, turn.choice("checkout", "change"), turn.choice(ABORT, "cancel")])


async def _described(turn: Turn, owned: Owned[CheckoutStep]) -> str | None:
    """A step's answer as a line of the summary (the delivery slot), if its feature gives one."""
    if owned.value.describe is None:
        return None
    line: str | None = await turn.run_as(owned.feature, owned.value.describe, turn)
    return line


def confirm_label(turn: Turn) -> str:
    """The binding button's label: under EU law it says the order must be paid ("Zahlungspflichtig
    bestellen"); where the messenger's buttons hold fewer letters, the short form that still says
    so ("Jetzt kaufen"), never a label cut in half."""
    key = "confirm_binding" if applies_eu(turn.shop.config) else "confirm"
    title = turn.t(key)
    if turn.caps.max_buttons > 0 and len(title) > turn.caps.button_title_length:
        title = turn.t(f"{key}_short")
    return title


def notice_text(turn: Turn, notice: Notice) -> str:
    """A notice in the customer's words, its amounts and days written their way."""
    return turn.t(notice.key, **{key: shown(turn, value) for key, value in notice.values.items()})


def shown(turn: Turn, value: Any) -> Any:
    """A value in the customer's way of writing it: money, a day, a rate ("2,5" in German)."""
    if isinstance(value, Money):
        return turn.money(value)
    if isinstance(value, Decimal):
        return format_decimal(value, locale=turn.locale.replace("-", "_"))
    if isinstance(value, date):
        return format_date(value, format="medium", locale=turn.locale.replace("-", "_"))
    return value


def digest(quote: Quote) -> str:
    """What a summary shows that an order is made of: its lines, their prices, every fee and the
    total. Two quotes with the same digest charge the same for the same things."""
    parts = [quote.currency, quote.payment_method or "", quote.postal_code or ""]
    parts += [f"{ln.product_id}×{ln.quantity}@{ln.unit_price.minor}" for ln in quote.lines]
    parts += [f"{a.code}={a.amount.minor}" for a in quote.adjustments]
    parts.append(str(quote.total.minor))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def adjustment_label(turn: Turn, code: str, fallback: str | None) -> str:
    """A line's label in the customer's words: ``adjustment_<code>``, or for ``kind:detail`` codes
    (``coupon:SOMMER10``) ``adjustment_<kind>`` with the detail filled in."""
    kind, _, detail = code.partition(":")
    for key in (f"adjustment_{code}", f"adjustment_{kind}" if detail else None):
        if key is None:
            continue
        try:
            return turn.t(key, detail=detail)
        except KeyError:
            continue
    return fallback or code


async def confirm(turn: Turn) -> None:
    checkout = turn.state.checkout
    if checkout is None or turn.state.step != CONFIRM or not checkout.payment_method:
        if checkout is not None and checkout.payment_method and checkout.postal_code and turn.state.cart:
            # A "Confirm" tapped after the cart changed (an old summary scrolled back to): the
            # summary again, as the cart is now, rather than an order the customer has not seen.
            await checkout_flow.go_to(turn, CONFIRM)
        elif turn.state.cart:
            turn.say(turn.t("nothing_to_confirm"))
            show_cart(turn)
        elif turn.state.last_order:
            turn.say(turn.t("already_placed", number=turn.state.last_order))
            show_menu(turn)
        else:
            turn.say(turn.t("nothing_to_confirm"))
            show_menu(turn)
        return
    quote = await _priced(turn, checkout, confirming=True)
    if quote is None:
        return
    if turn.state.summary is not None and turn.state.summary != digest(quote):
        # The total moved since the summary without a product's price moving (a delivery or
        # payment fee changed, a discount ended): the summary again, to confirm what is charged.
        turn.say(turn.t("total_changed"))
        await checkout_flow.go_to(turn, CONFIRM)
        return
    try:
        placement = await turn.shop.ordering.place(turn.customer_key, checkout, quote)
    except LimitReached as taken:
        # The coupon's last use or the slot's last place went to another order a moment ago:
        # the step that chose it asks again (or the summary shows the order without it).
        claim = next((c for c in quote.claims if c.key == taken.key), None)
        turn.say(turn.t(claim.message if claim and claim.message else "limit_reached", code=_detail(taken.key)))
        await checkout_flow.go_to(turn, claim.step if claim and claim.step else CONFIRM)
        return
    except OutOfStock as sold_out:
        # A shortage of none is also a product switched off since checkout looked: the cart is
        # brought to the catalog again, so the customer hears which it was.
        _say_changes(turn, await turn.shop.ordering.refresh(turn.state.cart))
        for product_id, left in sold_out.shortages.items():
            line = turn.state.cart.line(product_id)
            if line is not None:
                turn.state.cart.set_quantity(product_id, left)
                key = "sold_out_at_checkout" if left else "gone_at_checkout"
                turn.say(turn.t(key, title=line.title, left=left))
        turn.state.step = "idle"
        show_cart(turn)
        return
    order = placement.order
    turn.state.cart.clear()
    turn.state.checkout = None
    turn.state.summary = None
    turn.state.step = "idle"
    turn.state.last_order = order.number
    total = turn.money(order.total)
    # One message, not two: the record the law asks for follows the thanks (every message is billed).
    record = order_record(turn, order, quote)
    if not turn.shop.payment_methods[order.payment_method].online:
        try:  # a cash method may have something to ask (cash on delivery with confirmation)
            asked = await turn.shop.ordering.start_payment(order)
        except PaymentError:
            asked = []
        if asked:
            if record:  # the record the law asks for goes in the same message
                first = asked[0]
                asked[0] = first.model_copy(update={"body": _with_record(getattr(first, "body", ""), record)})
            turn.out.extend(asked)
            return
        body, choices = await offer(
            turn,
            _with_record(turn.t("order_placed_cod", number=order.number, total=total), record),
            [turn.choice("orders", "menu_orders"), menu_button(turn)],
        )
        turn.ask(body, choices)
        return
    placed = _with_record(turn.t("order_placed_online", number=order.number, total=total), record)
    await request_payment(turn, order.number, lead=placed)


def _with_record(placed: str, record: str | None) -> str:
    return f"{placed}\n\n{record}" if record else placed


def _detail(key: str) -> str:
    """What a claim key names, for the customer: ``discount:SOMMER10`` is SOMMER10."""
    return key.partition(":")[2] or key


def charged_lines(turn: Turn, order: Order) -> list[str]:
    """An order's goods and every line charged besides (delivery, fees, discounts, tax), one a
    line, in the customer's words: what makes its total add up."""
    lines = [
        turn.t("cart_line", quantity=ln.quantity, title=ln.title, total=turn.money(ln.unit_price * ln.quantity))
        for ln in order.lines
    ]
    lines += [f"{adjustment_label(turn, code, None)}: {turn.money(amount)}" for code, amount in order.adjustments]
    return lines


def order_record(turn: Turn, order: Order, quote: Quote) -> str | None:
    """Under EU law the confirmation repeats, on a durable medium, what was bought, its price with
    every fee, and the terms and withdrawal policy: a message of its own, kept in the chat."""
    law = legal_lines(turn.shop.config, turn.t)
    if not law and not quote.notices:
        return None
    lines = [*charged_lines(turn, order), *(notice_text(turn, notice) for notice in quote.notices)]
    record = turn.t("order_record", number=order.number, lines="\n".join(lines), total=turn.money(order.total))
    return "\n\n".join([record, "\n".join(law)]) if law else record


async def request_payment(turn: Turn, number: str, *, lead: str | None = None) -> None:
    """Send the payment link (again); a provider outage leaves the order reserved and retryable.

    ``lead`` (the order is placed) opens the payment message itself rather than a message of its own.
    """
    order = await turn.shop.store.get_order(number)
    if order is None or order.customer_key != turn.customer_key:
        turn.say(turn.t("order_unknown"))
        return
    if lead is not None and order.status is not OrderStatus.PENDING_PAYMENT:
        turn.say(lead)
    if order.status is OrderStatus.CANCELLED:  # the window passed (or it was cancelled) meanwhile
        turn.ask(
            turn.t("order_cancelled", number=order.number),
            [Choice(id=f"reorder:{order.number}", title=turn.t("try_again")), turn.choice("orders", "menu_orders")],
        )
        return
    if order.status is not OrderStatus.PENDING_PAYMENT:  # paid meanwhile: where it is now
        turn.say(turn.t("status_update", number=order.number, status=turn.t(f"state_{order.status.value}")))
        return
    try:
        messages = await turn.shop.ordering.start_payment(order)
    except PaymentError:
        if lead is not None:
            turn.say(lead)
        turn.ask(
            turn.t("payment_unavailable", number=order.number),
            [Choice(id=f"paylink:{order.number}", title=turn.t("try_again")), turn.choice("orders", "menu_orders")],
        )
        return
    turn.out.extend(lead_with(lead, messages) if lead is not None else messages)


def abort(turn: Turn) -> None:
    turn.state.checkout = None
    turn.state.summary = None
    turn.state.step = "idle"
    turn.say(turn.t("checkout_cancelled"))
    show_menu(turn)


async def _leave(turn: Turn, _: str) -> None:
    """A typed "cancel": it leaves the checkout where one is open (it must never become the address),
    and whatever question was asked anywhere else."""
    if turn.state.step in turn.dialog.step_names:
        abort(turn)
    else:
        show_menu(turn)


async def _checkout(turn: Turn, _: str) -> None:
    await start(turn)


async def _pay(turn: Turn, name: str) -> None:
    await choose_payment(turn, name)


async def _confirm(turn: Turn, _: str) -> None:
    await confirm(turn)


def _abort(turn: Turn, _: str) -> None:
    abort(turn)


async def _location(turn: Turn, inbound: Inbound) -> None:
    if inbound.location is None:
        turn.say(turn.t("media_reply"))
        await ask_again(turn)
        return
    await location(turn, inbound.location)


async def _address(turn: Turn, inbound: Inbound) -> None:
    if inbound.address is None:
        turn.say(turn.t("media_reply"))
        await ask_again(turn)
        return
    await address_form(turn, inbound.address)


FEATURE = DialogFeature(
    name="checkout",
    actions={
        "checkout": Action(_checkout, in_checkout=True),
        "pay": Action(_pay, in_checkout=True),
        CONFIRM: Action(_confirm, in_checkout=True),
        ABORT: Action(_abort, in_checkout=True),
        "leave": Action(_leave, in_checkout=True),
    },
    commands={"words_checkout": "checkout", "words_cancel": "leave"},
    checkout_steps=(
        CheckoutStep(ADDRESS, 100, ask_address, answer=_address_answer),
        CheckoutStep(POSTAL_CODE, 110, _ask_postal_code, answer=_postal_code_answer, applies=_needs_postal_code),
        CheckoutStep(PAYMENT, 400, ask_payment),
        CheckoutStep(CONFIRM, 900, show_summary),
    ),
    inbound={InboundKind.LOCATION: _location, InboundKind.ADDRESS: _address},
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
