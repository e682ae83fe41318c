"""Preview: the same conversation as WhatsApp or WeChat would show it, their limits applied.

The chat's history holds what the web chat showed (the richest form); the core's fallback ladder
(``shop.lowered``) lowers each reply of the shop to the other messenger's capabilities, exactly as
it does before sending there. The capabilities come from the installed channel plugin
(``shop.channel_capabilities``), so a preview can never drift from what that messenger really gets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatshop.channels import Capabilities
from chatshop.messages import Outbound

from .history import Entry
from .view import message_view, shop_texts

if TYPE_CHECKING:
    from chatshop.api import Shop

__all__ = ["PREVIEW_CHANNELS", "preview_capabilities", "preview_channels", "preview_entries"]

PREVIEW_CHANNELS = ("whatsapp", "wechat")


def preview_channels(shop: Shop) -> tuple[str, ...]:
    """The messengers a preview can show: those whose channel plugin is installed."""
    return tuple(name for name in PREVIEW_CHANNELS if shop.channel_capabilities(name) is not None)


def preview_capabilities(shop: Shop, channel: str) -> Capabilities:
    """The channel plugin's own capabilities, the very numbers the core lowers to before sending."""
    capabilities = shop.channel_capabilities(channel)
    if capabilities is None:
        raise KeyError(channel)
    return capabilities


def preview_entries(shop: Shop, entries: list[Entry], channel: str, locale: str) -> list[dict[str, Any]]:
    """Lower every run of shop messages (one reply) as the other channel would get it."""
    caps = preview_capabilities(shop, channel)
    texts = shop_texts(shop)
    views: list[dict[str, Any]] = []
    run: list[Outbound] = []
    first_seq = 0

    def flush() -> None:
        if not run:
            return
        for message in shop.lowered(run, caps, locale):
            views.append({"seq": first_seq, "who": "shop", "message": message_view(message, locale, texts)})
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
