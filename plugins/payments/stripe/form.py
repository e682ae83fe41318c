"""Stripe's request bodies: form-encoded, with nesting written as ``a[b][0][c]=value``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def encode(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Flatten nested dicts and lists into Stripe's bracketed keys; None values are left out."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        key = f"{prefix}[{name}]" if prefix else str(name)
        pairs.extend(_pairs(key, value))
    return pairs


def _pairs(key: str, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return encode(value, key)
    if isinstance(value, list | tuple):
        out: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            out.extend(_pairs(f"{key}[{index}]", item))
        return out
    if isinstance(value, bool):
        return [(key, "true" if value else "false")]
    return [(key, str(value))]
