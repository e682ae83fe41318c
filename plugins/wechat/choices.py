"""msgmenu item ids for the core's choice ids, and the way back.

A tapped msgmenu item comes back with ``bizmsgmenuid`` = the item's ``id``. Short, plain choice ids
are used as they are. Longer ones (the core allows 200 characters), or ones with characters we
would rather not put on the wire, get a short id ``cs_<hash>`` and a row in the shop's kv storage
(short id -> choice id, kept for the 48-hour reply window and a day more), so any worker can map
a tap back.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

from .token import TokenKV

__all__ = ["MAX_MENU_ID_LENGTH", "menu_item_id", "remember", "resolve"]

MAX_MENU_ID_LENGTH = 64
SHORT_PREFIX = "cs_"
KEEP_FOR = timedelta(hours=72)
_PLAIN = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


def menu_item_id(choice_id: str) -> str:
    """The msgmenu ``id`` for ``choice_id``: itself when short and plain, else a stable short id."""
    if _PLAIN.fullmatch(choice_id) and not choice_id.startswith(SHORT_PREFIX):
        return choice_id
    digest = hashlib.sha256(choice_id.encode()).digest()[:15]
    return SHORT_PREFIX + base64.b32encode(digest).decode().lower()


def _key(menu_id: str) -> str:
    return f"wechat:choice:{menu_id}"


async def remember(kv: TokenKV, choice_ids: list[str], now: datetime | None = None) -> None:
    """Store the way back for every choice id that needed a short id."""
    until = (now or datetime.now(UTC)) + KEEP_FOR
    for choice_id in choice_ids:
        menu_id = menu_item_id(choice_id)
        if menu_id != choice_id:
            await kv.kv_set(_key(menu_id), choice_id, until)


async def resolve(kv: TokenKV, menu_id: str, now: datetime | None = None) -> str:
    """The choice id behind a ``bizmsgmenuid`` (the id itself when it was never shortened)."""
    if not menu_id.startswith(SHORT_PREFIX):
        return menu_id
    found = await kv.kv_get(_key(menu_id), now or datetime.now(UTC))
    return found if found is not None else menu_id
