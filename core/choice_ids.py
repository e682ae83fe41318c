"""Choice ids that fit a messenger: long ids go out as short stand-ins and come back as themselves.

The core allows a choice id of 200 characters (``product:SKU:add`` and friends); Telegram's
``callback_data`` holds 64 bytes and WeChat's menu ids must be short and plain. A channel declares
``max_choice_id_bytes`` (and ``choice_id_pattern``); an id that does not fit reaches its ``send`` as
``cs_`` + a hash of it, and the way back is kept in the store (shared by every worker), so the tap
that brings the stand-in back is read as the original id by whichever worker takes it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timedelta

from chatshop.channels import Capabilities
from chatshop.kv import KeyValueSpace
from chatshop.messages import Buttons, Choice, ChoiceList, Outbound, PaymentRequest, ProductCard, Section

__all__ = ["MIN_CHOICE_ID_BYTES", "ChoiceIds", "stand_in"]

PREFIX = "cs_"
#: The shortest limit a channel may declare: "cs_" and 13 characters of hash (65 bits).
MIN_CHOICE_ID_BYTES = 16
#: How long a stand-in can still be tapped after it was last sent.
KEEP_FOR = timedelta(days=30)


def fits(choice_id: str, caps: Capabilities) -> bool:
    """Whether ``choice_id`` may go on the wire as it is for ``caps``."""
    if choice_id.startswith(PREFIX):
        return False  # only stand-ins start so: the way back is never ambiguous
    if caps.max_choice_id_bytes is not None and len(choice_id.encode()) > caps.max_choice_id_bytes:
        return False
    return caps.choice_id_pattern is None or re.fullmatch(caps.choice_id_pattern, choice_id) is not None


def stand_in(choice_id: str, limit: int | None) -> str:
    """The short id for ``choice_id``: the same for the same id, ``cs_`` and lower-case base32."""
    digest = base64.b32encode(hashlib.sha256(choice_id.encode()).digest()[:15]).decode().lower()
    size = min(len(digest), (limit or 27) - len(PREFIX))
    return PREFIX + digest[:size]


class ChoiceIds:
    """Shortens the choice ids of outbound messages for a channel, and maps stand-ins back."""

    def __init__(self, kv: KeyValueSpace) -> None:
        self._kv = kv
        #: Stand-ins this process wrote lately, and until when the written row lasts.
        self._written: dict[str, datetime] = {}

    async def shorten(self, message: Outbound, caps: Capabilities, now: datetime) -> Outbound:
        """``message`` with every choice id that does not fit replaced by its stand-in (remembered first)."""
        if caps.max_choice_id_bytes is None and caps.choice_id_pattern is None:
            return message
        if isinstance(message, Buttons | ProductCard | PaymentRequest):
            choices = await self._choices(message.choices, caps, now)
            return message if choices is None else message.model_copy(update={"choices": choices})
        if isinstance(message, ChoiceList):
            sections, changed = [], False
            for section in message.sections:
                choices = await self._choices(section.choices, caps, now)
                changed = changed or choices is not None
                sections.append(section if choices is None else Section(title=section.title, choices=choices))
            return message.model_copy(update={"sections": tuple(sections)}) if changed else message
        return message

    async def _choices(
        self, choices: tuple[Choice, ...], caps: Capabilities, now: datetime
    ) -> tuple[Choice, ...] | None:
        if all(fits(c.id, caps) for c in choices):
            return None
        out = []
        for choice in choices:
            if fits(choice.id, caps):
                out.append(choice)
                continue
            short = stand_in(choice.id, caps.max_choice_id_bytes)
            await self._remember(short, choice.id, now)
            out.append(choice.model_copy(update={"id": short}))
        return tuple(out)

    async def _remember(self, short: str, choice_id: str, now: datetime) -> None:
        """Keep the way back; rewritten at most once a day per stand-in and process."""
        if self._written.get(short, now) > now + KEEP_FOR - timedelta(days=1):
            return
        await self._kv.set(short, choice_id, ttl=KEEP_FOR)
        if len(self._written) > 50_000:
            self._written.clear()
        self._written[short] = now + KEEP_FOR

    async def resolve(self, choice_id: str) -> str:
        """The original id behind a stand-in; any other id as it is (an unknown stand-in too)."""
        if not choice_id.startswith(PREFIX):
            return choice_id
        return await self._kv.get(choice_id) or choice_id
