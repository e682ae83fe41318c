"""Delivery slots at checkout: the customer picks a window of ``[delivery.slots]``; a full slot, or
one past its cut-off, is not offered; its place is taken with the order, atomically.

The checkout step ``slot`` stands at 200, after the address, before a coupon and the payment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time, timedelta

from babel.dates import format_skeleton

from chatshop.checkout import Checkout, CheckoutProblem
from chatshop.dialog import checkout_flow
from chatshop.dialog.feature import Action, CheckoutStep, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice
from chatshop.orders import Claim
from chatshop.plugins.dialog.menu import menu_button
from chatshop.pricing import Quote
from chatshop.runtime import Shop
from chatshop.slots import PREFIX, Slot, parse_key, upcoming

NAME = "slots"
STEP = "slot"
#: Rows a messenger's list holds, less one for "Cancel".
SHOWN = 9


def slot_label(locale: str, slot: Slot) -> str:
    """ "Tue, Jun 2 09:00–12:00" / "Di., 2. Juni 09:00–12:00": the day as the customer writes it."""
    day = format_skeleton("MMMEd", slot.day, locale=locale.replace("-", "_"))
    return f"{day} {slot.start.strftime('%H:%M')}–{slot.end.strftime('%H:%M')}"


async def free_slots(shop: Shop) -> list[Slot]:
    """The slots that are neither past their cut-off nor full, soonest first."""
    section = shop.config.delivery.slots
    if section is None:
        return []
    slots = upcoming(section, shop.config.shop.zone, shop.now())
    taken = await shop.store.claim_counts(PREFIX + s.key for s in slots)
    return [s for s in slots if taken.get(PREFIX + s.key, 0) < section.capacity]


def _chosen(checkout: Checkout | None) -> Slot | None:
    answer = checkout.extras.get(NAME) if checkout is not None else None
    if not isinstance(answer, dict):
        return None
    try:
        return Slot(
            date.fromisoformat(answer["date"]), time.fromisoformat(answer["start"]), time.fromisoformat(answer["end"])
        )
    except (KeyError, TypeError, ValueError):
        return None


def _applies(turn: Turn) -> bool:
    return turn.shop.config.delivery.slots is not None


async def ask(turn: Turn) -> None:
    if turn.state.checkout is None:
        await checkout_flow.start(turn)
        return
    slots = await free_slots(turn.shop)
    turn.state.step = STEP
    if not slots:
        turn.state.checkout.extras.pop(NAME, None)
        turn.ask(turn.t("slot_none"), [turn.choice("cart", "view_cart"), menu_button(turn)])
        turn.state.step = "idle"
        return
    choices = [Choice(id=f"slot:{s.key}", title=slot_label(turn.locale, s)) for s in slots[:SHOWN]]
    turn.ask(turn.t("slot_ask"), [*choices, turn.choice("abort", "cancel")], button=turn.t("slot_button"))


async def _pick(turn: Turn, key: str) -> None:
    checkout = turn.state.checkout
    section = turn.shop.config.delivery.slots
    if checkout is None or section is None:  # an old list, tapped after the checkout ended
        await checkout_flow.start(turn)
        return
    slot = parse_key(section, key)
    free = {s.key for s in await free_slots(turn.shop)}
    if slot is None or slot.key not in free:
        turn.say(turn.t("slot_gone"))
        await checkout_flow.go_to(turn, STEP)
        return
    checkout.extras[NAME] = slot.to_json()
    await checkout_flow.proceed(turn, STEP)


def describe(turn: Turn) -> str | None:
    slot = _chosen(turn.state.checkout)
    return turn.t("slot_summary", slot=slot_label(turn.locale, slot)) if slot is not None else None


@hookimpl
def price_cart(shop: Shop, quote: Quote) -> None:
    """The chosen slot's place goes with the order (and is refused when another order took the last)."""
    section = shop.config.delivery.slots
    answer = quote.answers.get(NAME)
    if section is None or not isinstance(answer, Mapping) or not isinstance(answer.get("key"), str):
        return
    quote.claims.append(Claim(PREFIX + answer["key"], section.capacity, message="slot_taken", step=STEP))


