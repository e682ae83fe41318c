"""Coupons and discounts: "Have a coupon?" at checkout, a code typed anywhere, and the discount as a
visible line of the quote.

The checkout step ``coupon`` stands at 300, after the address and a delivery slot, before the
payment method. A code typed at any time ("sommer 10", in any case or spacing) is taken too:
outside a checkout it is kept for the next one. A code that does not apply is told precisely why
(unknown, not yet valid, expired, below its minimum, nothing in the cart it is for, paid the wrong
way, used up, already used by this customer). Uses are counted when the order is placed, in the
same transaction (:mod:`chatshop.discounts`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel

from chatshop.catalog import fold
from chatshop.config import normalize_code
from chatshop.dialog import checkout_flow
from chatshop.dialog.engine import ask_again, spoken
from chatshop.dialog.feature import Action, CheckoutStep, DialogFeature, Interceptor
from chatshop.dialog.turn import Turn
from chatshop.discounts import Refusal, evaluate, find_code
from chatshop.hookspecs import hookimpl
from chatshop.messages import Choice, Inbound, InboundKind
from chatshop.plugins.dialog.checkout import notice_text
from chatshop.pricing import Notice, Quote
from chatshop.runtime import Shop

NAME = "coupons"
STEP = "coupon"
CONFIRM = "confirm"


class Held(BaseModel):
    """A code typed outside a checkout, for the next one."""

    code: str | None = None


def _has_codes(shop: Shop) -> bool:
    return any(entry.code for entry in shop.config.discounts)


def held_code(turn: Turn) -> str | None:
    checkout = turn.state.checkout
    if checkout is not None:
        answer = checkout.extras.get(NAME)
        if isinstance(answer, dict) and isinstance(answer.get("code"), str):
            return str(answer["code"])
    return turn.state_of(NAME, Held).code


def _hold(turn: Turn, code: str | None) -> None:
    checkout = turn.state.checkout
    if checkout is not None:
        if code is None:
            checkout.extras.pop(NAME, None)
        else:
            checkout.extras[NAME] = {"code": code}
        turn.state_of(NAME, Held).code = None
    else:
        turn.state_of(NAME, Held).code = code


def refusal_text(turn: Turn, refusal: Refusal) -> str:
    return notice_text(turn, Notice(refusal.key, refusal.values))


# --- the checkout step ------------------------------------------------------------------------
def _applies(turn: Turn) -> bool:
    """Asked when the shop has codes and none is held; a code typed earlier joins the checkout here."""
    if not _has_codes(turn.shop):
        return False
    waiting = turn.state_of(NAME, Held).code
    if waiting and turn.state.checkout is not None and NAME not in turn.state.checkout.extras:
        _hold(turn, waiting)
    return held_code(turn) is None


def ask(turn: Turn) -> None:
    turn.ask(turn.t("coupon_ask"), [Choice(id="coupon:none", title=turn.t("coupon_none"))])


async def _answer(turn: Turn, text: str) -> bool:
    """Typed at the "Have a coupon?" question: a code, which is checked at once, or the title of
    the "No coupon" choice typed out (on a text channel it is a numbered line to copy)."""
    declined = fold(text) == fold(turn.t("coupon_none")) or spoken(text) in turn.shop.texts.words(
        turn.locale, "words_no_coupon"
    )
    if declined and find_code(turn.shop.config.discounts, normalize_code(text)) is None:
        # "No coupon", "no", "skip": unless the shop has a code of that name
        await _no_coupon(turn, text)
        return True
    await take_code(turn, text, asked=True)
    return True


async def _no_coupon(turn: Turn, _: str) -> None:
    if turn.state.checkout is None:  # an old button, tapped after the checkout ended
        await checkout_flow.start(turn)
        return
    await checkout_flow.proceed(turn, STEP)


async def take_code(turn: Turn, typed: str, *, asked: bool = False) -> None:
    """Check a code against the cart as it is, say what it does, and go on where the customer was."""
    code = normalize_code(typed)
    entry = find_code(turn.shop.config.discounts, code)
    checkout = turn.state.checkout
    if entry is None:
        turn.say(turn.t("coupon_unknown", code=code[:40]))
        if asked:
            ask(turn)
        return
    quote = await turn.shop.ordering.quote(
        turn.state.cart,
        turn.channel,
        checkout.postal_code if checkout else None,
        checkout.payment_method if checkout else None,
        checkout=checkout,
        customer_key=turn.customer_key,
    )
    quote.answers = {**quote.answers, NAME: {"code": entry.code}}
    evaluation = await evaluate(turn.shop, quote, entry.code)
    refusal = evaluation.refusal
    if refusal is not None and refusal.key in _FINAL:
        turn.say(refusal_text(turn, refusal))
        if asked:
            ask(turn)
        return
    _hold(turn, entry.code)
    applied = next((a for a in evaluation.applied if a.entry is entry), None)
    if applied is not None:
        turn.say(turn.t("coupon_applied", code=entry.code, amount=turn.money(applied.amount)))
    elif refusal is not None:  # kept: it may apply once the cart or the way of paying changes
        turn.say(refusal_text(turn, refusal))
    else:
        turn.say(turn.t("coupon_kept", code=entry.code))
    await _go_on(turn)


#: Refusals no change of cart or payment can cure: the code is not kept.
_FINAL = frozenset({"coupon_unknown", "coupon_expired", "coupon_used_up", "coupon_used_by_you"})


async def _go_on(turn: Turn) -> None:
    """Back to where the customer was: the next step after the coupon question, the summary again
    (with the discount), or the question they had open."""
    step = turn.state.step
    if turn.state.checkout is None or step not in turn.dialog.step_names:
        if turn.state.cart:
            turn.ask(turn.t("coupon_continue"), [turn.choice("checkout", "checkout"), turn.choice("cart", "view_cart")])
        return
    if step == STEP:
        await checkout_flow.proceed(turn, STEP)
    elif step == CONFIRM:
        await checkout_flow.go_to(turn, CONFIRM)
    else:
        await ask_again(turn)


async def _typed_anywhere(turn: Turn, inbound: Inbound) -> bool:
    """A message that is exactly one of the shop's codes is that code, wherever the customer is."""
    if inbound.kind is not InboundKind.TEXT or not inbound.text or not _has_codes(turn.shop):
        return False
    if len(inbound.text) > 40 or find_code(turn.shop.config.discounts, inbound.text) is None:
        return False
    await take_code(turn, inbound.text, asked=turn.state.step == STEP)
    return True


