"""Preview: the same conversation as WhatsApp or WeChat would show it, their limits applied.

The chat's history holds what the web chat showed (the richest form); the core's fallback ladder
(:func:`chatshop.lowering.lower`) lowers each reply of the shop to the other messenger's
capabilities, exactly as it does before sending there. The capabilities come from the installed
channel plugin; the numbers below stand in when it is not installed (they are the documented limits,
see docs/web.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatshop.channels import Capabilities
from chatshop.lowering import lower
from chatshop.messages import Outbound

from .history import Entry
from .view import message_view

if TYPE_CHECKING:
    from chatshop.runtime import Shop

__all__ = ["FALLBACK_CAPABILITIES", "PREVIEW_CHANNELS", "preview_capabilities", "preview_entries"]

PREVIEW_CHANNELS = ("whatsapp", "wechat")

FALLBACK_CAPABILITIES: dict[str, Capabilities] = {
    # WhatsApp Cloud API: 3 reply buttons of 20 characters, lists of 10 rows (24 + 72 characters).
    "whatsapp": Capabilities(
        max_text_length=4096,
        max_buttons=3,
        button_title_length=20,
        max_list_rows=10,
        max_list_sections=10,
        list_row_title_length=24,
        list_row_description_length=72,
        list_button_length=20,
        images=True,
        product_cards=True,
        in_chat_payment=True,
        shares_location=True,
    ),
    # WeChat Official Account: no reply buttons; a msgmenu of up to 10 items; 2048 bytes of text.
    "wechat": Capabilities(
        max_text_length=680,
        max_buttons=0,
        max_list_rows=10,
        max_list_sections=1,
        list_row_title_length=30,
        list_row_description_length=20,
        images=True,
        product_cards=True,
        shares_location=True,
    ),
}


def preview_capabilities(shop: Shop, channel: str) -> Capabilities:
    """The installed plugin's capabilities for ``channel``, else the documented numbers."""
    cls = shop.plugins.channel_classes().get(channel)
    if cls is not None:
        return cls.capabilities
    return FALLBACK_CAPABILITIES[channel]


def preview_entries(shop: Shop, entries: list[Entry], channel: str, locale: str) -> list[dict[str, Any]]:
    """Lower every run of shop messages (one reply) as the other channel would get it."""
    caps = preview_capabilities(shop, channel)
    hint = shop.texts.get(locale, "reply_with_number")
    choose = shop.texts.get(locale, "choose")
    views: list[dict[str, Any]] = []
    run: list[Outbound] = []
    first_seq = 0

    def flush() -> None:
        if not run:
            return
        for message in lower(list(run), caps, hint, choose).messages:
            views.append({"seq": first_seq, "who": "shop", "message": message_view(message, locale, shop.texts)})
        run.clear()

    for entry in entries:
        if entry.message is not None:
            if not run:
                first_seq = entry.seq
            run.append(entry.message)
            continue
        flush()
        views.append({"seq": entry.seq, "who": "customer", "text": entry.text or ""})
    flush()
    return views
