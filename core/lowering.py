"""The fallback ladder: turn the dialog's messages into what a channel can show.

Buttons, then a list, then a numbered text menu; a product card, then a picture with buttons, then
text. Every choice shown in a turn is also numbered, in order, so that a customer who types "2"
picks the second choice on any channel, and the number maps back to the same choice id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatshop.channels import Capabilities
from chatshop.fitting import ELLIPSIS, TRAILING, fit, fit_message
from chatshop.fitting import shorten as fitting_shorten
from chatshop.graphemes import clusters
from chatshop.messages import (
    AddressRequest,
    Buttons,
    Choice,
    ChoiceList,
    Document,
    Image,
    OrderStatusUpdate,
    Outbound,
    PaymentRequest,
    ProductCard,
    Section,
    Text,
)

__all__ = ["LoweredTurn", "lower", "shorten"]


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary where possible, marking the cut; one
    line, its runs of spaces made one. Never inside an emoji or a vowel sign (``fitting.shorten``)."""
    return fitting_shorten(" ".join(text.split()), limit)


#: A tuple, not ``Buttons | ChoiceList``: a union in the function would be built at every call.
_QUESTIONS = (Buttons, ChoiceList)


@dataclass(slots=True)
class LoweredTurn:
    messages: list[Outbound] = field(default_factory=list)
    menu: list[str] = field(default_factory=list)  # choice ids in the order they were numbered
    labels: list[str] = field(default_factory=list)  # their titles, so a typed title picks them too


def lower(messages: list[Outbound], caps: Capabilities, reply_hint: str, choose_label: str) -> LoweredTurn:
    """Lower one turn's messages for ``caps``; ``reply_hint`` ends a numbered menu.

    A text followed by another text, or by a question with choices, becomes one message where it
    fits: the customer reads the same, and gets (and the shop pays for) one message, not two.
    """
    turn = LoweredTurn()
    for message in messages:
        for lowered in _lower_one(message, caps, turn, reply_hint, choose_label):
            _append(turn.messages, fit_message(lowered, caps), caps)
    return turn


def _append(out: list[Outbound], message: Outbound, caps: Capabilities) -> None:
    """Add ``message``, joined to the text before it when both fit in one message."""
    before = out[-1] if out else None
    if isinstance(before, Text):
        joined = f"{before.body}\n\n"
        if isinstance(message, Text) and caps.measure(joined + message.body) <= caps.max_text_length:
            out[-1] = Text(body=joined + message.body)
            return
        limit = caps.max_body_length or caps.max_text_length
        fits = caps.measure(joined + getattr(message, "body", "")) <= limit
        if isinstance(message, _QUESTIONS) and not message.header and fits:
            out[-1] = message.model_copy(update={"body": joined + message.body})
            return
    out.append(message)


def _lower_one(message: Outbound, caps: Capabilities, turn: LoweredTurn, hint: str, choose: str) -> list[Outbound]:
    if isinstance(message, Buttons):
        return [
            _choices(
                message.body,
                message.choices,
                (),
                caps,
                turn,
                hint,
                choose,
                message.header,
                message.footer,
                message.image_url,
            )
        ]
    if isinstance(message, ChoiceList):
        return [
            _choices(
                message.body,
                message.choices,
                message.sections,
                caps,
                turn,
                hint,
                message.button,
                message.header,
                message.footer,
                None,
            )
        ]
    if isinstance(message, ProductCard):
        if caps.product_cards:
            turn.menu.extend(c.id for c in message.choices)
            turn.labels.extend(c.title for c in message.choices)
            return [message]
        if not message.choices:
            if caps.images and message.image_url:
                return [Image(url=message.image_url, caption=message.body)]
            return [Text(body=message.body)]
        image = message.image_url if caps.images else None
        return [_choices(message.body, message.choices, (), caps, turn, hint, choose, None, None, image)]
    if isinstance(message, PaymentRequest) and not caps.in_chat_payment and message.url is None:
        return [Text(body=message.body)]
    if isinstance(message, AddressRequest) and not caps.address_form:
        return [Text(body=message.body)]
    if isinstance(message, Document) and not caps.documents:
        return [Text(body="\n".join(part for part in (message.caption, message.url) if part))]
    if isinstance(message, OrderStatusUpdate) and message.url and not caps.url_buttons:
        # No button to open a page with: the address goes under the text, where it can be tapped.
        return [message.model_copy(update={"body": f"{message.body}\n{message.url}", "url": None, "url_label": None})]
    return [message]


