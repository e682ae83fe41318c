"""An export's description with only plain tags is read without the HTML parser: the same text as
the parser's, entities and bare ampersands included, on generated HTML."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chatshop.plugins.catalog_imports import html_text

pieces = st.sampled_from(
    [
        "<p>", "</p>", "<br/>", "<br />", "<li>", "</li>", "<ul>", "<B>", "</b>", "<span>", "<h2>", "<div>",
        "Atta", " & ", "&amp;", "&nbsp;", "&lt;b&gt;", "&#39;", "&#x20B9;", "&copy", "&unknown;", "&", "5 kg",
        "\n", "  ", "•", "a < b", "<em>", "<p class=x>", "<script>", "</script>", "x()", "&am", "p;",
    ]
)  # fmt: skip


def parsed(html: str) -> str:
    """What html_to_text gives through the parser (its quick way turned off)."""
    parser = html_text._Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{2,}", "\n", "\n".join(line for line in lines if line and line != "•")).strip()


@settings(max_examples=2000)
@given(st.lists(pieces, max_size=12))
def test_plain_tags_read_without_the_parser_give_the_parsers_text(parts: list[str]) -> None:
    html = "".join(parts)
    if "<" in html or "&" in html:
        assert html_text.html_to_text(html) == parsed(html)


def test_an_ampersand_in_plain_html_takes_the_quick_way() -> None:
    assert html_text._plain_tags("<p>Atta from the atta & flour shelf &amp; more</p>") is not None
