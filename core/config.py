"""``shop.toml``: one file that describes a shop, validated with every error's key path.

The core validates its own sections here. A plugin's section (``[channels.NAME]``,
``[payments.NAME]``) is kept raw and validated by the plugin's own model when the plugin is built
(:func:`validate_section`), so the core never needs to know a plugin's keys. Secrets are never in the
file: a key ending in ``_env`` names the environment variable that holds the secret.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from chatshop.money import Money, MoneyError, validate_currency

__all__ = [
    "Amount",
    "ConfigError",
    "ConfigProblem",
    "ShopConfig",
    "load_config",
    "read_secret",
    "validate_section",
]


class ConfigProblem(BaseModel):
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """``shop.toml`` is not usable; ``problems`` lists every mistake with its key path."""

    def __init__(self, problems: list[ConfigProblem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f"{source}: " if source else ""
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{where}{len(problems)} problem(s) in the shop configuration\n{lines}")


def format_path(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """``("catalog", "products", 3, "price")`` becomes ``catalog.products[3].price``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def problems_from(error: ValidationError, prefix: str = "") -> list[ConfigProblem]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see the shop.toml reference in the README)"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append(ConfigProblem(path=format_path(tuple(item["loc"]), prefix), message=message))
    return problems


def _to_money(value: Any, info: ValidationInfo) -> Money:
    currency = (info.context or {}).get("currency", "XXX")
    if isinstance(value, Money):
        return value
    try:
        amount = Money.parse(value, currency)
    except MoneyError as e:
        raise ValueError(str(e)) from None
    if amount.minor < 0:
        raise ValueError("must not be negative")
    return amount


#: An amount in the shop's currency, written as a string or a number and kept exact.
Amount = Annotated[Money, BeforeValidator(_to_money)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class ShopSection(_Section):
    name: str = Field(min_length=1)
    currency: str = "INR"
    locale: str = "en"
    locales: list[str] = Field(default_factory=lambda: ["en", "de"])
    support_contact: str | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return validate_currency(value)
        except MoneyError as e:
            raise ValueError(str(e)) from None


class StorageSection(_Section):
    url: str = "sqlite:///shop.db"
    #: Days handled messages and sent replies are kept (messengers redeliver for up to a few days).
    retention_days: int = Field(default=7, ge=1, le=3650)

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "sqlite://:memory:", "postgresql://", "postgres://")):
            raise ValueError("expected sqlite:///PATH or postgresql://USER@HOST/DB")
        return value


class ServerSection(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str | None = None
    workers_per_process: int = Field(default=64, ge=1, le=10_000)
    #: First retry delay of a failed send; doubles per attempt (with jitter), up to five minutes.
    retry_base_seconds: float = Field(default=1.0, gt=0, le=60)
    #: How often unsent replies, unhandled messages and expired payments are looked for.
    sweep_seconds: float = Field(default=15.0, gt=0, le=3600)
    #: How long a worker's hold on a customer lasts unless renewed: after a crash, another worker
    #: takes that customer's messages and replies over once this has passed.
    lease_seconds: float = Field(default=30.0, gt=0, le=3600)


class ProductEntry(_Section):
    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._\-]+$")
    title: str = Field(min_length=1)
    price: Amount
    category: str = "Other"
    stock: int | None = Field(default=None, ge=0)
    description: str = ""
    image_url: str | None = None
    url: str | None = None


class CatalogSection(_Section):
    file: str | None = None
    products: list[ProductEntry] = Field(default_factory=list)


class DeliverySection(_Section):
    fee: Amount | None = None
    free_above: Amount | None = None
    areas: list[str] = Field(default_factory=list)

    @field_validator("areas")
    @classmethod
    def _areas(cls, value: list[str]) -> list[str]:
        return [a.strip().upper().replace(" ", "") for a in value]


class PluginsSection(_Section):
    modules: list[str] = Field(default_factory=list)


class AdminSection(_Section):
    token_env: str | None = None
    session_secret_env: str | None = None


class ShopConfig(_Section):
    """The whole ``shop.toml``. Plugin sections stay raw until their plugin validates them."""

    shop: ShopSection
    storage: StorageSection = Field(default_factory=StorageSection)
    server: ServerSection = Field(default_factory=ServerSection)
    catalog: CatalogSection = Field(default_factory=CatalogSection)
    delivery: DeliverySection = Field(default_factory=DeliverySection)
    payments: dict[str, dict[str, Any]] = Field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    plugins: PluginsSection = Field(default_factory=PluginsSection)
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)
    admin: AdminSection = Field(default_factory=AdminSection)

    #: The folder of the TOML file; relative paths in it (catalog, keys, database) start here.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def money(self, value: Any) -> Money:
        return Money.parse(value, self.shop.currency)


def _currency_of(data: Mapping[str, Any]) -> str:
    shop = data.get("shop")
    raw = shop.get("currency", "INR") if isinstance(shop, Mapping) else "INR"
    try:
        return validate_currency(str(raw))
    except MoneyError:
        return "XXX"


def parse_config(data: Mapping[str, Any], base_dir: Path | None = None) -> ShopConfig:
    """Validate already-parsed TOML; raise :class:`ConfigError` with every problem."""
    context = {"currency": _currency_of(data)}
    payload = dict(data)
    payload["base_dir"] = base_dir or Path.cwd()
    try:
        return ShopConfig.model_validate(payload, context=context)
    except ValidationError as e:
        raise ConfigError(problems_from(e)) from None


def load_config(path: str | Path) -> ShopConfig:
    """Read and validate ``shop.toml``. Numbers are read as ``Decimal`` so money stays exact."""
    file = Path(path)
    try:
        with file.open("rb") as f:
            data = tomllib.load(f, parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path="", message=f"no such file: {file}")]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([ConfigProblem(path="", message=f"not valid TOML: {e}")], str(file)) from None
    try:
        return parse_config(data, base_dir=file.resolve().parent)
    except ConfigError as e:
        raise ConfigError(e.problems, str(file)) from None


SectionModel = TypeVar("SectionModel", bound=BaseModel)


def validate_section(model: type[SectionModel], data: Mapping[str, Any], path: str, currency: str) -> SectionModel:
    """Validate a plugin's section with the plugin's model; errors carry the section's key path.

    Every ``*_env`` key must name a set environment variable, so a missing secret is a start-up
    error rather than a failure at the first customer's message.
    """
    try:
        section = model.model_validate(dict(data), context={"currency": currency})
    except ValidationError as e:
        raise ConfigError(problems_from(e, prefix=path)) from None
    problems = [
        ConfigProblem(path=f"{path}.{key}", message=f"environment variable {var} is not set")
        for key, var in _env_keys(section)
        if not os.environ.get(var)
    ]
    if problems:
        raise ConfigError(problems)
    return section


def _env_keys(section: BaseModel) -> Iterator[tuple[str, str]]:
    for key in type(section).model_fields:
        value = getattr(section, key)
        if key.endswith("_env") and isinstance(value, str) and value:
            yield key, value


def read_secret(variable: str) -> str:
    """The secret in environment variable ``variable``; validated present at start-up."""
    value = os.environ.get(variable)
    if not value:
        raise ConfigError([ConfigProblem(path="", message=f"environment variable {variable} is not set")])
    return value
