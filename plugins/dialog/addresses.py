"""Saved delivery addresses: offered at the next checkout, kept only with the customer's consent.

After a new address, checkout asks once whether to remember it (step ``save_address`` at 150); a
customer who says no is not asked again. At the next checkout the remembered addresses come first
(step ``saved_address`` at 90, before the built-in address question): one tap, or "New address".
They are kept in the shop's database under the customer's key, ``[addresses] remember`` at most and
``keep_days`` after last used, and ``chatshop forget`` erases them with the rest of the customer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta

from pydantic import BaseModel

from chatshop.dialog import checkout_flow
from chatshop.dialog.engine import bounded_int
from chatshop.dialog.feature import Action, CheckoutStep, DialogFeature
from chatshop.dialog.turn import Turn
from chatshop.hookspecs import hookimpl
from chatshop.lowering import shorten
from chatshop.messages import AddressRequest, Choice, SavedAddress
from chatshop.plugins.dialog.checkout import address_text, after_address, has_postal_code
from chatshop.runtime import Shop

NAME = "addresses"
PICK, SAVE = "saved_address", "save_address"


class Consent(BaseModel):
    """What the customer said about remembering addresses (asked once)."""

    declined: bool = False


class Saved(BaseModel):
    address: str
    postal_code: str
    contact_name: str | None = None


def _key(customer_key: str) -> str:
    """``whatsapp:addresses:<id>``: the channel first and the id last, as ``forget`` erases them."""
    channel, _, customer_id = customer_key.partition(":")
    return f"{channel}:{NAME}:{customer_id}"


async def saved(shop: Shop, customer_key: str) -> list[Saved]:
    raw = await shop.store.kv_get(_key(customer_key), shop.now())
    if not raw:
        return []
    try:
        return [Saved.model_validate(item) for item in json.loads(raw)][: shop.config.addresses.remember]
    except (ValueError, TypeError):
        return []


async def remember(shop: Shop, customer_key: str, address: Saved) -> None:
    """Put ``address`` first in the customer's list (once), keeping ``remember`` of them."""
    keep = shop.config.addresses
    others = [a for a in await saved(shop, customer_key) if a.address.casefold() != address.address.casefold()]
    addresses = [address, *others][: keep.remember]
    value = json.dumps([a.model_dump() for a in addresses], ensure_ascii=False)
    await shop.store.kv_set(_key(customer_key), value, expires_at=shop.now() + timedelta(days=keep.keep_days))


# --- the saved addresses, before the address question ------------------------------------------
async def _has_saved(turn: Turn) -> bool:
    """Asked where the messenger has its own address form, or where the customer saved addresses."""
    if turn.caps.address_form:
        return True
    return turn.shop.config.addresses.remember > 0 and bool(await saved(turn.shop, turn.customer_key))


async def ask_saved(turn: Turn) -> None:
    addresses = await saved(turn.shop, turn.customer_key)
    if turn.caps.address_form:
        # WhatsApp's own form (India): the saved addresses to pick from, a new one to fill in. Its
        # reply is an address like any form's (the built-in checkout reads it).
        offered = tuple(
            SavedAddress(
                id=f"a{i}",
                line=a.address.removesuffix(a.postal_code).rstrip(", ") or a.address,
                postal_code=a.postal_code,
                name=a.contact_name,
            )
            for i, a in enumerate(addresses)
        )
        turn.out.append(AddressRequest(body=turn.t("ask_address"), saved=offered))
        return
    choices = [
        Choice(id=f"addr:{i}", title=shorten(a.address, 24), description=shorten(a.address, 72))
        for i, a in enumerate(addresses)
    ]
    choices.append(Choice(id="addr:new", title=turn.t("address_new")))
    turn.ask(turn.t("address_pick"), [*choices, turn.choice("abort", "cancel")])


async def _pick(turn: Turn, arg: str) -> None:
    checkout = turn.state.checkout
    if checkout is None:
        await checkout_flow.start(turn)
        return
    addresses = await saved(turn.shop, turn.customer_key)
    index = bounded_int(arg, default=-1)
    if not 0 <= index < len(addresses):  # "New address", or a list from before the list changed
        checkout.extras.pop(NAME, None)
        await checkout_flow.proceed(turn, PICK)
        return
    chosen = addresses[index]
    checkout.address, checkout.postal_code = chosen.address, chosen.postal_code
    checkout.contact_name = chosen.contact_name or checkout.contact_name
    checkout.extras[NAME] = {"address": chosen.address}
    await remember(turn.shop, turn.customer_key, chosen)  # the latest used comes first
    await after_address(turn)


