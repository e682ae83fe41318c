"""The words of the default custom menu, per locale: a Chinese shop's menu bar says 商店, not "Shop".

A top button's name fits in 16 bytes (5 Chinese characters, 5 Devanagari letters and signs), a
sub-button's in 60; a shop's own words (``[texts.zh] wechat_menu_shop``) are checked the same way.
"""

from __future__ import annotations

__all__ = ["TEXTS"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "wechat_menu_shop": "Shop",
        "wechat_menu_cart": "Cart",
        "wechat_menu_more": "More",
        "wechat_menu_orders": "My orders",
        "wechat_menu_help": "Help",
    },
    "de": {
        "wechat_menu_shop": "Laden",
        "wechat_menu_cart": "Warenkorb",
        "wechat_menu_more": "Mehr",
        "wechat_menu_orders": "Meine Bestellungen",
        "wechat_menu_help": "Hilfe",
    },
    "hi": {
        "wechat_menu_shop": "दुकान",
        "wechat_menu_cart": "कार्ट",
        "wechat_menu_more": "और",
        "wechat_menu_orders": "मेरे ऑर्डर",
        "wechat_menu_help": "मदद",
    },
    "zh": {
        "wechat_menu_shop": "商店",
        "wechat_menu_cart": "购物车",
        "wechat_menu_more": "更多",
        "wechat_menu_orders": "我的订单",
        "wechat_menu_help": "帮助",
    },
}
