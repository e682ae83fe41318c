"""What the plugin API's shop does, on a real shop and both stores: a plugin's own key-value space
(values with lifetimes, claims made once across workers) and when a customer last wrote."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from chatshop.channels import Capabilities
from chatshop.consent import read_consent
from chatshop.messages import Buttons, Choice, Inbound, InboundKind, Text
from chatshop.testing import running_shop
from tests.conftest import SHOP_TOML, on_storage


async def test_a_plugins_values_live_in_its_own_space_and_expire(tmp_path: Path, storage: str) -> None:
    async with running_shop(on_storage(SHOP_TOML, storage), tmp_path) as h:
        mine, theirs = h.shop.kv("gift_message"), h.shop.kv("loyalty")
        await mine.set("card:K7M", "Happy birthday", ttl=timedelta(hours=1))
        assert await mine.get("card:K7M") == "Happy birthday"
        assert await theirs.get("card:K7M") is None, "two plugins' keys collided"
        h.move_clock(timedelta(hours=2))
        assert await mine.get("card:K7M") is None, "a value outlived its ttl"
        await mine.set("card:K7M", "again")
        await mine.delete("card:K7M")
        assert await mine.get("card:K7M") is None
        with pytest.raises(ValueError):
            h.shop.kv("Not A Name")


async def test_a_claim_is_granted_once_across_workers(tmp_path: Path, storage: str) -> None:
    """Two workers on one database: the first claim of a key wins, every later one (on either
    worker, after a restart) is refused; another plugin's space claims the same key for itself."""
    toml = on_storage(SHOP_TOML, storage)
    async with running_shop(toml, tmp_path / "one") as first:
        space = first.shop.kv("acme")
        assert await space.claim("evt_1") is True
        assert await space.claim("evt_1") is False
        assert await first.shop.kv("other").claim("evt_1") is True
    directory = tmp_path / "one" if storage.startswith("sqlite") else tmp_path / "two"
    async with running_shop(toml, directory) as second:
        assert await second.shop.kv("acme").claim("evt_1") is False
        assert await second.shop.kv("acme").claim("evt_2") is True


async def test_last_message_at_is_when_the_customers_newest_message_arrived(tmp_path: Path) -> None:
    async with running_shop(SHOP_TOML, tmp_path) as h:
        assert await h.shop.last_message_at("terminal:nobody") is None
        inbound = Inbound(channel="terminal", customer_id="asha", message_id=uuid.uuid4().hex,
                          kind=InboundKind.TEXT, text="hi")
        before = h.shop.now()
        await h.send_inbound(inbound)
        seen = await h.shop.last_message_at("terminal:asha")
        assert seen is not None and before - timedelta(seconds=5) <= seen <= h.shop.now() + timedelta(seconds=5)


async def test_an_installed_channel_can_be_previewed_with_the_cores_own_ladder(tmp_path: Path) -> None:
    """``channel_capabilities`` names an installed channel's limits whether or not the shop enables
    it; ``lowered`` applies the fallback ladder to them as the core does before sending there."""
    async with running_shop(SHOP_TOML, tmp_path) as h:  # the terminal only: WhatsApp installed, not enabled
        assert "whatsapp" not in h.shop.channels
        whatsapp = h.shop.channel_capabilities("whatsapp")
        assert whatsapp is not None and whatsapp.max_buttons == 3
        assert h.shop.channel_capabilities("no-such-messenger") is None
        five = [Choice(id=f"c{n}", title=f"Choice {n}") for n in range(5)]
        [buttons] = h.shop.lowered([Buttons(body="Pick one", choices=tuple(five[:3]))], whatsapp, "en")
        assert isinstance(buttons, Buttons)
        text_only = Capabilities(max_text_length=4096)
        [numbered] = h.shop.lowered([Buttons(body="Pick one", choices=tuple(five))], text_only, "de")
        assert isinstance(numbered, Text) and "5. Choice 4" in numbered.body
        assert "Antworten Sie mit einer Zahl" in numbered.body  # the ladder's hint in the locale asked


async def test_a_customers_word_on_marketing_is_kept_and_a_late_older_one_never_undoes_it(tmp_path: Path) -> None:
    async with running_shop(SHOP_TOML, tmp_path) as h:
        now = h.shop.now()
        assert await h.shop.record_consent("terminal:asha", False, at=now) is True
        assert (await read_consent(h.shop.store, "terminal:asha", now)).opted_in is False
        # a redelivered webhook from an hour before: what she said since stands
        assert await h.shop.record_consent("terminal:asha", True, at=now - timedelta(hours=1)) is False
        kept = await read_consent(h.shop.store, "terminal:asha", now)
        assert kept.opted_in is False and kept.via == "messenger"