async def _typed_at_pick(turn: Turn, text: str) -> bool:
    """An address typed instead of picked is the new address."""
    if not has_postal_code(turn, text):
        return False
    await address_text(turn, text)
    return True


# --- asking to remember a new one ------------------------------------------------------------------
async def _new_address(turn: Turn) -> bool:
    checkout = turn.state.checkout
    if turn.shop.config.addresses.remember == 0 or checkout is None or not checkout.address:
        return False
    answered = checkout.extras.get(NAME)
    if isinstance(answered, dict) and answered.get("address") == checkout.address:
        return False  # this very address was picked from the list, or asked about already
    if turn.state_of(NAME, Consent).declined:
        return False
    known = {a.address.casefold() for a in await saved(turn.shop, turn.customer_key)}
    return checkout.address.casefold() not in known


def ask_save(turn: Turn) -> None:
    checkout = turn.state.checkout
    address = checkout.address if checkout is not None else ""
    turn.ask(
        turn.t("address_save", address=address),
        [
            Choice(id="keepaddr:yes", title=turn.t("address_save_yes")),
            Choice(id="keepaddr:no", title=turn.t("address_save_no")),
        ],
    )


async def _consent(turn: Turn, answer: str) -> None:
    checkout = turn.state.checkout
    if checkout is None or not checkout.address or not checkout.postal_code:
        await checkout_flow.start(turn)
        return
    if answer == "yes":
        saved_one = Saved(
            address=checkout.address, postal_code=checkout.postal_code, contact_name=checkout.contact_name
        )
        await remember(turn.shop, turn.customer_key, saved_one)
        turn.say(turn.t("address_saved"))
    else:
        turn.state_of(NAME, Consent).declined = True
    checkout.extras[NAME] = {"address": checkout.address}
    await checkout_flow.proceed(turn, SAVE)


@hookimpl
def register_texts(register: Callable[[str, Mapping[str, str]], None]) -> None:
    register(
        "en",
        {
            "address_pick": "Where should we deliver? Pick an address you used before, or a new one.",
            "address_new": "New address",
            "address_save": "Shall we remember this address for your next order?\n{address}",
            "address_save_yes": "Yes, remember it",
            "address_save_no": "No, thanks",
            "address_saved": "Saved. You can have us forget it any time: ask the shop.",
        },
    )
    register(
        "de",
        {
            "address_pick": "Wohin sollen wir liefern? Wählen Sie eine frühere Adresse oder eine neue.",
            "address_new": "Neue Adresse",
            "address_save": "Sollen wir diese Adresse für Ihre nächste Bestellung speichern?\n{address}",
            "address_save_yes": "Ja, speichern",
            "address_save_no": "Nein, danke",
            "address_saved": "Gespeichert. Sie können jederzeit verlangen, dass wir sie löschen.",
        },
    )
    register(
        "hi",
        {
            "address_pick": "हम कहाँ डिलीवर करें? पहले इस्तेमाल किया हुआ कोई पता चुनें, या नया पता दें।",
            "address_new": "नया पता",
            "address_save": "क्या अगले ऑर्डर के लिए यह पता याद रखें?\n{address}",
            "address_save_yes": "हाँ, याद रखें",
            "address_save_no": "नहीं, धन्यवाद",
            "address_saved": "सहेज लिया। आप जब चाहें हमसे इसे हटाने को कह सकते हैं।",
        },
    )
    register(
        "zh",
        {
            "address_pick": "送到哪里？请选择以前用过的地址，或使用新地址。",
            "address_new": "新地址",
            "address_save": "要为您下次下单保存这个地址吗？\n{address}",
            "address_save_yes": "好的，保存",
            "address_save_no": "不用了，谢谢",
            "address_saved": "已保存。您随时可以让我们删除它。",
        },
    )


FEATURE = DialogFeature(
    name=NAME,
    actions={"addr": Action(_pick, in_checkout=True), "keepaddr": Action(_consent, in_checkout=True)},
    checkout_steps=(
        CheckoutStep(PICK, 90, ask_saved, answer=_typed_at_pick, applies=_has_saved, numbers=False),
        CheckoutStep(SAVE, 150, ask_save, applies=_new_address),
    ),
    state=Consent,
)


@hookimpl
def register_dialog(register: Callable[[DialogFeature], None]) -> None:
    register(FEATURE)
