"""The fallback ladder, tested once for every channel: buttons, then a list, then numbered text."""

from __future__ import annotations

from dataclasses import replace

from chatshop.channels import Capabilities
from chatshop.lowering import lower, shorten
from chatshop.messages import Buttons, Choice, ChoiceList, Image, ProductCard, Section, Text
from chatshop.money import Money

RICH = Capabilities(max_buttons=3, max_list_rows=10, images=True)
LIST_ONLY = Capabilities(max_buttons=0, max_list_rows=10, list_row_title_length=24)
TEXT_ONLY = Capabilities(max_text_length=200)


def choices(n: int, title: str = "Choice") -> tuple[Choice, ...]:
    return tuple(Choice(id=f"c{i}", title=f"{title} {i}") for i in range(1, n + 1))


def test_few_choices_become_buttons_where_there_are_buttons() -> None:
    turn = lower([Buttons(body="Pick", choices=choices(3))], RICH, "Reply with a number.", "Choose")
    (message,) = turn.messages
    assert isinstance(message, Buttons)
    assert turn.menu == ["c1", "c2", "c3"]


def test_buttons_become_a_list_then_numbered_text() -> None:
    as_list = lower([Buttons(body="Pick", choices=choices(3))], LIST_ONLY, "hint", "Choose").messages[0]
    assert isinstance(as_list, ChoiceList) and as_list.button == "Choose"
    as_text = lower([Buttons(body="Pick", choices=choices(3))], TEXT_ONLY, "Reply with a number.", "Choose").messages[0]
    assert isinstance(as_text, Text)
    assert as_text.body == "Pick\n1. Choice 1\n2. Choice 2\n3. Choice 3\nReply with a number."


def test_too_many_rows_for_a_list_fall_back_to_numbered_text() -> None:
    message = ChoiceList(body="Many", button="Open", sections=(Section(choices=choices(11)),))
    turn = lower([message], RICH, "hint", "Choose")
    assert isinstance(turn.messages[0], Text)
    assert "11. Choice 11" in turn.messages[0].body
    assert len(turn.menu) == 11


def test_numbers_continue_across_the_messages_of_one_turn() -> None:
    turn = lower(
        [Buttons(body="A", choices=choices(2, "a")), Buttons(body="B", choices=choices(2, "b"))],
        TEXT_ONLY,
        "hint",
        "Choose",
    )
    assert "3. b 1" in turn.messages[-1].body  # type: ignore[union-attr]
    assert turn.menu == ["c1", "c2", "c1", "c2"]


def test_a_text_and_the_question_after_it_are_one_message_where_they_fit() -> None:
    said, asked = Text(body="Added 1 × Atta."), Buttons(body="What next?", choices=choices(2))
    turn = lower([said, asked], RICH, "hint", "Choose")
    assert turn.messages == [asked.model_copy(update={"body": "Added 1 × Atta.\n\nWhat next?"})]
    two_texts = lower([said, Text(body="Thanks.")], RICH, "hint", "Choose")
    assert two_texts.messages == [Text(body="Added 1 × Atta.\n\nThanks.")]
    tight = replace(RICH, max_body_length=20)  # the buttons' body would be too long: two messages
    assert lower([said, asked], tight, "hint", "Choose").messages == [said, asked]
    headed = Buttons(body="What next?", choices=choices(2), header="Cart")
    assert lower([said, headed], RICH, "hint", "Choose").messages == [said, headed]


def test_long_titles_are_shortened_at_word_boundaries_and_kept_in_the_description() -> None:
    long = Choice(id="p:x", title="Aashirvaad Shudh Chakki Atta Whole Wheat Flour 10 kg Family Pack")
    message = ChoiceList(body="Pick", button="A very long button label here", sections=(Section(choices=(long,)),))
    (lowered,) = lower([message], LIST_ONLY, "hint", "Choose").messages
    assert isinstance(lowered, ChoiceList)
    row = lowered.sections[0].choices[0]
    assert len(row.title) <= 24 and row.title.endswith("…")
    assert row.title == "Aashirvaad Shudh Chakki…"
    assert row.description is not None and row.description.startswith("Aashirvaad Shudh Chakki Atta")
    assert len(lowered.button) <= 20


