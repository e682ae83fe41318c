"""The characters a reader sees, as Unicode's grapheme clusters count them (UAX #29)."""

from __future__ import annotations

import pytest

from chatshop.channels import utf8_bytes, utf16_units
from chatshop.fitting import fit, shorten
from chatshop.graphemes import clusters, end_before
from chatshop.lowering import shorten as lowering_shorten

SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # a flag of tag characters
FAMILY = "👨\u200d👩\u200d👧\u200d👦"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👨\u200d👩\u200d👧x", ["👨\u200d👩\u200d👧", "x"]),
        ("🇮🇳🇩🇪🇨", ["🇮🇳", "🇩🇪", "🇨"]),
        ("👍🏽a", ["👍🏽", "a"]),
        ("❤️!", ["❤️", "!"]),
        ("कार्ट", ["का", "र्ट"]),  # a conjunct (Unicode 15.1) is one
        ("नमस्ते", ["न", "म", "स्ते"]),
        ("é\r\nb", ["é", "\r\n", "b"]),
        ("한국\u1100\u1161\u11a8", ["한", "국", "\u1100\u1161\u11a8"]),
        (
            "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f.",
            ["🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "."],
        ),
        ("", []),
    ],
)
def test_clusters(text: str, expected: list[str]) -> None:
    assert clusters(text) == expected


def test_a_cut_moves_back_to_where_a_character_ends() -> None:
    assert end_before("ab👍🏽c", 3) == 2 and end_before("ab👍🏽c", 4) == 4 and end_before("ab", 9) == 2


@pytest.mark.parametrize("measure", [len, utf16_units, utf8_bytes])
@pytest.mark.parametrize(
    "text", ["Familie👨\u200d👩\u200d👧\u200d👦👨\u200d👩\u200d👧\u200d👦 pack", "किकिकिकिकिकिकिकिकिकिकिकि", "🇮🇳" * 20]
)
def test_every_cut_keeps_whole_characters_in_each_channels_unit(text: str, measure: object) -> None:
    assert callable(measure)
    for limit in range(4, 40):  # room for the "…" in every unit
        for cut in (shorten(text, limit, measure), fit(text, limit, measure)):
            kept = clusters(cut.removesuffix("…"))
            assert measure(cut) <= limit and kept == clusters(text)[: len(kept)], (limit, cut)
        kept = clusters(lowering_shorten(text, limit).removesuffix("…"))
        assert kept == clusters(text)[: len(kept)], (limit, kept)


def test_ascii_text_is_cut_where_the_clusters_say() -> None:
    """The quick way for ASCII (every place a boundary but inside CR LF) agrees with the clusters."""
    import random
    import string

    from chatshop.graphemes import boundaries, end_before

    chance = random.Random(7)
    for _ in range(500):
        text = "".join(chance.choice(string.printable) for _ in range(chance.randint(1, 30)))
        for end in range(1, len(text)):
            expected = max((at for at in boundaries(text) if at <= end), default=0)
            assert end_before(text, end) == expected, (text, end)
