"""Every customer-facing sentence, per locale, with the shop's overrides from ``[texts.LOCALE]``.

The tables live in ``locales/*.toml`` so translators edit text, not code. A missing key falls back
to the shop's default locale and then to English, so a partial translation never shows a key name.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from chatshop.config import ConfigError, ConfigProblem

__all__ = ["Texts", "available_locales"]


@cache
def _builtin(locale: str) -> dict[str, str]:
    resource = files("chatshop").joinpath("locales", f"{locale}.toml")
    if not resource.is_file():
        return {}
    return dict(tomllib.loads(resource.read_text(encoding="utf-8")))


@cache
def available_locales() -> tuple[str, ...]:
    folder = files("chatshop").joinpath("locales")
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _unpaired(synonyms: str) -> list[str]:
    """The entries of a ``*_synonyms`` text that are not ``word=meaning``: the search would drop
    them without a word, and never find what the shop meant."""
    entries = (entry.strip() for entry in synonyms.split(","))
    return [e for e in entries if e and not all(side.strip() for side in e.partition("=")[::2])]


def _stray_brace(template: str) -> str:
    """Names the first brace ``str.format`` cannot pair (``{{`` and ``}}`` are literal braces)."""
    i = 0
    while i < len(template):
        pair = template[i : i + 2]
        if pair in ("{{", "}}"):
            i += 2
        elif template[i] == "{":
            close = template.find("}", i)
            if close < 0 or "{" in template[i + 1 : close]:
                break
            i = close + 1
        elif template[i] == "}":
            return "a '}' without its '{' (write '}}' for a brace itself)"
        else:
            i += 1
    return "a '{' without its '}' (write '{{' for a brace itself)"


def _form_problem(template: str) -> str | None:
    """Why ``template`` cannot be filled with plain values, else None.

    A stray brace or a format spec (``{shop:d}``) passes a check of names alone, then fails every
    message that uses the text, at the customer; placeholders are therefore plain ``{name}``.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return _stray_brace(template)
    for _, name, spec, conversion in parts:
        if name is not None and (spec or conversion or not name):
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            return f"placeholder {shown} must be written {{{name or 'name'}}}, with no '!' or ':'"
    return None


class Texts:
    """Looks up ``key`` for a locale and fills in ``{placeholders}``."""

    def __init__(
        self,
        default_locale: str = "en",
        overrides: dict[str, dict[str, str]] | None = None,
        plugin_texts: dict[str, dict[str, str]] | None = None,
    ):
        self.default_locale = default_locale
        self.overrides = overrides or {}
        self.plugin_texts = plugin_texts or {}
        self._check_overrides()
        # A turn looks up a dozen texts and command words: the tables never change once loaded.
        self._raw: dict[tuple[str, str], str] = {}
        self._words: dict[tuple[str, str], frozenset[str]] = {}

    def _check_overrides(self) -> None:
        english = {**self.plugin_texts.get("en", {}), **_builtin("en")}
        problems = []
        for locale, table in self.overrides.items():
            for key, value in table.items():
                path = f"texts.{locale}.{key}"
                if key not in english:
                    problems.append(ConfigProblem(path=path, message="unknown text key (see core/locales/en.toml)"))
                    continue
                form = _form_problem(value)
                if form is not None:
                    problems.append(ConfigProblem(path=path, message=form))
                    continue
                unpaired = _unpaired(value) if key.endswith("_synonyms") else []
                if unpaired:
                    shown = " and ".join(repr(p) for p in unpaired)
                    verb = "is not a word=meaning pair" if len(unpaired) == 1 else "are not word=meaning pairs"
                    problems.append(ConfigProblem(path=path, message=f"{shown} {verb} (separated by commas)"))
                    continue
                unknown = _fields(value) - _fields(english[key])
                if unknown:
                    allowed = ", ".join(sorted("{" + f + "}" for f in _fields(english[key]))) or "none"
                    problems.append(
                        ConfigProblem(path=path, message=f"unknown placeholder {sorted(unknown)}; allowed: {allowed}")
                    )
        if problems:
            raise ConfigError(problems)

    def raw(self, locale: str, key: str) -> str:
        found = self._raw.get((locale, key))
        if found is None:
            found = self._raw[(locale, key)] = self._lookup(locale, key)
        return found

    def _lookup(self, locale: str, key: str) -> str:
        for candidate in (locale, self.default_locale, "en"):
            value = (
                self.overrides.get(candidate, {}).get(key)
                or _builtin(candidate).get(key)
                or self.plugin_texts.get(candidate, {}).get(key)
            )
            if value is not None:
                return value
        raise KeyError(f"no text for {key!r}")

    def get(self, locale: str, key: str, **values: Any) -> str:
        return self.raw(locale, key).format(**values)

    def words(self, locale: str, key: str) -> frozenset[str]:
        """The command words for ``key`` (``words_menu``) in this locale and English."""
        found = self._words.get((locale, key))
        if found is None:
            words = (w.strip().casefold() for candidate in {locale, "en"} for w in self.raw(candidate, key).split(","))
            found = self._words[(locale, key)] = frozenset(w for w in words if w)
        return found

    def supported(self, locales: list[str]) -> list[str]:
        return [loc for loc in locales if loc in available_locales() or loc in self.overrides]