@hookimpl
async def validate_checkout(shop: Shop, checkout: Checkout, quote: Quote) -> list[CheckoutProblem] | None:
    """A slot that passed its cut-off while the customer looked at the summary is picked again."""
    section = shop.config.delivery.slots
    if section is None:
        return None
    slot = _chosen(checkout)
    if (
        slot is not None
        and slot.starts_at(shop.config.shop.zone) - timedelta(minutes=section.cutoff_minutes) > shop.now()
    ):
        return None
    checkout.extras.pop(NAME, None)
    # Said at the customer's summary: in their language, not the shop's.
    locale = await shop.customer_locale(quote.customer_key) if quote.customer_key else shop.config.shop.locale
    return [CheckoutProblem(shop.text(locale, "slot_passed" if slot is not None else "slot_ask"), step=STEP)]


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register(
        "en",
        {
            "slot_ask": "When should we deliver? Pick a time.",
            "slot_button": "Delivery times",
            "slot_none": "Sorry, no delivery time is free in the next days. Please try again later.",
            "slot_gone": "That time is no longer free. Please pick another.",
            "slot_taken": "Sorry, that delivery time was just taken by another order. Please pick another.",
            "slot_passed": "The delivery time you picked has closed. Please pick another.",
            "slot_summary": "Delivery time: {slot}",
        },
    )
    register(
        "de",
        {
            "slot_ask": "Wann sollen wir liefern? Wählen Sie eine Lieferzeit.",
            "slot_button": "Lieferzeiten",
            "slot_none": "Leider ist in den nächsten Tagen keine Lieferzeit frei. Bitte versuchen Sie es später.",
            "slot_gone": "Diese Lieferzeit ist nicht mehr frei. Bitte wählen Sie eine andere.",
            "slot_taken": "Diese Lieferzeit hat gerade eine andere Bestellung bekommen. Bitte wählen Sie eine andere.",
            "slot_passed": "Die gewählte Lieferzeit ist nicht mehr buchbar. Bitte wählen Sie eine andere.",
            "slot_summary": "Lieferzeit: {slot}",
        },
    )
    register(
        "hi",
        {
            "slot_ask": "हम कब डिलीवर करें? कोई समय चुनें।",
            "slot_button": "डिलीवरी का समय",
            "slot_none": "माफ़ कीजिए, अगले कुछ दिनों में डिलीवरी का कोई समय खाली नहीं है। कृपया बाद में फिर कोशिश करें।",
            "slot_gone": "वह समय अब खाली नहीं है। कृपया कोई दूसरा समय चुनें।",
            "slot_taken": "माफ़ कीजिए, डिलीवरी का वह समय अभी-अभी किसी और ऑर्डर ने ले लिया। कृपया कोई दूसरा समय चुनें।",
            "slot_passed": "आपका चुना हुआ डिलीवरी का समय बंद हो चुका है। कृपया कोई दूसरा समय चुनें।",
            "slot_summary": "डिलीवरी का समय: {slot}",
        },
    )
    register(
        "zh",
        {
            "slot_ask": "希望什么时候送达？请选择一个时间。",
            "slot_button": "送达时间",
            "slot_none": "抱歉，接下来几天没有可预约的送达时间。请稍后再试。",
            "slot_gone": "该时间已约满，请另选一个。",
            "slot_taken": "抱歉，该送达时间刚被其他订单约走了，请另选一个。",
            "slot_passed": "您选择的送达时间已截止，请另选一个。",
            "slot_summary": "送达时间：{slot}",
        },
    )


FEATURE = DialogFeature(
    name=NAME,
    actions={"slot": Action(_pick, in_checkout=True)},
    checkout_steps=(CheckoutStep(STEP, 200, ask, applies=_applies, describe=describe),),
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
