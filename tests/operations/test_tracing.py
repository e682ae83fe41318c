"""OpenTelemetry tracing: a customer's journey as traces from each webhook to its turn and replies,
linked across workers through the inbox, with no personal data in any span.

Spans go to the SDK's in-memory exporter through the process's tracer provider (``exporter =
"global"``), as they would go to any exporter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from chatshop.config import ConfigError, load_config
from chatshop.testing import running_shop
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer
from tests.whatsapp.meta import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN
from tests.whatsapp.shops import graph_url, whatsapp_shop, whatsapp_shop_toml

TRACING = '\n[tracing]\nenabled = true\nexporter = "global"\n'
CATALOG = "id,title,price,category,stock\natta-5kg,Aashirvaad Atta 5 kg,245.00,Staples,40\n"
SHOP = 'name = "Traced Kirana"\ncurrency = "INR"\nlocale = "en"'
WA_ID = "919812345678"
ADDRESS = "Flat 12, Sea View, Hill Road, Bandra West, Mumbai 400050"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    yield memory
    memory.shutdown()


@pytest.fixture
def spans(exporter: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    exporter.clear()
    yield exporter


@pytest.fixture(autouse=True)
def whatsapp_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN)


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, str]]:
    fake = FakeGraph(phone_number_id=PHONE_NUMBER_ID)
    server = TestServer(fake.app())
    await server.start_server()
    try:
        yield fake, graph_url(server)
    finally:
        await server.close()


def _by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]


def _everything_said(span: ReadableSpan) -> str:
    """All a span tells an exporter: its name, attributes, events, links and status."""
    parts = [span.name, repr(dict(span.attributes or {})), str(span.status.description)]
    parts += [f"{event.name} {dict(event.attributes or {})}" for event in span.events]
    parts += [repr(dict(link.attributes or {})) for link in span.links]
    return " ".join(parts)


async def test_a_journey_is_traced_from_each_webhook_to_its_replies_with_no_personal_data(
    graph: tuple[FakeGraph, str], spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    fake, url = graph
    toml = whatsapp_shop_toml(url, shop=SHOP) + TRACING
    async with whatsapp_shop(toml, tmp_path / "shop", CATALOG) as h:
        asha = Customer(h, fake, WA_ID, "Asha Verma")
        await asha.say("hi")
        await asha.tap("browse")  # one category: its products at once
        await asha.tap("p:atta-5kg")
        await asha.tap("add:atta-5kg:1")
        await asha.tap("checkout")
        await asha.say(ADDRESS)
        placed = await asha.tap("confirm")
        [order] = await h.shop.store.list_orders(customer_key=asha.key)
    assert placed and fake.refused == []
    finished = spans.get_finished_spans()
    webhooks = _by_name(finished, "chatshop.webhook")
    turns = _by_name(finished, "chatshop.turn")
    sends = _by_name(finished, "chatshop.send")
    assert len(webhooks) >= 7 and len(turns) == 7 and len(sends) == len(fake.sent)
    webhook_ids = {(s.context.trace_id, s.context.span_id) for s in webhooks}
    for turn in turns:  # each turn a child of the webhook that brought its message
        assert turn.parent is not None and (turn.parent.trace_id, turn.parent.span_id) in webhook_ids
    turn_traces = {turn.context.trace_id for turn in turns}
    assert {send.context.trace_id for send in sends} <= turn_traces  # each reply in its turn's trace
    assert all(s.attributes and s.attributes["chatshop.result"] == "sent" for s in sends)
    assert all(s.attributes and s.attributes["http.response.status_code"] == 200 for s in webhooks)
    secrets = [WA_ID, WA_ID[2:], "Asha", "Verma", "Sea View", "400050", "Bandra", "Mumbai", "atta-5kg"]
    secrets += ["Aashirvaad", ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, order.number, "hi"]
    for span in finished:
        said = _everything_said(span)
        assert not [secret for secret in secrets if secret in said.split() or (len(secret) > 3 and secret in said)]


async def test_a_reply_sent_by_another_worker_links_to_its_webhook(
    graph: tuple[FakeGraph, str], spans: InMemorySpanExporter, postgres_url: str, tmp_path: Path
) -> None:
    """The worker that ran the turn stops before Meta takes the reply; the next one sends it."""
    fake, url = graph
    toml = whatsapp_shop_toml(url, shop=SHOP).replace('url = "sqlite:///shop.db"', f'url = "{postgres_url}"')
    files = {"catalog.csv": CATALOG}
    fake.storm_sends(131000, 10_000)  # Meta fails every send while the first worker runs
    async with running_shop(toml + TRACING, tmp_path / "one", files=files, terminal=False) as first:
        await Customer(first, fake, WA_ID, "Asha").say("hi")
    [webhook] = _by_name(spans.get_finished_spans(), "chatshop.webhook")
    fake.send_faults.clear()
    spans.clear()
    async with running_shop(toml + TRACING, tmp_path / "two", files=files, terminal=False) as second:
        second.move_clock(timedelta(minutes=10))  # the reply's retry is due
        await second.shop.recover()
        await second.idle()
    assert len(fake.sent) == 1
    [send] = _by_name(spans.get_finished_spans(), "chatshop.send")
    assert send.context.trace_id == webhook.context.trace_id


def test_tracing_is_off_unless_enabled_and_its_keys_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "shop.toml"
    base = f"[shop]\n{SHOP}\n"
    path.write_text(base, encoding="utf-8")
    assert load_config(path).tracing.enabled is False
    for section, key in (
        ('[tracing]\nenabled = true\nexporter = "zipkin"\n', "tracing.exporter"),
        ('[tracing]\nenabled = true\nexporter = "otlp"\nendpoint = "collector:4318"\n', "tracing.endpoint"),
        ('[tracing]\nenabled = true\nexporter = "console"\nendpoint = "http://c:4318/v1/traces"\n', "tracing.endpoint"),
        ("[tracing]\nenabled = true\nsampling = 0.5\n", "tracing.sampling"),
    ):
        path.write_text(base + section, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert key in str(caught.value), (section, str(caught.value))