def test_a_button_title_cut_to_fit_is_readable_in_full_in_the_body() -> None:
    pay = (Choice(id="pay:cod", title="Cash on delivery"), Choice(id="pay:wa", title="WhatsApp में ऑनलाइन भुगतान"))
    (lowered,) = lower([Buttons(body="How would you like to pay?", choices=pay)], RICH, "hint", "Choose").messages
    assert isinstance(lowered, Buttons)
    assert [c.title for c in lowered.choices] == ["Cash on delivery", "WhatsApp में ऑनलाइन…"]
    assert lowered.body == "How would you like to pay?\n\n• WhatsApp में ऑनलाइन भुगतान"


def test_shorten_never_exceeds_the_limit() -> None:
    for limit in range(1, 40):
        assert len(shorten("Supercalifragilistic expialidocious words everywhere", limit)) <= limit
    assert shorten("  short  ", 20) == "short"


def test_product_card_degrades_to_picture_buttons_then_text() -> None:
    card = ProductCard(
        product_id="a",
        title="Atta",
        body="Atta\n₹245.00",
        price=Money(24500, "INR"),
        image_url="https://img.example/a.jpg",
        choices=choices(3),
    )
    rich = lower([card], RICH, "hint", "Choose").messages[0]
    assert isinstance(rich, Buttons) and rich.image_url == "https://img.example/a.jpg"
    plain = lower([card], TEXT_ONLY, "hint", "Choose").messages[0]
    assert isinstance(plain, Text) and "1. Choice 1" in plain.body
    no_choices = card.model_copy(update={"choices": ()})
    assert isinstance(lower([no_choices], RICH, "h", "C").messages[0], Image)
    native = lower([card], Capabilities(product_cards=True), "h", "C")
    assert native.messages == [card] and native.menu == ["c1", "c2", "c3"]


def test_long_text_is_cut_at_lines_within_the_limit_keeping_its_end() -> None:
    """The middle goes, marked: the first line and the last (a total, a question) are kept whole."""
    body = "\n".join(f"line {i} " + "x" * 30 for i in range(20))
    (message,) = lower([Text(body=body)], TEXT_ONLY, "h", "C").messages
    assert isinstance(message, Text)
    lines = message.body.split("\n")
    assert len(message.body) <= 200 and "…" in lines
    assert lines[0] == "line 0 " + "x" * 30 and lines[-1] == "line 19 " + "x" * 30
    assert all(line == "…" or line in body.split("\n") for line in lines)


def test_rows_cut_alike_show_what_tells_them_apart() -> None:
    """Three variants of one long name cut to 24 characters would all read "Classic Cotton Crew
    Neck…": each row keeps the end of its name (the size), so the customer can tell which is which."""
    names = [f"Classic Cotton Crew Neck T-shirt, Navy Blue, Size {size}" for size in ("S", "M", "XL")]
    rows = tuple(Choice(id=f"v{i}", title=name, description="₹499.00") for i, name in enumerate(names))
    asked = ChoiceList(body="Which one?", button="Sizes", sections=(Section(choices=rows),))
    lowered = lower([asked], LIST_ONLY, "", "")
    (message,) = lowered.messages
    assert isinstance(message, ChoiceList)
    titles = [c.title for c in message.sections[0].choices]
    assert len(set(titles)) == 3 and all(len(t) <= 24 for t in titles), titles
    assert [t.endswith(f"Size {size}") for t, size in zip(titles, ("S", "M", "XL"), strict=True)] == [True] * 3, titles
    assert all(t.startswith("Classic") for t in titles), titles
    buttons = lower([Buttons(body="Which?", choices=rows[:3])], replace(RICH, button_title_length=20), "", "")
    assert len({c.title for c in buttons.messages[0].choices}) == 3  # type: ignore[union-attr]


def test_rows_whose_names_differ_only_past_a_long_word_still_differ() -> None:
    names = ["Ab" + "c" * 40 + " 1", "Ab" + "c" * 40 + " 2"]
    rows = tuple(Choice(id=f"v{i}", title=name) for i, name in enumerate(names))
    lowered = lower([ChoiceList(body="?", button="Open", sections=(Section(choices=rows),))], LIST_ONLY, "", "")
    titles = [c.title for c in lowered.messages[0].sections[0].choices]  # type: ignore[union-attr]
    assert len(set(titles)) == 2 and all(len(t) <= 24 for t in titles), titles