def _choices(
    body: str,
    choices: tuple[Choice, ...],
    sections: tuple[Section, ...],
    caps: Capabilities,
    turn: LoweredTurn,
    hint: str,
    button: str,
    header: str | None,
    footer: str | None,
    image_url: str | None,
) -> Outbound:
    turn.menu.extend(c.id for c in choices)
    turn.labels.extend(c.title for c in choices)
    count = len(choices)
    # Buttons hold a short title and nothing else: choices with a description (a price, an order's
    # state and total) are a list wherever the channel has one, so the description is seen.
    described = any(c.description for c in choices) and count <= caps.max_list_rows
    if 0 < count <= caps.max_buttons and not sections and not described:
        limit = caps.button_title_length
        short = _told_apart(choices, tuple(_short(c, limit, None) for c in choices), limit)
        # A button holds its title and nothing else: one cut to fit is read in full in the body.
        cut = [c.title for c, s in zip(choices, short, strict=True) if s.title != " ".join(c.title.split())]
        return Buttons(
            body="\n\n".join(part for part in (body, "\n".join(f"• {title}" for title in cut)) if part),
            choices=short,
            header=shorten(header, 60) if header else None,
            footer=shorten(footer, 60) if footer else None,
            image_url=image_url,
        )
    if 0 < count <= caps.max_list_rows:
        groups = sections if sections and len(sections) <= caps.max_list_sections else (Section(choices=choices),)
        return ChoiceList(
            body=body,
            button=shorten(button, caps.list_button_length),
            sections=_rows(groups, caps),
            header=shorten(header, 60) if header else None,
            footer=shorten(footer, 60) if footer else None,
        )
    first = len(turn.menu) - count + 1
    lines = [
        f"{first + i}. {c.title}" + (f" ({c.description})" if c.description else "") for i, c in enumerate(choices)
    ]
    menu = "\n".join(part for part in ("\n".join(lines), footer, hint) if part)
    head = "\n".join(part for part in (header, body) if part)
    # A long body gives way to the menu: cut, it still leaves every numbered choice readable.
    room = caps.max_text_length - caps.measure(menu) - caps.measure("\n")
    if head and room > 0:
        head = fit(head, room, caps.measure)
    return Text(body="\n".join(part for part in (head, menu) if part))


def _rows(groups: tuple[Section, ...], caps: Capabilities) -> tuple[Section, ...]:
    """The sections of a list with their titles and rows shortened, rows that would read alike told apart."""
    originals = tuple(c for s in groups for c in s.choices)
    limit = caps.list_row_title_length
    short = tuple(_short(c, limit, caps.list_row_description_length) for c in originals)
    rows = iter(_told_apart(originals, short, limit))
    return tuple(
        Section(
            title=shorten(s.title, caps.list_row_title_length) if s.title else None,
            choices=tuple(next(rows) for _ in s.choices),
        )
        for s in groups
    )


def _told_apart(originals: tuple[Choice, ...], short: tuple[Choice, ...], limit: int) -> tuple[Choice, ...]:
    """Choices whose different names were cut to one title ("Classic Cotton Crew…" for sizes S, M
    and XL) keep the end of their names instead, where they differ: "Classic Cotton… Size M"."""
    alike: dict[str, list[int]] = {}
    for i, choice in enumerate(short):
        alike.setdefault(choice.title, []).append(i)
    out = list(short)
    for group in alike.values():
        names = [" ".join(originals[i].title.split()) for i in group]
        if len(group) < 2 or len(set(names)) < 2:
            continue
        shortest = min(map(len, names))  # where they differ, or where the shortest name ends
        start = next((at for at, letters in enumerate(zip(*names, strict=False)) if len(set(letters)) > 1), shortest)
        start = max(names[0].rfind(" ", 0, start) + 1, 0)  # from the word where they differ ...
        if start and len(names[0]) - start < limit // 2:  # ... and the word before it, if short
            start = names[0].rfind(" ", 0, max(start - 1, 0)) + 1
        for i, name in zip(group, names, strict=True):
            out[i] = out[i].model_copy(update={"title": _head_and_tail(name, start, limit)})
    return tuple(out)


def _head_and_tail(name: str, start: int, limit: int) -> str:
    """``name`` within ``limit`` characters: its head cut, then its end from ``start``."""
    tail = name[start:]
    room = limit - len(tail) - len(" ")
    if room >= 4 + len(ELLIPSIS):
        return fitting_shorten(name[:start].rstrip(TRAILING), room) + " " + tail
    kept: list[str] = []
    for cluster in reversed(clusters(tail)):  # the very end, whole characters only
        if sum(map(len, kept)) + len(cluster) > limit - len(ELLIPSIS):
            break
        kept.insert(0, cluster)
    return ELLIPSIS + "".join(kept).lstrip()


def _short(choice: Choice, title_limit: int, description_limit: int | None) -> Choice:
    """A shortened title keeps the full one in the description, where there is room for it.

    The description (a product's price, an order's state) always stays: the full name goes before
    it only with room to spare, and a row whose description leaves too little room keeps just the
    shortened title and the price, never the name twice without the price.
    """
    title = shorten(choice.title, title_limit)
    if description_limit is None:
        if title == choice.title and choice.description is None:
            return choice  # nothing to cut or drop: the same (immutable) choice, not a copy
        return Choice(id=choice.id, title=title)
    description = choice.description
    if title != " ".join(choice.title.split()):  # the full name moves to the description, before the price
        suffix = f" · {description}" if description else ""
        room = description_limit - len(suffix)
        if room >= 12:
            description = shorten(choice.title, room) + suffix
        elif not description:
            description = choice.title
    description = shorten(description, description_limit) if description else None
    if title == choice.title and description == choice.description:
        return choice
    return Choice(id=choice.id, title=title, description=description)
