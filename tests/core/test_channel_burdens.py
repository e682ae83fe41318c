"""What the core does for every channel: choice ids that fit, bodies that fit, the customer's
language, a send context, and acknowledging each message where the channel asks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from chatshop.channels import Capabilities, utf8_bytes, utf16_units
from chatshop.choice_ids import stand_in
from chatshop.config import load_config
from chatshop.fitting import fit, fit_message
from chatshop.messages import Buttons, Choice, Image, Inbound, InboundKind, ProductCard, Text
from chatshop.money import Money
from chatshop.runtime import Shop
from chatshop.testing import running_shop
from tests.conftest import SHOP_TOML, on_storage
from tests.core import narrow_channel

TOML = SHOP_TOML + '\n[plugins]\nmodules = ["tests.core.narrow_channel"]\n[channels.narrow]\n[channels.plain]\n'
LONG_ID = "gift:" + "ü" * 150 + ":🎁"  # 200 characters, far more bytes


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    narrow_channel.SENT.clear()
    narrow_channel.ACKNOWLEDGED.clear()
    narrow_channel.CHOICES.clear()
    narrow_channel.THROTTLED[0] = 0
    yield


def _inbound(customer: str, *, channel: str = "narrow", **fields: object) -> Inbound:
    kind = InboundKind.CHOICE if "choice_id" in fields else InboundKind.TEXT
    return Inbound(channel=channel, customer_id=customer, message_id=uuid.uuid4().hex, kind=kind, **fields)  # type: ignore[arg-type]


# --- fitting ---------------------------------------------------------------------------------------
def test_a_text_is_cut_in_the_channels_own_unit_never_inside_an_emoji() -> None:
    family = "👨\u200d👩\u200d👧"  # one emoji of five code points, eight UTF-16 units
    text = "Sale " + family * 30
    cut = fit(text, 40, utf16_units)
    assert utf16_units(cut) <= 40 and cut.endswith("…")
    assert cut.removesuffix("…").rstrip().removeprefix("Sale").strip().replace(family, "") == ""
    flags = "🇩🇪🇮🇳🇨🇳" * 10
    cut = fit(flags, 15, utf8_bytes)
    assert utf8_bytes(cut) <= 15 and len(cut.removesuffix("…")) % 2 == 0  # whole flags only


def test_every_kind_of_body_is_fitted_right_to_left_too() -> None:
    caps = narrow_channel.Narrow.capabilities
    arabic = "مرحبا بكم في متجرنا " * 20
    price = Money(24500, "INR")
    messages = [
        Text(body=arabic),
        Buttons(body=arabic, choices=(Choice(id="a", title="نعم"),)),
        ProductCard(product_id="p", title="t", body=arabic, price=price, image_url="https://x.example/p.jpg"),
        Image(url="https://x.example/p.jpg", caption=arabic),
    ]
    for message in messages:
        fitted = fit_message(message, caps)
        body = getattr(fitted, "body", None) or getattr(fitted, "caption", "")
        limit = caps.max_caption_length if isinstance(message, ProductCard | Image) else caps.max_text_length
        assert limit is not None and 0 < utf16_units(body) <= limit, type(message).__name__


def test_a_numbered_menu_keeps_every_choice_when_its_body_is_long() -> None:
    from chatshop.lowering import lower

    caps = Capabilities(max_text_length=200)
    choices = tuple(Choice(id=f"c{i}", title=f"Choice {i}") for i in range(4))
    [text] = lower([Buttons(body="long words " * 50, choices=choices)], caps, "Reply with a number.", "Choose").messages
    assert isinstance(text, Text) and len(text.body) <= 200
    assert all(f"{i + 1}. Choice {i}" in text.body for i in range(4)) and text.body.endswith("Reply with a number.")


def test_a_channel_may_not_declare_a_choice_id_limit_too_small_for_a_stand_in() -> None:
    with pytest.raises(ValueError, match="16"):
        Capabilities(max_choice_id_bytes=8)
    assert len(stand_in(LONG_ID, 16).encode()) <= 16 and stand_in(LONG_ID, 64) == stand_in(LONG_ID, 64)


# --- choice ids ----------------------------------------------------------------------------------
async def test_a_long_choice_id_goes_out_short_and_comes_back_whole_on_another_worker(tmp_path: Path) -> None:
    async with running_shop(TOML, tmp_path) as h:
        await h.shop.notify("narrow:asha", Buttons(body="Gift wrap?", choices=(Choice(id=LONG_ID, title="Yes"),)))
        await h.shop.idle()
        [(_, sent, _)] = narrow_channel.SENT
        assert isinstance(sent, Buttons)
        wire_id = sent.choices[0].id
        assert wire_id != LONG_ID and len(wire_id.encode()) <= 64
    # Another worker on the same database reads the tap: the way back is in the store.
    async with running_shop(TOML, tmp_path) as other:
        await other.send_inbound(_inbound("asha", choice_id=wire_id))
    assert narrow_channel.CHOICES == [LONG_ID]


async def test_short_plain_ids_go_out_as_they_are(tmp_path: Path) -> None:
    async with running_shop(TOML, tmp_path) as h:
        await h.shop.notify("narrow:ravi", Buttons(body="?", choices=(Choice(id="menu", title="Menu"),)))
        await h.shop.idle()
        [(_, sent, _)] = narrow_channel.SENT
        assert isinstance(sent, Buttons) and sent.choices[0].id == "menu"


# --- locale, context, acknowledgements -------------------------------------------------------------
async def test_a_new_conversation_starts_in_the_messengers_language_when_the_shop_offers_it(tmp_path: Path) -> None:
    async with running_shop(TOML, tmp_path) as h:
        await h.send_inbound(_inbound("jonas", text="hallo", locale="de-AT"))
        await h.send_inbound(_inbound("li", text="hi", locale="zh-Hans-CN"))  # not offered: the shop's own
        assert await h.shop.customer_locale("narrow:jonas") == "de"
        assert await h.shop.customer_locale("narrow:li") == "en"
        # Later the messenger's hint does not override what the conversation is in.
        await h.send_inbound(_inbound("li", text="atta", locale="de"))
        assert await h.shop.customer_locale("narrow:li") == "en"
        contexts = [c for customer, _, c in narrow_channel.SENT if customer == "jonas"]
        assert contexts and all(c is not None and c.locale == "de" for c in contexts)
        answers = [c.answers for c in contexts if c is not None]
        assert len(answers) == len(contexts)
        assert all(a is not None and a.kind == "text" and a.text is None for a in answers)


async def test_a_reply_sent_after_a_restart_or_by_another_worker_keeps_its_context(
    tmp_path: Path, storage: str
) -> None:
    """The context travels in the reply's outbox row: a reply throttled on one worker and sent by
    the next one (a restart on SQLite, a second worker on PostgreSQL) still says what it answers."""
    toml = on_storage(TOML, storage)
    narrow_channel.THROTTLED[0] = 1_000  # the messenger refuses everything while the first worker runs
    async with running_shop(toml, tmp_path) as first:
        await first.send_inbound(_inbound("jonas", text="hallo", locale="de-AT"))
        assert not narrow_channel.SENT and first.shop.retries_waiting()
    narrow_channel.THROTTLED[0] = 0
    async with running_shop(toml, tmp_path) as second:
        second.move_clock(timedelta(minutes=5))  # the retry is due
        await second.shop.recover()  # what the sweeper does every sweep_seconds
        await second.idle()
    contexts = [c for customer, _, c in narrow_channel.SENT if customer == "jonas"]
    assert contexts, "the throttled reply was never sent"
    assert all(c is not None and c.locale == "de" and c.customer_key == "narrow:jonas" for c in contexts)
    answers = [c.answers for c in contexts if c is not None]
    assert len(answers) == len(contexts)
    assert all(a is not None and a.kind == "text" and a.text is None for a in answers)


async def test_a_channel_without_a_context_parameter_is_sent_to_as_before(tmp_path: Path) -> None:
    async with running_shop(TOML, tmp_path) as h:
        replies = await h.send_inbound(_inbound("asha", channel="plain", text="hi"))
        assert replies and all(c is None for _, _, c in narrow_channel.SENT)


async def test_each_message_of_a_burst_is_acknowledged_where_the_channel_asks(tmp_path: Path) -> None:
    async with running_shop(TOML, tmp_path) as h:
        store = h.shop.store
        burst = [_inbound("asha", text=word) for word in ("hi", "milk", "eggs")]
        plain = [_inbound("ravi", channel="plain", text=word) for word in ("hi", "milk", "eggs")]
        # Another worker holds both customers while their bursts arrive, so the messages queue up.
        for key in ("narrow:asha", "plain:ravi"):
            assert await store.acquire_lease(f"turns:{key}", "another-worker", 30)
        for inbound in burst + plain:
            await h.shop.receive(inbound)
        await h.shop.idle()
        assert narrow_channel.ACKNOWLEDGED == []
        for key in ("narrow:asha", "plain:ravi"):
            await store.release_lease(f"turns:{key}", "another-worker")
        await h.shop.recover()
        await h.shop.idle()
    acknowledged = narrow_channel.ACKNOWLEDGED
    assert [m for m in acknowledged if m in {i.message_id for i in burst}] == [i.message_id for i in burst]
    assert [m for m in acknowledged if m in {i.message_id for i in plain}] == [plain[-1].message_id]


def test_the_same_stand_in_for_the_same_id_in_a_new_shop(tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text(TOML)
    shop = Shop(load_config(tmp_path / "shop.toml"))
    assert shop.channels["narrow"].capabilities.max_choice_id_bytes == 64
