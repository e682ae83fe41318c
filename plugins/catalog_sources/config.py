"""``[catalog.sources.NAME]``: where a live catalog comes from, and the names of the environment
variables that hold its credentials (never the credentials themselves: ``shop.toml`` is shared,
committed, pasted into support requests)."""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chatshop.config import ConfigError, ConfigProblem, problems_from

__all__ = ["ShopifySource", "SourceConfig", "WooCommerceSource", "source_configs"]


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The shop's address: ``https://my-shop.myshopify.com``, ``https://shop.example``.
    base_url: str = Field(min_length=1)
    #: Minutes between two refreshes (a refresh that fails keeps the last good catalog).
    refresh_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    #: Seconds after which every worker has picked up a refreshed catalog.
    follow_seconds: float = Field(default=30.0, ge=0.01, le=3600)

    @field_validator("base_url")
    @classmethod
    def _https(cls, value: str) -> str:
        """Credentials travel in every request: only over HTTPS (a loopback address is a test)."""
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname:
            return value.rstrip("/")
        if parts.scheme == "http" and _loopback(parts.hostname or ""):
            return value.rstrip("/")
        raise ValueError("must be an https:// address (the credentials go with every request)")

    def secrets(self) -> dict[str, str]:
        """``{key: environment variable}`` for each credential."""
        return {}

    def problems(self, at: str) -> list[ConfigProblem]:
        return [
            ConfigProblem(path=f"{at}.{key}", message=f"environment variable {variable} is not set")
            for key, variable in self.secrets().items()
            if not os.environ.get(variable)
        ]


class ShopifySource(SourceConfig):
    """The Shopify Admin GraphQL API, with a custom app's Admin API access token."""

    #: Environment variable holding the Admin API access token (``shpat_…``).
    token_env: str = Field(min_length=1)
    #: The Admin API version (Shopify keeps each for a year).
    api_version: str = Field(default="2025-01", pattern=r"^\d{4}-\d{2}$|^unstable$")

    def secrets(self) -> dict[str, str]:
        return {"token_env": self.token_env}


class WooCommerceSource(SourceConfig):
    """The WooCommerce REST API v3, with a read-only consumer key and secret."""

    #: Environment variables holding the consumer key (``ck_…``) and secret (``cs_…``).
    key_env: str = Field(min_length=1)
    secret_env: str = Field(min_length=1)

    def secrets(self) -> dict[str, str]:
        return {"key_env": self.key_env, "secret_env": self.secret_env}


KINDS: dict[str, type[SourceConfig]] = {"shopify": ShopifySource, "woocommerce": WooCommerceSource}


def source_configs(raw: dict[str, dict[str, Any]]) -> dict[str, SourceConfig]:
    """The validated ``[catalog.sources.*]``; :class:`ConfigError` naming every key path at fault."""
    problems: list[ConfigProblem] = []
    found: dict[str, SourceConfig] = {}
    for name, section in raw.items():
        at = f"catalog.sources.{name}"
        kind = KINDS.get(name)
        if kind is None:
            message = f"no catalog source {name!r} (known: {', '.join(sorted(KINDS))})"
            problems.append(ConfigProblem(path=at, message=message))
            continue
        try:
            config = kind.model_validate(section or {})
        except ValidationError as e:
            problems.extend(problems_from(e, prefix=at, model=kind))
            continue
        problems.extend(config.problems(at))
        found[name] = config
    if problems:
        raise ConfigError(problems)
    return found


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
