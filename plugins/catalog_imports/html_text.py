"""A product description written in HTML, as plain text a chat can show."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0  # inside <script> or <style>: not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


#: Plain tags, as the parser above turns them to text: most exported descriptions hold only these.
_PLAIN_TAGS = {
    **{f"<{tag}>": "\n" for tag in _BLOCKS},
    **{f"</{tag}>": "\n" for tag in _BLOCKS},
    **{f"<{tag}/>": "\n\n" for tag in _BLOCKS},
    **{f"<{tag} />": "\n\n" for tag in _BLOCKS},
    **{
        tag: ""
        for name in ("b", "strong", "i", "em", "u", "span", "small", "sup", "sub")
        for tag in (f"<{name}>", f"</{name}>")
    },
    "<li>": "\n• ",
}
_TAG = re.compile(r"(<[^<>]*>)")


def _plain_tags(html: str) -> str | None:
    """The text of HTML with no entity and only plain tags (``<p>``, ``</b>``, ``<br/>``), without a
    parser: 500,000 descriptions of an export read in a second. None for anything else."""
    if "&" in html:
        return None
    pieces = _TAG.split(html)
    for i in range(1, len(pieces), 2):
        text = _PLAIN_TAGS.get(pieces[i].lower())
        if text is None:
            return None
        pieces[i] = text
    if any("<" in piece for piece in pieces[::2]):
        return None
    return "".join(pieces)


def html_to_text(html: str) -> str:
    """``<p>Stone-ground <b>atta</b></p><ul><li>5 kg</li></ul>`` as "Stone-ground atta\\n• 5 kg"."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    text = _plain_tags(html)
    if text is None:
        parser = _Text()
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{2,}", "\n", "\n".join(line for line in lines if line and line != "•")).strip()
