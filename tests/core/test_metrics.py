"""``/metrics``: off unless enabled, never open to anyone, and counting what an operator alerts on."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from chatshop.config import ConfigError, load_config
from chatshop.runtime import Shop

from ..conftest import SHOP_TOML

TOKEN = "metrics-token-0123456789"


def _values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


async def test_metrics_are_off_unless_enabled(make_shop: Any) -> None:
    async with make_shop() as h:
        assert (await h.client.get("/metrics")).status == 404


async def test_metrics_ask_for_the_token_and_count_turns_sends_and_backlog(
    make_shop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATSHOP_METRICS_TOKEN", TOKEN)
    toml = SHOP_TOML + '\n[metrics]\nenabled = true\ntoken_env = "CHATSHOP_METRICS_TOKEN"\n'
    async with make_shop(toml) as h:
        assert (await h.client.get("/metrics")).status == 401
        wrong = {"Authorization": "Bearer not-the-token-at-all"}
        assert (await h.client.get("/metrics", headers=wrong)).status == 401
        await h.say("asha", "hi")
        await h.say("asha", "menu")
        response = await h.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status == 200 and response.content_type == "text/plain"
        text = await response.text()
        values = _values(text)
        assert values[("chatshop_turn_seconds_count", ())] == 2
        assert values[("chatshop_sends_total", (("channel", "terminal"), ("result", "sent")))] >= 2
        assert values[("chatshop_inbox_depth", ())] == 0
        assert values[("chatshop_outbox_depth", ())] == 0
        assert values[("chatshop_outbox_oldest_unsent_seconds", ())] == 0
        assert values[("chatshop_store_round_trips_total", ())] > 0
        assert ("chatshop_lease_takeovers_total", ()) in values
        assert "asha" not in text  # no customer in any label


async def test_webhooks_are_counted_by_channel_and_outcome(make_shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSHOP_METRICS_TOKEN", TOKEN)
    monkeypatch.setenv("WA_TOKEN", "t")
    monkeypatch.setenv("WA_SECRET", "s")
    monkeypatch.setenv("WA_VERIFY", "v")
    toml = (
        SHOP_TOML
        + '\n[metrics]\nenabled = true\ntoken_env = "CHATSHOP_METRICS_TOKEN"\n'
        + '[channels.whatsapp]\nphone_number_id = "123"\naccess_token_env = "WA_TOKEN"\n'
        + 'app_secret_env = "WA_SECRET"\nverify_token_env = "WA_VERIFY"\n'
    )
    async with make_shop(toml) as h:
        assert (await h.client.post("/webhooks/whatsapp", data=b"{}")).status == 401  # unsigned
        assert (await h.client.post("/webhooks/made-up-name", data=b"{}")).status in (404, 405)
        text = await (await h.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text()
        values = _values(text)
        assert values[("chatshop_webhooks_total", (("channel", "whatsapp"), ("outcome", "refused")))] == 1
        assert "made-up-name" not in text  # only mounted channels are counted: no label from a made-up path


async def test_metrics_on_a_port_of_their_own(make_shop: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    toml = SHOP_TOML + f"\n[metrics]\nenabled = true\nport = {port}\n"
    async with make_shop(toml) as h:
        assert (await h.client.get("/metrics")).status == 404  # not on the shop's own port
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200
            assert "chatshop_inbox_depth" in await response.text()


def test_enabled_metrics_need_a_token_or_a_port(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(SHOP_TOML + "\n[metrics]\nenabled = true\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [p.path for p in caught.value.problems] == ["metrics"]
    path.write_text(SHOP_TOML + '\n[metrics]\nenabled = true\ntoken_env = "SHORT_TOKEN"\n', encoding="utf-8")
    monkeypatch.setenv("SHORT_TOKEN", "abc")
    with pytest.raises(ConfigError) as caught:
        Shop(load_config(path))
    assert [p.path for p in caught.value.problems] == ["metrics.token_env"]
