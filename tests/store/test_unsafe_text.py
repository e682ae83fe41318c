"""Text no database keeps (half an emoji, a NUL) never reaches a store, from any channel: every
:class:`Inbound` is made safe as it is built, and both stores keep and give back what it became."""

from __future__ import annotations

import pytest

from chatshop.messages import Address, CartItem, Inbound, InboundKind, Location
from chatshop.store.base import Store

HALF = "\ud83d"


def hostile(channel: str) -> Inbound:
    return Inbound(
        channel=channel,
        customer_id=f"cust{HALF}",
        message_id=f"m\x00{HALF}",
        kind=InboundKind.TEXT,
        text=f"milk {HALF}\x00\x1b[31m and \udc00eggs\nplease\t!",
        choice_id=f"p:{HALF}",
        profile_name=f"Priya {HALF}",
        event_key="\x07key",
        items=(CartItem(product_id=f"atta{HALF}", quantity=1),),
        location=Location(latitude=1.0, longitude=2.0, name=f"Home{HALF}", address="a\x00b"),
        address=Address(line=f"12 Hill Road {HALF}", city="Mumbai\x00", postal_code="400050\x1b"),
    )


@pytest.mark.parametrize("channel", ["webchat", "wechat", "whatsapp", "terminal", "thirdparty"])
async def test_every_channels_message_is_kept_as_safe_text(store: Store, channel: str) -> None:
    inbound = hostile(channel)
    assert inbound.text == "milk \ufffd[31m and \ufffdeggs\nplease\t!"
    assert inbound.customer_id == "cust\ufffd" and inbound.message_id == "m\ufffd"
    assert inbound.address is not None and inbound.address.line == "12 Hill Road \ufffd"
    assert await store.add_inbound(inbound)
    item = await store.next_inbound(inbound.customer_key)
    assert item is not None and item.inbound == inbound


async def test_a_copy_with_changes_is_made_safe_too(store: Store) -> None:
    """A channel that finishes a message with ``model_copy`` (WeChat resolves a menu id so) gets no way round."""
    base = Inbound(channel="wechat", customer_id="o1", message_id="m1", kind=InboundKind.TEXT, text="x")
    changed = base.model_copy(update={"kind": InboundKind.CHOICE, "choice_id": f"p:{HALF}", "text": "\x00"})
    assert changed.choice_id == "p:\ufffd" and changed.text == "" and changed.kind is InboundKind.CHOICE
    assert await store.add_inbound(changed)
