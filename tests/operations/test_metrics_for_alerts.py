"""``/metrics`` shows what an operator alerts on when it happens: a reply stuck behind a refusing
messenger, payment events by provider and outcome, a worker's customers taken over, and every
metric the sample alert rules in docs/scale.md name."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families

from chatshop.testing import ShopHarness, running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.operations.providers import HeldRazorpay
from tests.payments.journey_shops import CATALOG, INDIA, RAZORPAY
from tests.payments.test_razorpay_journey import checkout_online

TOKEN = "metrics-token-0123456789"
METRICS = '\n[metrics]\nenabled = true\ntoken_env = "CHATSHOP_METRICS_TOKEN"\n'
DOCS = Path(__file__).resolve().parents[2] / "docs" / "scale.md"

Values = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(h: ShopHarness) -> tuple[str, Values]:
    response = await h.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    text = await response.text()
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, values


@pytest.fixture(autouse=True)
def metrics_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSHOP_METRICS_TOKEN", TOKEN)


@pytest.fixture
async def razorpay_shop_with_metrics(
    razorpay_api: HeldRazorpay, aiohttp_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    server = await aiohttp_server(razorpay_api.app())
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", razorpay_api.key_secret)
    monkeypatch.setenv("RAZORPAY_WEBHOOK_SECRET", razorpay_api.webhook_secret)
    toml = INDIA + RAZORPAY.format(key_id=razorpay_api.key_id, api=server.make_url("")) + CATALOG + METRICS
    async with running_shop(toml, tmp_path / "shop") as h:
        yield h


async def test_payment_events_are_counted_by_provider_and_outcome(
    razorpay_shop_with_metrics: ShopHarness, razorpay_api: HeldRazorpay
) -> None:
    h = razorpay_shop_with_metrics
    order, _ = await checkout_online(h)
    paid = razorpay_api.pay(order.payment_ref or "")
    url = h.url("/webhooks/payments/razorpay")
    assert await razorpay_api.send_webhook(h.client.session, url, paid, event_id="evt_1") == 200
    assert await razorpay_api.send_webhook(h.client.session, url, paid, event_id="evt_1") == 200  # again
    assert await razorpay_api.send_webhook(h.client.session, url, paid, signature="0" * 64) in (400, 401, 403)
    await h.shop.idle()
    text, values = await scrape(h)
    events = {labels: v for (name, labels), v in values.items() if name == "chatshop_payment_events_total"}
    assert events[(("outcome", "paid"), ("provider", "razorpay"))] == 1
    assert sum(v for labels, v in events.items() if ("outcome", "paid") not in labels) >= 1  # the repeat
    webhooks = (("channel", "payments:razorpay"), ("outcome", "refused"))
    assert values[("chatshop_webhooks_total", webhooks)] == 1  # the forged one
    assert order.number not in text and "asha" not in text  # no order, no customer in any label


async def test_a_reply_stuck_behind_a_refusing_messenger_shows_its_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.whatsapp.customer import Customer
    from tests.whatsapp.meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN
    from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

    for name, value in (
        ("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN),
        ("WHATSAPP_APP_SECRET", APP_SECRET),
        ("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN),
    ):
        monkeypatch.setenv(name, value)
    fake = FakeGraph(phone_number_id=PHONE_NUMBER_ID)
    fake.storm_sends(131000, 1000)  # "something went wrong", every time
    server = TestServer(fake.app())
    await server.start_server()
    try:
        toml = whatsapp_shop_toml(graph_url(server), shop='name = "Stuck"\ncurrency = "INR"') + METRICS
        catalog = "id,title,price,category,stock\natta-5kg,Atta 5 kg,245.00,Staples,40\n"
        async with whatsapp_shop(toml, tmp_path / "shop", catalog) as h:
            await Customer(h, fake, "919812345678", "Asha").say("hi")
            h.move_clock(timedelta(minutes=6))  # the reply has waited six minutes
            _, values = await scrape(h)
    finally:
        await server.close()
    assert values[("chatshop_outbox_depth", ())] >= 1
    assert values[("chatshop_outbox_oldest_unsent_seconds", ())] >= 360  # the sample alert fires past 300
    assert values[("chatshop_sends_total", (("channel", "whatsapp"), ("result", "retry")))] >= 1
    assert fake.sent == []


async def test_a_customer_taken_over_from_a_worker_that_stopped_is_counted(make_shop: Any) -> None:
    from tests.conftest import SHOP_TOML

    async with make_shop(SHOP_TOML + METRICS) as h:
        # A worker that died holding asha's turn: its lease lapses and this worker takes her over.
        assert await h.shop.store.acquire_lease("turns:terminal:asha", "a-worker-that-died", 0.001)
        await asyncio.sleep(0.01)  # and it has lapsed
        await h.say("asha", "hi")
        await h.say("asha", "menu")
        _, values = await scrape(h)
    assert values[("chatshop_lease_takeovers_total", ())] >= 1


async def test_every_metric_the_sample_alert_rules_name_is_served(make_shop: Any) -> None:
    from tests.conftest import SHOP_TOML

    rules = DOCS.read_text(encoding="utf-8").split("ChatshopRepliesStuck", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"\b(chatshop_[a-z_]+)", rules))
    assert {"chatshop_outbox_oldest_unsent_seconds"} <= named
    async with make_shop(SHOP_TOML + METRICS) as h:
        await h.say("asha", "hi")
        _, values = await scrape(h)
    served = {name for name, _ in values}
    assert named <= served, named - served