# --- pricing ----------------------------------------------------------------------------------
@hookimpl
async def price_cart(shop: Shop, quote: Quote) -> None:
    """The discounts as visible lines (negative amounts); a held code that does not apply is said."""
    if not shop.config.discounts or not quote.lines:
        return
    answer = quote.answers.get(NAME)
    code = answer.get("code") if isinstance(answer, Mapping) else None
    evaluation = await evaluate(shop, quote, code if isinstance(code, str) else None)
    for applied in evaluation.applied:
        quote.add(applied.adjustment_code, -applied.amount, label=applied.entry.name or applied.entry.code)
    if evaluation.refusal is not None:
        quote.notices.append(Notice(evaluation.refusal.key, evaluation.refusal.values))
    if evaluation.applied:
        quote.extras[NAME] = [
            {"key": a.entry.key, "code": a.entry.code, "name": a.entry.name, "amount_minor": a.amount.minor}
            for a in evaluation.applied
        ]
    quote.claims.extend(evaluation.claims)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register(
        "en",
        {
            "words_no_coupon": "no, none, nope, skip, no thanks, no coupon, don't have one, i don't have one",
            "coupon_ask": "Have a coupon? Type its code, or tap “No coupon”.",
            "coupon_none": "No coupon",
            "coupon_applied": "Code {code} applied: {amount} off.",
            "coupon_kept": "Code {code} saved: it applies at checkout.",
            "coupon_continue": "Shall we check out?",
            "coupon_unknown": "We don't know the code {code}. Please check it and type it again.",
            "coupon_not_yet": "Code {code} is valid from {date}.",
            "coupon_expired": "Code {code} expired on {date}.",
            "coupon_min_total": "Code {code} needs an order of at least {min} (yours is {total}).",
            "coupon_no_items": "Code {code} is only for {what}: nothing in your cart qualifies.",
            "coupon_payment": "Code {code} applies only with another way of paying.",
            "coupon_used_up": "Code {code} has been used up.",
            "coupon_used_by_you": "You have already used code {code}.",
            "coupon_not_combinable": "Code {code} does not combine with “{offer}”, which saves you more.",
            "adjustment_coupon": "Coupon {detail}",
            "adjustment_offer": "{detail}",
        },
    )
    register(
        "de",
        {
            "words_no_coupon": "nein, kein, keinen, keiner, überspringen, nein danke, kein gutschein, habe keinen",
            "coupon_ask": "Haben Sie einen Gutschein? Tippen Sie den Code ein oder wählen Sie „Kein Gutschein“.",
            "coupon_none": "Kein Gutschein",
            "coupon_applied": "Gutschein {code} eingelöst: {amount} Rabatt.",
            "coupon_kept": "Gutschein {code} gespeichert: er gilt an der Kasse.",
            "coupon_continue": "Zur Kasse?",
            "coupon_unknown": "Den Code {code} kennen wir nicht. Bitte prüfen Sie ihn und tippen Sie ihn erneut.",
            "coupon_not_yet": "Der Gutschein {code} gilt ab {date}.",
            "coupon_expired": "Der Gutschein {code} ist am {date} abgelaufen.",
            "coupon_min_total": "Der Gutschein {code} gilt ab einem Bestellwert von {min} (Ihrer: {total}).",
            "coupon_no_items": "Der Gutschein {code} gilt nur für {what}: nichts in Ihrem Warenkorb.",
            "coupon_payment": "Der Gutschein {code} gilt nur bei einer anderen Zahlungsart.",
            "coupon_used_up": "Der Gutschein {code} ist bereits aufgebraucht.",
            "coupon_used_by_you": "Sie haben den Gutschein {code} bereits eingelöst.",
            "coupon_not_combinable": "Der Gutschein {code} ist nicht mit „{offer}“ kombinierbar, das Ihnen mehr spart.",
            "adjustment_coupon": "Gutschein {detail}",
            "adjustment_offer": "{detail}",
        },
    )
    register(
        "hi",
        {
            "words_no_coupon": "नहीं, ना, कोई नहीं, नहीं है, छोड़ें, nahi, nahin, no, skip",
            "coupon_ask": "कोई कूपन है? उसका कोड लिखें, या “कोई कूपन नहीं” दबाएँ।",
            "coupon_none": "कोई कूपन नहीं",
            "coupon_applied": "कोड {code} लग गया: {amount} की छूट।",
            "coupon_kept": "कोड {code} सहेज लिया: यह चेकआउट पर लगेगा।",
            "coupon_continue": "क्या चेकआउट करें?",
            "coupon_unknown": "हमें कोड {code} नहीं मिला। कृपया जाँचकर फिर से लिखें।",
            "coupon_not_yet": "कोड {code} {date} से मान्य है।",
            "coupon_expired": "कोड {code} की अवधि {date} को समाप्त हो गई।",
            "coupon_min_total": "कोड {code} के लिए ऑर्डर कम से कम {min} का होना चाहिए (आपका {total} है)।",
            "coupon_no_items": "कोड {code} केवल {what} के लिए है: आपकी कार्ट में ऐसा कोई सामान नहीं है।",
            "coupon_payment": "कोड {code} केवल भुगतान के किसी दूसरे तरीके के साथ लगता है।",
            "coupon_used_up": "कोड {code} की सीमा पूरी हो चुकी है।",
            "coupon_used_by_you": "आप कोड {code} पहले ही इस्तेमाल कर चुके हैं।",
            "coupon_not_combinable": "कोड {code} “{offer}” के साथ नहीं लग सकता, और उसमें आपकी ज़्यादा बचत है।",
            "adjustment_coupon": "कूपन {detail}",
            "adjustment_offer": "{detail}",
        },
    )
    register(
        "zh",
        {
            "words_no_coupon": "没有, 不用, 无, 跳过, 不需要, 没, no, skip",
            "coupon_ask": "有优惠券吗？请输入券码，或点击“不用优惠券”。",
            "coupon_none": "不用优惠券",
            "coupon_applied": "券码 {code} 已使用：优惠 {amount}。",
            "coupon_kept": "券码 {code} 已保存：结账时自动使用。",
            "coupon_continue": "现在去结账吗？",
            "coupon_unknown": "没有找到券码 {code}。请核对后重新输入。",
            "coupon_not_yet": "券码 {code} 自 {date} 起可用。",
            "coupon_expired": "券码 {code} 已于 {date} 过期。",
            "coupon_min_total": "券码 {code} 需订单满 {min} 才能使用（您的订单为 {total}）。",
            "coupon_no_items": "券码 {code} 仅适用于{what}：您的购物车中没有符合条件的商品。",
            "coupon_payment": "券码 {code} 仅限其他支付方式使用。",
            "coupon_used_up": "券码 {code} 已被领完。",
            "coupon_used_by_you": "您已经使用过券码 {code}。",
            "coupon_not_combinable": "券码 {code} 不能与“{offer}”同时使用，而后者为您省得更多。",
            "adjustment_coupon": "优惠券 {detail}",
            "adjustment_offer": "{detail}",
        },
    )


FEATURE = DialogFeature(
    name=NAME,
    actions={"coupon": Action(_no_coupon, in_checkout=True)},
    checkout_steps=(CheckoutStep(STEP, 300, ask, answer=_answer, applies=_applies, numbers=False),),
    interceptors=(Interceptor(_typed_anywhere, priority=500),),
    state=Held,
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
