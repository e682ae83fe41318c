"""Keyboards add characters nobody sees: a right-to-left mark before a number typed in an Arabic or
Hebrew chat, a zero-width space pasted along with a word, a byte-order mark. The shop reads what the
customer sees."""

from __future__ import annotations

import pytest

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph
from tests.whatsapp.customer import Customer, choices_of, said


@pytest.mark.parametrize("typed", ["\u200f1", "1\u200b", "\ufeff1", "\u2067١\u2069", "\u200e1\u200e"])
async def test_a_number_with_invisible_marks_picks_that_option(
    shop: ShopHarness, fake: FakeGraph, asha: Customer, typed: str
) -> None:
    [menu] = await asha.say("hi")
    first, _ = choices_of(menu)[0]
    assert first == "browse"
    replies = await asha.say(typed)
    assert "Nothing found" not in said(replies)
    assert any(choice.startswith("cat:") for m in replies for choice, _ in choices_of(m))  # the categories


async def test_a_command_word_with_a_zero_width_space_is_that_command(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("hi")
    replies = await asha.say("\u200bcart\u200b")
    assert "Your cart is empty" in said(replies)


async def test_a_quantity_typed_with_a_right_to_left_mark_is_that_quantity(
    shop: ShopHarness, fake: FakeGraph, asha: Customer
) -> None:
    await asha.say("paneer")
    await asha.tap("qty:paneer-200g")
    assert "Added 4 × Amul Malai Paneer 200 g" in said(await asha.say("\u200f4"))
