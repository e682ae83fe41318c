"""The dispatcher: one inbound message to the dialog features that handle it.

It knows no feature of the shop. Every button, list row and numbered answer arrives as a choice id
``prefix:arg`` and runs the action its feature registered for ``prefix``; free text is read, in this
order, as a command word of the customer's language, a "next page"/"back" pick from the last menu,
the answer to the open question, a number from the last menu, a menu title typed out, and else as a
search. Text in a script only one of the shop's languages writes (牛奶, दूध) switches the customer
to that language first, unless it answers an open question (an address is written in its city's
script, whatever the customer reads). Interceptors (a person talking with the
customer) run before all of it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from chatshop.catalog import fold
from chatshop.dialog.turn import Turn
from chatshop.locales_offered import written_locale
from chatshop.messages import Inbound, InboundKind
from chatshop.words import is_cjk

#: Typed words that pick a choice of the last reply by what it is (its title in the customer's
#: language), wherever it was offered: "下一页" on any page with a "More…", "返回" wherever "Back" is.
WORD_PICKS = {"words_more": ("more",), "words_back": ("back", "back_to_menu")}

#: Choices every feature relies on: the main menu, a search with its text, and "sorry, again".
MENU, SEARCH, ABORT = "menu", "find", "abort"

#: Marks keyboards add that nobody sees: bidi marks and isolates around a number typed in a
#: right-to-left chat, zero-width spaces pasted with a word, a byte-order mark. Joiners (ZWJ, ZWNJ)
#: stay: they shape Indic and Persian words and emoji.
_INVISIBLE = re.compile("[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

#: Away this long (WhatsApp's conversation window), a customer who left a question open and writes
#: again is starting afresh: their "milk" is a search, not the answer to yesterday's question.
AWAY = timedelta(hours=24)


def number(text: str) -> int | None:
    """A menu number or quantity typed in any script: 2, २, ２, and the circled ② of Chinese keyboards
    (``int`` reads only the first three, and raised on the last). Four digits at most."""
    cleaned = text.strip().rstrip(".)")
    digits = [unicodedata.digit(c, None) for c in cleaned]
    if not cleaned or len(cleaned) > 4 or None in digits:
        return None
    return int("".join(str(d) for d in digits))


#: The largest number a choice id's argument may carry (a page, a quantity, an index): choice ids
#: are customer input, and a number past this means nothing the shop offered.
MAX_CHOICE_NUMBER = 1_000_000


def bounded_int(value: str, default: int = 0) -> int:
    """A number read from a choice id's argument, bounded: ``orders:99999999999999999999`` is a page
    the shop never offered, read as ``default`` rather than overflowing a database integer."""
    value = value.strip()
    if not value or len(value) > 7 or not value.isascii() or not value.lstrip("-").isdigit():
        return default
    parsed = int(value)
    return parsed if -MAX_CHOICE_NUMBER <= parsed <= MAX_CHOICE_NUMBER else default


#: Marks between words in a sentence (not ``\W``: Devanagari's vowel signs are no word characters).
_SENTENCE_MARKS = re.compile(r"[!?.,;:\"'“”‘’()\[\]¡¿。！？，、।…]")


def spoken(text: str) -> str:
    """A typed word as command words are listed: case-folded, single-spaced, no end punctuation."""
    return " ".join(text.casefold().strip("!.?¡¿。！？，、। ").split())


def sentence(text: str) -> str:
    """``text`` as phrases are looked for in it (:func:`phrase_in`): spoken, its marks spaces."""
    return f" {' '.join(_SENTENCE_MARKS.sub(' ', spoken(text)).split())} "


def phrase_in(phrase: str, said: str) -> bool:
    """Whether a command phrase stands in a :func:`sentence`: as whole words, or in Chinese (which
    has no spaces) anywhere."""
    return phrase in said if is_cjk(phrase[0]) else f" {phrase} " in said


async def choose(turn: Turn, choice_id: str) -> None:
    """Run the action behind ``choice_id``; an id no feature registered gets "sorry" and the menu."""
    prefix, _, arg = choice_id.partition(":")
    owned = turn.dialog.action(prefix)
    if owned is None:
        turn.misunderstood = True
        turn.say(turn.t("unknown"))
        if prefix != MENU:  # a shop without a menu feature still answers, once
            await choose(turn, MENU)
        return
    if not owned.value.in_checkout:
        turn.state.step = "idle"  # leaving checkout or a question: free text means search again
    await turn.run_as(owned.feature, owned.value.run, turn, arg)


def _labelled(turn: Turn, label: str) -> str | None:
    """The choice a button's label stands for (a title of ours, or a command word) in the
    customer's language or another of the shop's, which they are answered in from then on."""
    texts, own, dialog = turn.shop.texts, turn.state.locale, turn.dialog
    folded, word = fold(label.strip()), spoken(label)
    for code in (own, *(c for c in turn.shop.locales if c != own)):
        found = next((o.value for key, o in dialog.labels.items() if fold(texts.raw(code, key)) == folded), None)
        found = found or next((o.value for key, o in dialog.commands.items() if word in texts.words(code, key)), None)
        if found is not None:
            turn.state.locale = code
            return found
    return None


def _language_of(turn: Turn, word: str) -> str | None:
    """Another of the shop's languages whose command word ``word`` is, when the customer's own has
    no such word: 购物车 typed to a shop that greeted in English means "my cart, in Chinese"."""
    texts, own, dialog = turn.shop.texts, turn.state.locale, turn.dialog

    def known(code: str) -> bool:
        return word in dialog.command_words(texts, code) or any(word in texts.words(code, key) for key in WORD_PICKS)

    if known(own):
        return None
    return next((code for code in turn.shop.locales if code != own and known(code)), None)


async def on_text(turn: Turn, text: str) -> None:
    text = _INVISIBLE.sub("", text).strip()
    state, texts, dialog = turn.state, turn.shop.texts, turn.dialog
    word = spoken(text) or text
    question = dialog.questions.get(state.step)
    # An answer (an address, a name) is written as the place or person is, not as the customer reads.
    written = written_locale(text, turn.shop.locales, state.locale) if question is None else None
    if (language := _language_of(turn, word) or written) is not None:
        state.locale = language  # answered in the language they typed, from this reply on
    typed = number(text)
    # A number where a quantity (or a house number) is asked is the answer, not a pick from the menu.
    numbered = question is not None and typed is not None and question.value.numbers
    if numbered and question is not None and await turn.run_as(question.feature, question.value.answer, turn, text):
        return
    if await _typed_pick(turn, word):
        return
    command = dialog.command_words(texts, state.locale).get(word)
    if command is not None:
        await choose(turn, command)
        return
    if (
        question is not None
        and typed is None
        and await turn.run_as(question.feature, question.value.answer, turn, text)
    ):
        return
    if typed is not None:
        if 1 <= typed <= len(state.menu):
            await choose(turn, state.menu[typed - 1])
        elif state.menu:
            turn.misunderstood = True
            turn.say(turn.t("number_out_of_range", max=len(state.menu)))
        else:
            await choose(turn, MENU)
        return
    label = fold(text)
    if label in state.labels and len(state.labels) == len(state.menu):  # "Deutsch" typed, not its number
        await choose(turn, state.menu[state.labels.index(label)])
        return
    await choose(turn, f"{SEARCH}:{text}")


#: The shortest Chinese command read inside a sentence: two characters are one word (付款 "pay").
_CJK_PHRASE = 3


def command_in_sentence(turn: Turn, text: str) -> str | None:
    """The choice a command phrase inside ``text`` stands for ("hi, where is my order?": my
    orders), for text nothing else understood; the customer is answered in the phrase's language.

    Only phrases of two words or more (Chinese: three characters or more, as many as two words
    carry: 查订单, 购物车) are looked for, whole words, the longest first: one word alone ("stop",
    "cancel", 付款) in a sentence may mean anything ("我付款了" is "I have paid", not "pay now").
    A command that changes things (an ``Action`` ``said_alone``: empty the cart, opt out) is never
    read into a sentence, which may deny it ("please don't empty my cart")."""
    said = sentence(text)
    texts, dialog = turn.shop.texts, turn.dialog
    for code in dict.fromkeys((turn.state.locale, *turn.shop.locales)):
        phrases = dialog.command_words(texts, code)
        for phrase in sorted(phrases, key=len, reverse=True):
            action = dialog.action(phrases[phrase].partition(":")[0])
            if action is not None and action.value.said_alone:
                continue
            long_enough = len(phrase) >= _CJK_PHRASE if is_cjk(phrase[0]) else " " in phrase
            if long_enough and phrase_in(phrase, said):
                turn.state.locale = code
                return phrases[phrase]
    return None


async def _typed_pick(turn: Turn, word: str) -> bool:
    """A typed "next page" or "back" (``words_more``, ``words_back``): the matching choice of the
    last reply, whichever feature offered it. True if handled."""
    state, texts = turn.state, turn.shop.texts
    for key, titles in WORD_PICKS.items():
        if word in texts.words(state.locale, key):
            labels = {fold(turn.t(title)) for title in titles}
            picked = next((cid for cid, label in zip(state.menu, state.labels, strict=False) if label in labels), None)
            if picked is not None:
                await choose(turn, picked)
            elif key == "words_more":
                turn.say(turn.t("no_more"))
            else:
                await choose(turn, MENU)
            return True
    return False


def _back_after(turn: Turn, inbound: Inbound) -> timedelta | None:
    """How long since the customer last wrote (None the first time); remembers this message's time.
    A redelivered old message never moves the time back."""
    now = inbound.received_at or turn.shop.now()
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    try:
        last = datetime.fromisoformat(turn.state.seen_at) if turn.state.seen_at else None
    except ValueError:
        last = None
    last = last if last is None or last.tzinfo else last.replace(tzinfo=UTC)
    if last is None or now > last:
        turn.state.seen_at = now.isoformat()
    return now - last if last is not None else None


async def handle(turn: Turn, inbound: Inbound) -> None:
    """Run the dialog for one message; the replies end up in ``turn.out``."""
    turn.state.keep_features(turn.dialog.features.keys())
    if inbound.profile_name and not turn.state.name:
        turn.state.name = inbound.profile_name[:60]
    if inbound.from_customer:  # the shop's own messages say nothing of when the customer wrote
        turn.away = _back_after(turn, inbound)
    await _answer(turn, inbound)
    for owned in turn.dialog.after_turn:
        await turn.run_as(owned.feature, owned.value, turn)


async def _answer(turn: Turn, inbound: Inbound) -> None:
    """Interceptors first; else the shopping dialog, then what runs after it answered."""
    for owned in turn.dialog.interceptors:
        if await turn.run_as(owned.feature, owned.value.intercept, turn, inbound):
            return
    await _dispatch(turn, inbound)
    for after in turn.dialog.after:
        await turn.run_as(after.feature, after.value, turn, inbound)


async def _dispatch(turn: Turn, inbound: Inbound) -> None:
    handler = turn.dialog.inbound.get(inbound.kind)
    match inbound.kind:
        case InboundKind.CHOICE if inbound.choice_id:
            choice = inbound.choice_id
            if turn.dialog.action(choice.partition(":")[0]) is None and inbound.text:
                choice = _labelled(turn, inbound.text) or choice  # a button that came back as its label
            await choose(turn, choice)
        case InboundKind.TEXT:
            await on_text(turn, inbound.text or "")
        case InboundKind.MEDIA if inbound.text and inbound.text.strip():
            await on_text(turn, inbound.text)  # a photo's caption ("atta"): what the customer wrote
        case _ if handler is not None:
            await turn.run_as(handler.feature, handler.value, turn, inbound)
        case InboundKind.EVENT | InboundKind.SHOP:
            pass  # lifecycle events no feature reads (view, unsubscribe); the shop's own messages
        case _:
            turn.misunderstood = True
            turn.say(turn.t("media_reply"))
            await ask_again(turn)


async def ask_again(turn: Turn) -> None:
    """After a message the shop cannot read (a photo of the address, a sticker at the summary, an
    empty form), the question that was open is asked again: the customer stays where they were
    instead of the main menu, and a typed "1" still means the first choice they see."""
    question = turn.dialog.questions.get(turn.state.step)
    if question is None:
        await choose(turn, MENU)
        return
    await turn.run_as(question.feature, question.value.ask, turn)
