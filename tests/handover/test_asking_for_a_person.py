"""A customer reaches a person: by a command word in their language, from Help, or after messages
the bot did not understand; the bot is silent while a person has the conversation, the messages
still land in the transcript, and the menu word gives the conversation back with the cart intact."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from chatshop.messages import Inbound, InboundKind, Text
from chatshop.testing import ShopHarness
from tests.conftest import SHOP_TOML, ShopFactory

STARTED = "I've asked a person from Test Kirana to answer you"


async def waiting(h: ShopHarness) -> list[str]:
    return [w.customer_key for w in await h.shop.store.waiting_conversations()]


@pytest.mark.parametrize(
    ("word", "locale"),
    [("agent", "en"), ("human", "en"), ("Mensch", "de"), ("इंसान", "hi"), ("人工", "zh")],
)
async def test_a_command_word_in_each_language_hands_over(
    make_shop: ShopFactory, handover_toml: str, word: str, locale: str,
) -> None:
    toml = handover_toml.replace('locales = ["en", "de"]', 'locales = ["en", "de", "hi", "zh"]')
    async with make_shop(toml) as h:
        await h.say("asha", "hi")
        reply = await h.say("asha", word)
        assert reply  # told, in the language the word was in
        assert await waiting(h) == ["terminal:asha"]
        record = await h.shop.store.load_conversation("terminal:asha")
        assert record.state["locale"] == locale


@pytest.mark.parametrize(
    ("said", "locale"),
    [
        ("I want to talk to a human", "en"),
        ("can I speak to a person please?", "en"),
        ("Ich möchte mit einem Menschen sprechen", "de"),
        ("मुझे किसी इंसान से बात करनी है", "hi"),
        ("我要人工客服", "zh"),
    ],
)
async def test_a_person_asked_for_in_a_sentence_hands_over(
    make_shop: ShopFactory, handover_toml: str, said: str, locale: str
) -> None:
    """Walking the demo shop: "I want to talk to a human" got "Nothing found for …" (only the word
    alone was heard), and a customer who wanted a person had to guess the one word."""
    toml = handover_toml.replace('locales = ["en", "de"]', 'locales = ["en", "de", "hi", "zh"]')
    async with make_shop(toml) as h:
        await h.say("asha", "hi")
        reply = await h.say("asha", said)
        assert "Nothing found" not in reply and reply, reply
        assert await waiting(h) == ["terminal:asha"]


async def test_a_search_that_finds_something_is_no_call_for_a_person(
    make_shop: ShopFactory, handover_toml: str
) -> None:
    async with make_shop(handover_toml) as h:
        await h.say("asha", "hi")
        reply = await h.say("asha", "person atta")  # a product found: the words are a search
        assert "Atta" in reply, reply
        assert await waiting(h) == []


async def test_the_bot_is_silent_while_a_person_has_it_and_the_messages_are_kept(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml) as h:
        await h.say("asha", "hi")
        assert STARTED in await h.say("asha", "agent")
        assert await h.say("asha", "where is my parcel?") == ""
        assert await h.say("asha", "atta") == ""  # not a search: the person reads it
        assert await h.say("asha", "1") == ""
        texts = [e.inbound.text for e in await h.shop.store.transcript("terminal:asha") if e.inbound]
        assert texts[-3:] == ["where is my parcel?", "atta", "1"]
        assert await h.shop.store.customers_with_pending_inbound() == []  # handled, not stuck
        assert await waiting(h) == ["terminal:asha"]


async def test_help_offers_a_person_and_the_choice_hands_over(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml) as h:
        await h.say("asha", "hi")
        help_reply = await h.say("asha", "help")
        assert "7. Talk to a person" in help_reply
        assert "1. Browse catalog" in help_reply  # the menu's own numbers are kept
        assert STARTED in await h.say("asha", "7")
        assert await waiting(h) == ["terminal:asha"]


async def test_without_anyone_to_answer_there_is_no_hand_over(make_shop: ShopFactory) -> None:
    async with make_shop(SHOP_TOML) as h:  # no [admin]: no dashboard, nobody to answer
        await h.say("asha", "hi")
        assert "Talk to a person" not in await h.say("asha", "help")
        reply = await h.say("asha", "agent")
        assert "nobody from Test Kirana can chat here right now" in reply
        assert "What would you like to do?" in reply
        assert await waiting(h) == []
        assert "Atta" in await h.say("asha", "atta")  # the bot still answers


async def test_after_three_messages_not_understood_a_person_takes_over(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml) as h:
        await h.say("asha", "hi")
        assert "Nothing found" in await h.say("asha", "qwzx")
        assert "Nothing found" in await h.say("asha", "plmk")
        assert "Aashirvaad Atta" in await h.say("asha", "atta")  # understood: the count starts again
        assert await waiting(h) == []
        assert "Nothing found" in await h.say("asha", "zzqq")
        assert "Nothing found" in await h.say("asha", "vvbn")
        third = await h.say("asha", "kkjj")
        assert "I keep missing what you mean" in third
        assert "Nothing found" not in third  # a person, not a third "sorry"
        assert await waiting(h) == ["terminal:asha"]


async def test_zero_turns_the_automatic_hand_over_off(make_shop: ShopFactory, handover_toml: str) -> None:
    toml = handover_toml.replace("after_not_understood = 3", "after_not_understood = 0")
    async with make_shop(toml) as h:
        await h.say("asha", "hi")
        for word in ("qwzx", "plmk", "zzqq", "vvbn", "xxyy"):
            assert "Nothing found" in await h.say("asha", word)
        assert await waiting(h) == []


async def test_a_photo_counts_as_not_understood(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml) as h:
        await h.say("asha", "hi")
        for _ in range(2):
            await h.send_inbound(_media("asha"))
        (reply,) = await h.send_inbound(_media("asha"))
        assert isinstance(reply, Text) and "I keep missing what you mean" in reply.body
        assert await waiting(h) == ["terminal:asha"]


async def test_mid_checkout_the_menu_word_gives_the_checkout_back_with_the_cart(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    async with make_shop(handover_toml) as h:
        await h.say("asha", "atta")
        await h.say("asha", "1")  # add to cart
        assert "Where should we deliver?" in await h.say("asha", "checkout")
        assert STARTED in await h.say("asha", "agent")
        assert await h.say("asha", "is the atta fresh?") == ""
        back = await h.say("asha", "menu")
        assert "You're back with the Test Kirana assistant." in back
        assert "Where should we deliver?" in back  # the question that was open, asked again
        assert await waiting(h) == []
        summary = await h.say("asha", "12 Hill Road, Bandra West, Mumbai 400050")
        assert "Aashirvaad Atta 5 kg" in summary and "Confirm" in summary


async def test_outside_the_hours_the_customer_is_told_when(make_shop: ShopFactory, handover_toml: str) -> None:
    async with make_shop(handover_toml, sweep_seconds=3600) as h:
        h.set_clock(datetime(2026, 12, 5, 17, 0, tzinfo=UTC))  # Saturday 22:30 in Kolkata: closed
        await h.say("asha", "hi")
        reply = await h.say("asha", "agent")
        assert STARTED in reply
        assert "Our team is away right now; they will answer from Mon 09:00 (Asia/Kolkata)." in reply
        h.set_clock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))  # Monday 09:30 there: open
        await h.say("ravi", "hi")
        assert "away" not in await h.say("ravi", "agent")


def _media(customer: str) -> Inbound:
    return Inbound(channel="terminal", customer_id=customer, message_id=uuid.uuid4().hex, kind=InboundKind.MEDIA)


async def test_the_hours_are_in_the_shops_time_zone_unless_support_names_one(
    make_shop: ShopFactory, handover_toml: str,
) -> None:
    toml = handover_toml.replace('timezone = "Asia/Kolkata"\n', "").replace(
        'currency = "INR"', 'currency = "INR"\ntimezone = "Europe/Berlin"'
    )
    async with make_shop(toml, sweep_seconds=3600) as h:
        h.set_clock(datetime(2026, 12, 5, 17, 0, tzinfo=UTC))  # Saturday 18:00 in Berlin: closed
        await h.say("asha", "hi")
        assert "they will answer from Mon 09:00 (Europe/Berlin)." in await h.say("asha", "agent")


async def test_a_person_asked_for_in_a_photos_caption_hands_over(make_shop: ShopFactory, handover_toml: str) -> None:
    """A photo of a broken jar captioned 'it came broken, I want to talk to a human': the caption is
    read as the customer's text, so it asks for a person as the same words typed would."""
    async with make_shop(handover_toml) as h:
        await h.say("asha", "hi")
        replies = await h.send_inbound(
            Inbound(
                channel="terminal",
                customer_id="asha",
                message_id="img-1",
                kind=InboundKind.MEDIA,
                text="it came broken, I want to talk to a human",
            )
        )
        body = " ".join(getattr(r, "body", "") for r in replies)
        assert "Nothing found" not in body and STARTED in body, body
        assert await waiting(h) == ["terminal:asha"]
