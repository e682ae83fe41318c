"""Every dialog feature the plugins registered, checked once at start-up and indexed for dispatch.

A collision between two features (one choice prefix, one command key or word, one question or
step name, one inbound kind) is a start-up error naming both plugins: a shop never finds out at
the customer's first tap which of two plugins answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from chatshop.dialog.feature import (
    Action,
    AfterAnswer,
    AfterTurn,
    CheckoutStep,
    DialogFeature,
    HelpChoice,
    InboundHandler,
    Interceptor,
    Question,
)
from chatshop.messages import InboundKind
from chatshop.plugin_manager import PluginError

if TYPE_CHECKING:
    from chatshop.texts import Texts

__all__ = ["DialogError", "DialogRegistry", "Owned"]

#: A choice-id prefix: short, lower-case, no colon (the colon separates its argument).
_PREFIX_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.")


K = TypeVar("K")
T = TypeVar("T")


class DialogError(PluginError):
    """Two dialog features collide, or one is malformed; the message names the plugins."""


@dataclass(frozen=True, slots=True)
class Owned(Generic[T]):
    """A contribution and the feature that made it, for errors and logs that name the plugin."""

    feature: str
    value: T


@dataclass(slots=True)
class DialogRegistry:
    """The indexed features: what each choice prefix, command, question and inbound kind runs."""

    features: dict[str, DialogFeature] = field(default_factory=dict)
    actions: dict[str, Owned[Action]] = field(default_factory=dict)
    commands: dict[str, Owned[str]] = field(default_factory=dict)  # words key -> choice id
    labels: dict[str, Owned[str]] = field(default_factory=dict)  # title text key -> choice id
    questions: dict[str, Owned[Question]] = field(default_factory=dict)
    steps: list[Owned[CheckoutStep]] = field(default_factory=list)  # in their declared order
    interceptors: list[Owned[Interceptor]] = field(default_factory=list)  # in the order they run
    after: list[Owned[AfterAnswer]] = field(default_factory=list)  # in the order features registered
    help: list[Owned[HelpChoice]] = field(default_factory=list)  # in the order features registered
    inbound: dict[InboundKind, Owned[InboundHandler]] = field(default_factory=dict)
    after_turn: list[Owned[AfterTurn]] = field(default_factory=list)  # in the order features registered
    #: Every command word of a locale (with English's) and the choice it stands for, built once per
    #: locale: a typed message is looked up once, not against each feature's word list.
    _word_choices: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def collect(
        cls, features: Iterable[DialogFeature], texts: Texts | None = None, locales: Iterable[str] = ()
    ) -> DialogRegistry:
        registry = cls()
        for feature in features:
            registry.add(feature)
        registry.steps.sort(key=lambda owned: owned.value.order)
        registry.interceptors.sort(key=lambda owned: (owned.value.priority, owned.feature))
        if texts is not None:
            registry.check_words(texts, locales)
        return registry

    def add(self, feature: DialogFeature) -> None:
        if not isinstance(feature, DialogFeature):
            raise DialogError(f"{feature!r} registered as a dialog feature is not a DialogFeature")
        name = feature.name
        if not name or ":" in name:
            raise DialogError(f"dialog feature {name!r}: a name is required, without ':'")
        if name in self.features:
            raise DialogError(f"two plugins register the dialog feature {name!r}")
        self.features[name] = feature
        for prefix, action in feature.actions.items():
            if not prefix or not set(prefix) <= _PREFIX_CHARS:
                raise DialogError(
                    f"dialog feature {name!r}: choice prefix {prefix!r} must be lower-case letters, digits, _-."
                )
            self._claim(
                self.actions, prefix, name, action if isinstance(action, Action) else Action(action), "choice prefix"
            )
        for key, choice in feature.commands.items():
            self._claim(self.commands, key, name, choice, "command key")
        for key, choice in feature.labels.items():
            self._claim(self.labels, key, name, choice, "button label")
        for question in feature.questions:
            self._claim(self.questions, question.name, name, question, "question (conversation step)")
        for step in feature.checkout_steps:
            if (clash := next((s for s in self.steps if s.value.order == step.order), None)) is not None:
                raise DialogError(
                    f"checkout steps {clash.value.name!r} of {clash.feature!r} and {step.name!r} of {name!r} "
                    f"are both at order {step.order}"
                )
            self.steps.append(Owned(name, step))
            question = step.as_question() or Question(step.name, _not_typed, step.ask, numbers=False)
            self._claim(self.questions, step.name, name, question, "question (conversation step)")
        for interceptor in feature.interceptors:
            self.interceptors.append(Owned(name, interceptor))
        for after in feature.after:
            self.after.append(Owned(name, after))
        for offered in feature.help:
            self.help.append(Owned(name, offered))
        for kind, handler in feature.inbound.items():
            self._claim(self.inbound, InboundKind(kind), name, handler, "inbound kind")
        if feature.after_turn is not None:
            self.after_turn.append(Owned(name, feature.after_turn))

    @staticmethod
    def _claim(table: dict[K, Owned[T]], key: K, feature: str, value: T, what: str) -> None:
        if key in table:
            shown = getattr(key, "value", key)  # an InboundKind as its name
            raise DialogError(f"the {what} {shown!r} is claimed by two plugins: {table[key].feature!r} and {feature!r}")
        table[key] = Owned(feature, value)

    def check_words(self, texts: Texts, locales: Iterable[str]) -> None:
        """The same typed word in two features' commands (in one language) is an error naming both:
        the customer's "stop" must mean one thing. Words within one feature may overlap by design."""
        for locale in dict.fromkeys(("en", *locales)):
            seen: dict[str, tuple[str, str]] = {}
            for key, owned in self.commands.items():
                try:
                    words = texts.words(locale, key)
                except KeyError:
                    raise DialogError(
                        f"dialog feature {owned.feature!r}: command key {key!r} has no text "
                        "(register it with register_texts)"
                    ) from None
                for word in words:
                    other = seen.get(word)
                    if other is not None and other[0] != owned.feature:
                        raise DialogError(
                            f"the command word {word!r} ({locale}) is claimed by two plugins: "
                            f"{other[0]!r} ({other[1]}) and {owned.feature!r} ({key})"
                        )
                    seen.setdefault(word, (owned.feature, key))

    # --- lookups ---------------------------------------------------------------------------
    def action(self, prefix: str) -> Owned[Action] | None:
        return self.actions.get(prefix)

    def step_index(self, name: str) -> int | None:
        return next((i for i, owned in enumerate(self.steps) if owned.value.name == name), None)

    def command_words(self, texts: Texts, locale: str) -> dict[str, str]:
        """Each command word of ``locale`` (and English) and its choice id; where a feature lists a
        word under two of its keys, the key it registered first wins, as a scan of them would."""
        found = self._word_choices.get(locale)
        if found is None:
            found = {}
            for key, owned in self.commands.items():
                for word in texts.words(locale, key):
                    found.setdefault(word, owned.value)
            self._word_choices[locale] = found
        return found

    @property
    def step_names(self) -> frozenset[str]:
        return frozenset(owned.value.name for owned in self.steps)


def _not_typed(turn: object, text: str) -> bool:
    """A step answered by choices only: typed text is read as usual (a search, a command)."""
    return False
