"""What a msgmenu item id may be, and the way back for menus sent before the core shortened ids.

A tapped msgmenu item comes back with ``bizmsgmenuid`` = the item's ``id``. The channel declares
these limits in its capabilities; the core sends longer or unusual choice ids as short stand-ins
(``cs_...``) and maps them back (:mod:`chatshop.choice_ids`). Menus sent before that kept their own
way back under ``wechat:choice:ID`` for 72 hours: :func:`resolve_legacy` still reads it.
"""

from __future__ import annotations

from .token import TokenKV

__all__ = ["CHOICE_ID_PATTERN", "MAX_MENU_ID_LENGTH", "resolve_legacy"]

MAX_MENU_ID_LENGTH = 64
#: Plain ids only: letters, digits and ``_ . : -``.
CHOICE_ID_PATTERN = r"[A-Za-z0-9_.:\-]{1,64}"
_LEGACY_PREFIX = "cs_"


async def resolve_legacy(kv: TokenKV, menu_id: str) -> str:
    """The choice id behind a stand-in this channel made itself (the id as it is otherwise); ``kv``
    is the channel's space (``wechat:choice:ID``)."""
    if not menu_id.startswith(_LEGACY_PREFIX):
        return menu_id
    found = await kv.get(f"choice:{menu_id}")
    return found if found is not None else menu_id
