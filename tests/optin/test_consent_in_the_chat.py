"""Marketing consent: asked once in the chat in the customer's language and kept with its time; STOP
(and each language's word for it) opts out at once and says so; WhatsApp's own "stop promotions"
(the user_preferences webhook, a 131050 refusal) counts the same; ``chatshop forget`` erases it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from chatshop.config import load_config
from chatshop.consent import read_consent
from chatshop.dialog.registry import DialogError
from chatshop.runtime import Shop
from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.conftest import SHOP_TOML, on_storage
from tests.whatsapp.customer import Customer, choices_of, text_of
from tests.whatsapp.meta import envelope, user_preferences
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

CATALOG = "id,title,price,category,stock\nmilk-1l,Amul Taaza Milk 1 l,68.00,Dairy,100\n"
SHOP = 'name = "Kirana Corner"\ncurrency = "INR"\nlocale = "en"\nlocales = ["en", "de", "hi"]'
T0 = datetime.now(UTC).replace(second=0, microsecond=0)  # set afresh per test (conftest)


@pytest.fixture
async def shop(graph: TestServer, tmp_path: Path, storage: str) -> AsyncIterator[ShopHarness]:
    toml = on_storage(whatsapp_shop_toml(graph_url(graph), shop=SHOP), storage)
    async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
        start = T0
        h.shop.clock = lambda: start
        yield h


async def buy(customer: Customer) -> list[str]:
    await customer.say("milk")
    await customer.tap("add:milk-1l:1")
    await customer.tap("checkout")
    await customer.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
    [placed] = await customer.tap("confirm")
    return [cid for cid, _ in choices_of(placed)] + [text_of(placed)]


async def test_asked_once_with_the_order_in_one_message_and_kept_with_its_time(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    priya = Customer(shop, fake, "919812345678", "Priya")
    *ids, body = await buy(priya)
    assert ids == ["optin", "optin:no", "orders"] and "is placed" in body and "send STOP" in body
    [thanks] = await priya.tap("optin")
    assert "keep you posted" in text_of(thanks)
    consent = await read_consent(shop.shop.store, priya.key, T0)
    assert consent.opted_in is True and consent.at == T0 and consent.via == "chat" and consent.asked_at == T0
    *ids, body = await buy(priya)  # the next order: not asked again
    assert "optin" not in ids and "send STOP" not in body


async def test_no_thanks_is_a_no(shop: ShopHarness, fake: FakeGraph) -> None:
    asha = Customer(shop, fake, "919800000001", "Asha")
    await buy(asha)
    [said] = await asha.tap("optin:no")
    assert "no offers or reminders" in text_of(said)
    assert (await read_consent(shop.shop.store, asha.key, T0)).opted_in is False


async def test_stop_opts_out_at_once_in_the_customers_language_and_keeps_the_checkout(
    shop: ShopHarness, fake: FakeGraph
) -> None:
    jonas = Customer(shop, fake, "4915112345678", "Jonas")
    await jonas.say("sprache")
    await jonas.tap("lang:de")
    await jonas.say("milk")
    await jonas.tap("add:milk-1l:1")
    await jonas.tap("checkout")
    [said] = await jonas.say("STOPP")
    assert "keine Angebote und Erinnerungen mehr" in text_of(said)
    consent = await read_consent(shop.shop.store, jonas.key, T0)
    assert consent.opted_in is False and consent.via == "chat" and consent.at == T0
    # The checkout was left as it was: the address is still what the next message answers.
    [summary] = await jonas.say("Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050")
    assert any(cid == "confirm" for cid, _ in choices_of(summary))
    [again] = await jonas.say("anmelden")
    assert "Danke" in text_of(again)
    assert (await read_consent(shop.shop.store, jonas.key, T0)).opted_in is True


async def test_whatsapps_own_stop_and_resume_count_newest_first(shop: ShopHarness, fake: FakeGraph) -> None:
    wa = "919800000002"
    key = f"whatsapp:{wa}"
    stamp = int(T0.timestamp())
    customer = Customer(shop, fake, wa, "Ravi")
    assert await customer.post(user_preferences(wa, "stop", stamp)) == 200
    consent = await read_consent(shop.shop.store, key, T0)
    assert consent.opted_in is False and consent.via == "messenger" and consent.at == T0
    assert fake.sent == []  # WhatsApp confirms it to the customer itself
    assert await customer.post(user_preferences(wa, "resume", stamp - 60)) == 200  # an older one, late
    assert (await read_consent(shop.shop.store, key, T0)).opted_in is False
    assert await customer.post(user_preferences(wa, "resume", stamp + 60)) == 200
    assert (await read_consent(shop.shop.store, key, T0)).opted_in is True


async def test_a_131050_refusal_is_an_opt_out(shop: ShopHarness, fake: FakeGraph) -> None:
    wa = "919800000003"
    customer = Customer(shop, fake, wa, "Meena")
    await customer.say("hi")
    failed = {
        "id": fake.sent[-1].wamid,
        "status": "failed",
        "timestamp": str(int(T0.timestamp())),
        "recipient_id": wa,
        "errors": [{"code": 131050, "title": "User opted out of marketing messages"}],
    }
    assert await customer.post(envelope(statuses=[failed])) == 200
    assert (await read_consent(shop.shop.store, customer.key, T0)).opted_in is False


async def test_forget_erases_what_they_said(shop: ShopHarness, fake: FakeGraph) -> None:
    priya = Customer(shop, fake, "919812345678", "Priya")
    await priya.say("stop")
    assert (await read_consent(shop.shop.store, priya.key, T0)).opted_in is False
    await shop.shop.store.forget_customer(priya.key)
    assert (await read_consent(shop.shop.store, priya.key, T0 + timedelta(days=1))).opted_in is None


def test_stop_belongs_to_one_feature_a_shop_cannot_give_it_to_cancel(tmp_path: Path) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(SHOP_TOML + '\n[texts.en]\nwords_cancel = "cancel, stop"\n', encoding="utf-8")
    with pytest.raises(DialogError) as caught:
        Shop(load_config(path))
    message = str(caught.value)
    assert "'stop'" in message and "'checkout'" in message and "'marketing'" in message
