"""What the hand-over says to customers, in the built-in languages (shops override under ``[texts.LANG]``)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "words_human": "agent, human, person, talk to a person, speak to a person, real person, customer care",
        "handover_back_words": "menu, bot",
        "handover_button": "Talk to a person",
        "handover_started": "I've asked a person from {shop} to answer you: they will write here soon. "
        "Type “menu” to go back to the shop assistant.",
        "handover_not_understood": "Sorry, I keep missing what you mean. I've asked a person from {shop} to help: "
        "they will write here soon. Type “menu” to go back to the shop assistant.",
        "handover_closed": "Our team is away right now; they will answer from {when}.",
        "handover_back": "You're back with the {shop} assistant.",
        "handover_idle": "Sorry, nobody from our team could answer yet. You're back with the {shop} assistant; "
        "ask for a person again any time.",
        "handover_unavailable": "Sorry, nobody from {shop} can chat here right now.",
    },
    "de": {
        "words_human": "mensch, mitarbeiter, berater, kundenservice, mit einem menschen sprechen",
        "handover_back_words": "menü, menu, bot",
        "handover_button": "Mit Mensch sprechen",
        "handover_started": "Ich habe jemanden von {shop} gebeten, Ihnen zu antworten: Sie bekommen hier bald "
        "eine Nachricht. Schreiben Sie „Menü“, um zum Shop-Assistenten zurückzukehren.",
        "handover_not_understood": "Entschuldigung, ich verstehe Sie leider nicht. Ich habe jemanden von {shop} "
        "gebeten, Ihnen zu helfen: Sie bekommen hier bald eine Nachricht. Schreiben Sie „Menü“, um zum "
        "Shop-Assistenten zurückzukehren.",
        "handover_closed": "Unser Team ist gerade nicht da; es antwortet ab {when}.",
        "handover_back": "Sie sind wieder beim Assistenten von {shop}.",
        "handover_idle": "Leider konnte noch niemand aus unserem Team antworten. Sie sind wieder beim Assistenten "
        "von {shop}; fragen Sie jederzeit wieder nach einem Menschen.",
        "handover_unavailable": "Leider kann gerade niemand von {shop} hier chatten.",
    },
    "hi": {
        "words_human": "इंसान, व्यक्ति, एजेंट, किसी से बात करनी है, insaan, agent",
        "handover_back_words": "मेनू, मेन्यू, menu, bot",
        "handover_button": "किसी व्यक्ति से बात करें",
        "handover_started": "मैंने {shop} के किसी व्यक्ति से आपको जवाब देने को कहा है: वे जल्द ही यहाँ लिखेंगे। "
        "दुकान के सहायक पर लौटने के लिए “मेनू” लिखें।",
        "handover_not_understood": "माफ़ कीजिए, मैं आपकी बात समझ नहीं पा रहा। मैंने {shop} के किसी व्यक्ति से मदद "
        "करने को कहा है: वे जल्द ही यहाँ लिखेंगे। दुकान के सहायक पर लौटने के लिए “मेनू” लिखें।",
        "handover_closed": "हमारी टीम अभी उपलब्ध नहीं है; वे {when} से जवाब देंगे।",
        "handover_back": "आप फिर से {shop} के सहायक के साथ हैं।",
        "handover_idle": "माफ़ कीजिए, हमारी टीम से अभी कोई जवाब नहीं दे सका। आप फिर से {shop} के सहायक के साथ हैं; "
        "जब चाहें फिर से किसी व्यक्ति से बात करने को कहें।",
        "handover_unavailable": "माफ़ कीजिए, अभी {shop} से कोई यहाँ चैट नहीं कर सकता।",
    },
    "zh": {
        "words_human": "人工, 转人工, 人工客服, 客服, 真人",
        "handover_back_words": "菜单, menu",
        "handover_button": "联系人工客服",
        "handover_started": "我已请{shop}的工作人员回复您，他们很快会在这里留言。输入“菜单”可回到购物助手。",
        "handover_not_understood": "抱歉，我没能理解您的意思。我已请{shop}的工作人员来帮您，他们很快会在这里留言。"
        "输入“菜单”可回到购物助手。",
        "handover_closed": "我们的团队现在不在，将于{when}起回复。",
        "handover_back": "您已回到{shop}的购物助手。",
        "handover_idle": "抱歉，我们的团队暂时无法回复。您已回到{shop}的购物助手，随时可以再次联系人工客服。",
        "handover_unavailable": "抱歉，{shop}现在无人在线。",
    },
}
