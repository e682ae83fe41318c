"""Core: one inbox item the store cannot read back must not stop the customer's conversation for good."""

from __future__ import annotations

import uuid
from pathlib import Path

from chatshop.messages import Inbound, InboundKind, Location
from chatshop.testing import running_shop

TOML = """
[shop]
name = "Poison Kirana"
currency = "INR"
[storage]
url = "sqlite:///shop.db"
[server]
retry_base_seconds = 0.01
sweep_seconds = 0.2
[[catalog.products]]
id = "atta"
title = "Atta"
price = "245.00"
[channels.terminal]
"""


async def test_an_inbox_item_that_cannot_be_read_back_does_not_silence_the_customer(tmp_path: Path) -> None:
    async with running_shop(TOML, tmp_path / "shop") as h:
        odd = Inbound(
            channel="terminal",
            customer_id="asha",
            message_id=uuid.uuid4().hex,
            kind=InboundKind.LOCATION,
            location=Location(latitude=float("nan"), longitude=72.8),
        )
        await h.send_inbound(odd)
        assert "What would you like to do?" in await h.say("asha", "hi")
