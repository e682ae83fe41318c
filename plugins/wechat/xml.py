"""Parse WeChat's XML safely: no DOCTYPE, no entities, no external references, bounded size.

WeChat never sends a DOCTYPE, so defusedxml refuses any the moment the parser meets it, before an
entity can be declared or expanded (billion laughs, XXE). The body size is capped before parsing
and the nesting depth after, so a hostile push costs a 400, never memory. A customer's own text
(in CDATA) may contain anything, ``<!DOCTYPE`` included.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "XmlRejected", "parse_fields", "render_fields"]

MAX_BODY_BYTES = 64 * 1024
#: WeChat's deepest push is 5 levels (<xml><SendPicsInfo><PicList><item><PicMd5Sum>); one spare.
MAX_DEPTH = 6


class XmlRejected(ValueError):
    """The body is not a WeChat XML document we are willing to read."""


def parse_fields(body: bytes) -> dict[str, str]:
    """The text of each child of the root ``<xml>`` element, by tag name."""
    if len(body) > MAX_BODY_BYTES:
        raise XmlRejected("body too large")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, LookupError) as e:  # LookupError: encoding="x-unknown"
        raise XmlRejected(f"not acceptable XML: {type(e).__name__}") from None
    if root.tag != "xml":
        raise XmlRejected("the root element must be <xml>")
    _check_depth(root)
    return {child.tag: (child.text or "").strip() for child in root}


def _check_depth(root: Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise XmlRejected("nested too deeply")
        stack.extend((child, depth + 1) for child in element)


def cdata(text: str) -> str:
    """``text`` in CDATA; a ``]]>`` inside is split across two sections instead of ending it."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_fields(fields: dict[str, str | int]) -> str:
    """A flat ``<xml>`` document: strings in CDATA, integers bare (WeChat's own style)."""
    parts = ["<xml>"]
    for tag, value in fields.items():
        inner = str(value) if isinstance(value, int) else cdata(value)
        parts.append(f"<{tag}>{inner}</{tag}>")
    parts.append("</xml>")
    return "".join(parts)
