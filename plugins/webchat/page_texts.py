"""The few words of the chat page itself (the shop's messages come translated from the core)."""

from __future__ import annotations

__all__ = ["page_texts"]

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "connecting": "connecting…",
        "online": "online",
        "reconnecting": "reconnecting…",
        "view_as": "View as",
        "web_chat": "Web chat",
        "preview_whatsapp": "WhatsApp preview",
        "preview_wechat": "WeChat preview",
        "preview_label": "Preview the conversation as another messenger",
        "notice": "Preview: this is how the same conversation looks with that messenger's limits. "
        "Switch back to the web chat to keep shopping.",
        "placeholder": "Type a message, a product or a number…",
        "message": "Message",
        "send": "Send",
        "more": "More about this product",
        "pay": "Pay {total}",
        "total": "Total",
        "order": "Order {number}",
        "preview_unavailable": "preview unavailable",
        "needs_js": "The chat needs JavaScript.",
        "slow_down": "Too many messages at once: wait a few seconds, then send it again.",
    },
    "de": {
        "connecting": "verbinde…",
        "online": "online",
        "reconnecting": "verbinde neu…",
        "view_as": "Ansicht",
        "web_chat": "Web-Chat",
        "preview_whatsapp": "WhatsApp-Vorschau",
        "preview_wechat": "WeChat-Vorschau",
        "preview_label": "Das Gespräch als anderer Messenger ansehen",
        "notice": "Vorschau: So sieht dasselbe Gespräch mit den Grenzen dieses Messengers aus. "
        "Zum Weiterkaufen zurück zum Web-Chat wechseln.",
        "placeholder": "Nachricht, Produkt oder Nummer eingeben…",
        "message": "Nachricht",
        "send": "Senden",
        "more": "Mehr zum Produkt",
        "pay": "{total} bezahlen",
        "total": "Summe",
        "order": "Bestellung {number}",
        "preview_unavailable": "Vorschau nicht verfügbar",
        "needs_js": "Der Chat braucht JavaScript.",
        "slow_down": "Zu viele Nachrichten auf einmal: ein paar Sekunden warten, dann erneut senden.",
    },
    "hi": {
        "connecting": "कनेक्ट हो रहा है…",
        "online": "ऑनलाइन",
        "reconnecting": "फिर से कनेक्ट हो रहा है…",
        "view_as": "ऐसे देखें",
        "web_chat": "वेब चैट",
        "preview_whatsapp": "WhatsApp पूर्वावलोकन",
        "preview_wechat": "WeChat पूर्वावलोकन",
        "preview_label": "बातचीत को दूसरे मैसेंजर की तरह देखें",
        "notice": "पूर्वावलोकन: उस मैसेंजर की सीमाओं के साथ यही बातचीत ऐसी दिखती है। ख़रीदारी जारी रखने के लिए वेब चैट पर लौटें।",
        "placeholder": "संदेश, उत्पाद या नंबर लिखें…",
        "message": "संदेश",
        "send": "भेजें",
        "more": "उत्पाद के बारे में और",
        "pay": "{total} भुगतान करें",
        "total": "कुल",
        "order": "ऑर्डर {number}",
        "preview_unavailable": "पूर्वावलोकन उपलब्ध नहीं",
        "needs_js": "चैट के लिए JavaScript चाहिए।",
        "slow_down": "एक साथ बहुत सारे संदेश: कुछ सेकंड रुकें, फिर दोबारा भेजें।",
    },
    "zh": {
        "connecting": "连接中…",
        "online": "在线",
        "reconnecting": "重新连接中…",
        "view_as": "查看方式",
        "web_chat": "网页聊天",
        "preview_whatsapp": "WhatsApp 预览",
        "preview_wechat": "微信预览",
        "preview_label": "以其他通讯软件的样子查看对话",
        "notice": "预览：这是同一对话在该通讯软件限制下的样子。切换回网页聊天以继续购物。",
        "placeholder": "输入消息、商品或编号…",
        "message": "消息",
        "send": "发送",
        "more": "查看商品详情",
        "pay": "支付 {total}",
        "total": "合计",
        "order": "订单 {number}",
        "preview_unavailable": "预览不可用",
        "needs_js": "聊天需要 JavaScript。",
        "slow_down": "消息太多了：请稍等几秒钟再发送。",
    },
}


def page_texts(locale: str) -> dict[str, str]:
    """The page's words in ``locale`` (its language part), English where there is no translation."""
    language = locale.split("-")[0].split("_")[0].lower()
    return {**_TEXTS["en"], **_TEXTS.get(language, {})}
