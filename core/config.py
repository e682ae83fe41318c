"""``shop.toml``: one file that describes a shop, validated with every error's key path.

The core validates its own sections here. A plugin's section (``[channels.NAME]``,
``[payments.NAME]``) is kept raw and validated by the plugin's own model when the plugin is built
(:func:`validate_section`), so the core never needs to know a plugin's keys. Secrets are never in the
file: a key ending in ``_env`` names the environment variable that holds the secret.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import typing
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

try:  # tomllib's own code, compiled: a shop.toml of 50,000 products reads in 1 s, not 3
    import tomli as toml
except ImportError:  # pragma: no cover (tomli is a dependency; tomllib reads the same)
    import tomllib as toml  # type: ignore[no-redef]

from chatshop.addresses import networks
from chatshop.catalog_gc import collector_paused
from chatshop.catalog_quick import quick_entry, variants_plainly_right
from chatshop.hours import DAYS, parse_ranges, zone
from chatshop.money import Money, MoneyError, validate_currency
from chatshop.orders import OrderStatus
from chatshop.shoptime import zone_problem

__all__ = [
    "Amount",
    "ConfigError",
    "ConfigProblem",
    "SecretNames",
    "ShopConfig",
    "code_as_text",
    "load_config",
    "read_secret",
    "read_secrets",
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


def problems_from(
    error: ValidationError, prefix: str = "", model: type[BaseModel] | None = None, docs: str | None = None
) -> list[ConfigProblem]:
    """Pydantic's errors as key paths; with ``model``, an unknown key names the known key it
    resembles; with ``docs``, where the plugin that owns the section documents its keys."""
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key" + _did_you_mean(model, loc) + _known_keys(model, loc, prefix)
            if docs:
                message += f"; see {docs}"
        elif item["type"] == "missing":
            message = "required key is missing" + _what_it_is(model, loc)
        problems.append(ConfigProblem(path=format_path(loc, prefix), message=message))
    return problems


def _did_you_mean(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """``[catalogue]`` or ``[Shop]``: a shop owner's typo deserves the right spelling, not a search."""
    section = _model_at(model, loc[:-1]) if model is not None else None
    if section is None or not loc or not isinstance(loc[-1], str):
        return ""
    known = [name for name, field in section.model_fields.items() if not field.exclude]
    typed = loc[-1]
    close = [k for k in known if k.lower() == typed.lower()] or difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _what_it_is(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """A required key's description (``Field(description=...)``), so the owner knows what to write."""
    section = _model_at(model, loc[:-1]) if model is not None else None
    field = section.model_fields.get(loc[-1]) if section is not None and loc and isinstance(loc[-1], str) else None
    return f": {field.description}" if field is not None and field.description else ""


def _known_keys(model: type[BaseModel] | None, loc: tuple[int | str, ...], prefix: str) -> str:
    """Where to read about the keys: the README for the core's sections; for a plugin's section (the
    core's README does not know it), the keys its model has."""
    if not prefix:
        return " (see the shop.toml reference in the README)"
    section = _model_at(model, loc[:-1]) if model is not None else None
    if section is None:
        return f" (see the documentation of the plugin that provides [{prefix}])"
    known = sorted(name for name, field in section.model_fields.items() if not field.exclude)
    where = format_path(tuple(part for part in loc[:-1]), prefix)
    return f" ([{where}] has: {', '.join(known)})" if known else f" ([{where}] takes no keys)"


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue  # an index into a list of the same model
        field = current.model_fields.get(part) if current is not None else None
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


#: Keys that hold a length of time. Pydantic's ``float`` takes ``inf``, ``nan`` and (without a
#: bound) negative numbers, which would wait forever or fail at the first retry; so every such key,
#: in the core's sections and in every plugin's, must be a finite number that is not negative.
DURATION_SUFFIXES = ("_seconds", "_minutes", "_hours", "_days")
#: The longest any of them may be, per unit: ten years. Nothing in a shop waits that long, and a
#: typo such as ``1e12`` would otherwise stall a retry or a timeout for good.
LONGEST_DURATION = {"_seconds": 10 * 365 * 86400, "_minutes": 10 * 365 * 1440, "_hours": 10 * 365 * 24, "_days": 3650}


def duration_problems(section: BaseModel, path: str = "") -> list[ConfigProblem]:
    """Every negative or non-finite duration in ``section`` (and its sub-sections), with its key path."""
    problems = []
    for key, field in type(section).model_fields.items():
        if field.exclude:
            continue
        value = getattr(section, key)
        where = f"{path}.{key}" if path else key
        if isinstance(value, BaseModel):
            problems.extend(duration_problems(value, where))
        elif key.endswith(DURATION_SUFFIXES):
            many = isinstance(value, list | tuple)
            for i, item in enumerate(value if many else [value]):
                at = f"{where}[{i}]" if many else where
                if _bad_duration(item):
                    message = f"{_shown(item)} is not a duration: expected a finite number, 0 or more"
                    problems.append(ConfigProblem(path=at, message=message))
                elif _longer_than(item, LONGEST_DURATION[suffix := key[key.rindex("_") :]]):
                    message = f"{_shown(item)} {suffix[1:]} is more than ten years: expected a shorter wait"
                    problems.append(ConfigProblem(path=at, message=message))
    return problems


def _longer_than(value: Any, limit: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | Decimal) and float(value) > limit


def _bad_duration(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    try:
        number = float(value)
    except (ValueError, OverflowError):  # a signalling NaN
        return True
    return not math.isfinite(number) or number < 0


def _shown(value: Any) -> str:
    return repr(str(value)) if isinstance(value, Decimal) else repr(value)


def _to_money(value: Any, info: ValidationInfo) -> Money:
    currency = (info.context or {}).get("currency", "XXX")
    if isinstance(value, Money):
        return value
    try:
        amount = Money.parse(value, currency)
    except MoneyError as e:
        # TOML numbers arrive as Decimal: say '12.345' as the owner wrote it, not Decimal('12.345').
        raise ValueError(str(e).replace(repr(value), _shown(value))) from None
    if amount.minor < 0:
        raise ValueError("must not be negative")
    return amount


#: An amount in the shop's currency, written as a string or a number and kept exact.
Amount = Annotated[Money, BeforeValidator(_to_money)]


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


#: The environment variable holding a secret, or a list of them: the current secret first, then
#: ones still accepted while a rotation settles (a provider retries older events signed with the
#: secret it had then). ``webhook_secret_env = ["RAZORPAY_WEBHOOK_SECRET", "RAZORPAY_WEBHOOK_SECRET_OLD"]``
SecretNames = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_names), Field(min_length=1)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class ShopSection(_Section):
    name: str = Field(min_length=1)
    #: No default: a shop that forgot it would sell in whatever currency the default named (a
    #: German shop charging rupees), with every price in the file read in it.
    currency: str = Field(description="the currency customers pay in, an ISO 4217 code such as 'EUR' or 'INR'")
    locale: str = "en"
    locales: list[str] = Field(default_factory=lambda: ["en", "de"])
    support_contact: str | None = None
    #: The shop's time zone (IANA, such as "Asia/Kolkata"): times shown to customers and staff, the
    #: dashboard's days, quiet hours, delivery slots, the days a coupon is valid, the invoice year.
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        problem = zone_problem(value.strip())
        if problem:
            raise ValueError(problem)
        return value.strip()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank: customers see it in the welcome")
        return value.strip()

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
    #: Orders older than this many years lose their customer (id, address, contact name, location):
    #: what was sold, for how much and when stays. Off (kept whole) by default; how long invoices
    #: must be kept is the shop's legal decision (docs/privacy.md).
    order_retention_years: int | None = Field(default=None, ge=1, le=100)

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "sqlite://:memory:", "postgresql://", "postgres://")):
            raise ValueError("expected sqlite:///PATH or postgresql://USER@HOST/DB")
        if value.startswith("sqlite:///") and value.endswith("/"):
            raise ValueError(f"{value!r} names a folder, not a database file: expected sqlite:///shop.db")
        return value


class ServerSection(_Section):
    host: str = Field(default="127.0.0.1", min_length=1)
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
    #: How long a reply that keeps failing (the messenger throttles it or errs on it) is retried
    #: before it is given up, with an alert, so that the customer's later replies are not held
    #: behind it for good. A messenger that is down for less than this loses nothing; replies held
    #: by a revoked token (sending halted until an operator acts) are never given up.
    give_up_sending_seconds: float = Field(default=6 * 3600.0, gt=0)
    #: Reverse proxies (addresses or networks) whose ``X-Forwarded-For`` names the client: the
    #: dashboard's login throttle and its logs then see each visitor, not the proxy. Empty: the
    #: header is ignored (anyone could write it).
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        networks(value)
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        # Webhook addresses, payment return pages and the Secure cookie flag are all built from it.
        if value is not None and not re.match(r"^https?://[^/\s?#]+(/\S*)?$", value):
            raise ValueError("expected an address such as https://shop.example.com")
        return value


_SKU = re.compile(r"[A-Za-z0-9._\-]+")
#: Options a product may have (weight, size, colour): what the customer picks, one after another.
MAX_OPTIONS = 3
#: Values one option may have: with "Back" they fit the single list message (10 rows) a customer picks from.
MAX_OPTION_VALUES = 9


def _sku(value: str) -> str:
    if not _SKU.fullmatch(value):
        raise ValueError(f"{value!r}: a product id (SKU) may hold only letters, digits and . _ -")
    return value


class VariantEntry(_Section):
    """One thing the customer can buy of a product: its own SKU, price and stock."""

    id: Annotated[str, Field(min_length=1, max_length=100)]
    values: list[Annotated[str, BeforeValidator(code_as_text)]] = Field(default_factory=list)
    price: Amount
    stock: int | None = Field(default=None, ge=0)
    image_url: str | None = None

    _id = field_validator("id")(_sku)


class ProductEntry(_Section):
    id: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1)
    price: Amount | None = None  # required unless the product has variants (each has its price)
    category: str = "Other"
    stock: int | None = Field(default=None, ge=0)
    description: str = ""
    image_url: str | None = None
    url: str | None = None
    options: list[str] = Field(default_factory=list)
    variants: list[VariantEntry] = Field(default_factory=list)

    _id = field_validator("id")(_sku)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


def variant_problems(entry: ProductEntry, where: str, column: dict[str, str] | None = None) -> list[ConfigProblem]:
    """What is wrong with a product's options and variants, each at its key path.

    ``column`` renames the keys for a file whose columns are named otherwise (a CSV's ``option2``).
    """

    def at(path: str) -> str:
        return f"{where}.{(column or {}).get(path, path)}"

    problems: list[ConfigProblem] = []
    options = [name.strip() for name in entry.options]
    if not entry.variants:
        if entry.price is None:
            problems.append(ConfigProblem(path=at("price"), message="required key is missing"))
        if options:
            problems.append(ConfigProblem(path=at("variants"), message="options need variants: what is bought"))
        return problems
    if entry.price is not None:
        problems.append(ConfigProblem(path=at("price"), message="a product with variants has its prices there"))
    if entry.stock is not None:
        problems.append(ConfigProblem(path=at("stock"), message="a product with variants has its stock there"))
    if not options:
        message = 'variants need options: the names of what the customer picks, such as options = ["Weight"]'
        problems.append(ConfigProblem(path=at("options"), message=message))
        return problems
    if len(options) > MAX_OPTIONS:
        message = f"{len(options)} options; at most {MAX_OPTIONS} (the customer picks each in turn)"
        problems.append(ConfigProblem(path=at("options"), message=message))
    for i, name in enumerate(options):
        if not name:
            problems.append(ConfigProblem(path=at(f"options[{i}]"), message="must not be blank"))
        elif name.casefold() in (o.casefold() for o in options[:i]):
            problems.append(ConfigProblem(path=at(f"options[{i}]"), message=f"{name!r} is named twice"))
    seen: dict[tuple[str, ...], int] = {}
    for v, variant in enumerate(entry.variants):
        values = [value.strip() for value in variant.values]
        if len(values) != len(options):
            missing = options[len(values) :]
            message = (
                f"no value for {', '.join(repr(m) for m in missing)}: one value per option ({', '.join(options)})"
                if missing
                else f"{len(values)} values for {len(options)} option(s) ({', '.join(options)})"
            )
            problems.append(ConfigProblem(path=at(f"variants[{v}].values"), message=message))
            continue
        for j, value in enumerate(values):
            if not value:
                problems.append(ConfigProblem(path=at(f"variants[{v}].values[{j}]"), message="must not be blank"))
        key = tuple(value.casefold() for value in values)
        if key in seen:
            message = f"the same {', '.join(values)} as variants[{seen[key]}]"
            problems.append(ConfigProblem(path=at(f"variants[{v}].values"), message=message))
        seen.setdefault(key, v)
    for j, name in enumerate(options):
        distinct = {tuple(v.values)[j].strip().casefold() for v in entry.variants if len(v.values) > j}
        if len(distinct) > MAX_OPTION_VALUES:
            message = (
                f"{name!r} has {len(distinct)} values; at most {MAX_OPTION_VALUES} fit the one list a customer"
                " picks from (split the product, or add an option)"
            )
            problems.append(ConfigProblem(path=at(f"options[{j}]"), message=message))
    return problems


def _products_quickly(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """Inline products that are plainly right are built the quick way (:mod:`chatshop.catalog_quick`);
    if any one is not, the model validates them all, naming each problem at its key path."""
    currency = (info.context or {}).get("currency")
    if type(value) is list and currency is not None:
        entries = [quick_entry(item, currency) if type(item) is dict else None for item in value]
        if all(entry is not None for entry in entries):
            return entries
    return handler(value)


class CatalogSection(_Section):
    file: str | None = None
    products: Annotated[list[ProductEntry], WrapValidator(_products_quickly)] = Field(default_factory=list)
    #: ``[catalog.sources.shopify]``, ``[catalog.sources.woocommerce]``: live sources, read at
    #: start-up and refreshed on a schedule; each stays raw until its plugin validates it.
    sources: dict[str, dict[str, Any]] = Field(default_factory=dict)


def code_as_text(value: Any) -> Any:
    """``areas = [400050]``: a postal code written as a TOML number is still that postal code."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class SlotsSection(_Section):
    """``[delivery.slots]``: the delivery windows a customer picks from at checkout, in the shop's time zone."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    #: ``"09:00-12:00"``: each window on each of the days is one slot.
    windows: list[str] = Field(min_length=1, max_length=24)
    #: Orders one slot takes; a full slot is not offered.
    capacity: int = Field(ge=1, le=100_000)
    #: A slot is no longer offered this long before it starts.
    cutoff_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    #: How many days ahead slots are offered (today included).
    days_ahead: int = Field(default=3, ge=1, le=30)
    #: Days without delivery (holidays).
    closed: list[date] = Field(default_factory=list)

    @field_validator("windows")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        for window in value:
            parse_window(window)
        if len(set(value)) != len(value):
            raise ValueError("a window is listed twice")
        return value

    def parsed(self) -> list[tuple[time, time]]:
        return [parse_window(w) for w in self.windows]


def parse_window(window: str) -> tuple[time, time]:
    """``"09:00-12:00"`` as two times; a window that ends before it starts is an error."""
    match = _WINDOW.match(window) if isinstance(window, str) else None
    if match is None:
        raise ValueError(f"{window!r}: expected a window such as '09:00-12:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 23, 59
    if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
        raise ValueError(f"{window!r}: not a time of day")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f"{window!r} ends before it starts")
    return start, end


class DeliverySection(_Section):
    fee: Amount | None = None
    free_above: Amount | None = None
    areas: list[Annotated[str, BeforeValidator(code_as_text)]] = Field(default_factory=list)
    slots: SlotsSection | None = None

    @field_validator("areas")
    @classmethod
    def _areas(cls, value: list[str]) -> list[str]:
        return [a.strip().upper().replace(" ", "") for a in value]


#: What a customer may type as a coupon code, once spaces are gone and letters upper-cased.
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_\-]{2,31}$")


def normalize_code(text: str) -> str:
    """A coupon code as the shop compares it: no spaces anywhere, upper case (" sommer 10 " is SOMMER10)."""
    return "".join(text.split()).upper()


Percent = Annotated[Decimal, Field(gt=0, le=100)]


class DiscountEntry(_Section):
    """One ``[[discounts]]``: a coupon code (``code``) or, without one, an automatic discount."""

    code: str | None = None
    #: Shown to customers; required for an automatic discount ("5% off when you pay online").
    name: str | None = Field(default=None, min_length=1, max_length=60)
    percent: Percent | None = None
    amount: Amount | None = None
    #: The order (its products, before fees) must come to at least this.
    min_total: Amount | None = None
    #: The first and last day (or moment) it is valid, in the shop's time zone.
    valid_from: date | datetime | None = None
    valid_until: date | datetime | None = None
    max_uses: int | None = Field(default=None, ge=1)
    max_uses_per_customer: int | None = Field(default=None, ge=1)
    #: Only these categories or products count towards it (and are discounted); none: the whole order.
    categories: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    #: Whether it adds up with other discounts; otherwise the customer gets the better of the two.
    combinable: bool = False
    #: Only when paying so: ``"online"`` (any online method) or method names such as ``"cod"``.
    payment_methods: list[str] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = normalize_code(value)
        if not _CODE.match(code) or not any(c.isalpha() for c in code):
            raise ValueError(
                f"{value!r}: a code is 3 to 32 letters, digits, - and _, with at least one letter (such as 'SOMMER10')"
            )
        return code

    @model_validator(mode="after")
    def _consistent(self) -> DiscountEntry:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give either percent or amount")
        if self.code is None and self.name is None:
            raise ValueError("an automatic discount (no code) needs a name customers see")
        if self.amount is not None:
            if self.amount.minor <= 0:
                raise ValueError("amount must be more than 0")
            if self.min_total is None or self.min_total < self.amount:
                floor = self.min_total.decimal if self.min_total is not None else "none"
                raise ValueError(
                    f"amount {self.amount.decimal} is larger than an order may be (min_total: {floor}): "
                    f"set min_total to at least {self.amount.decimal}"
                )
        start, end = self.valid_from, self.valid_until
        if start is not None and end is not None and _day_of(end) < _day_of(start):
            raise ValueError(f"valid_until {end} is before valid_from {start}")
        return self

    @property
    def key(self) -> str:
        """Its identity in counts and on orders: the code, or ``auto:<name>``."""
        return self.code or f"auto:{self.name}"


def _day_of(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


class TaxRateEntry(_Section):
    """One ``[[tax.rates]]``: the rate (and India's HSN code) of some categories or products."""

    rate: Annotated[Decimal, Field(ge=0, le=100)]
    categories: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    #: India: the HSN (goods) or SAC (services) code printed on the invoice.
    hsn: str | None = Field(default=None, pattern=r"^[0-9]{4,8}$")

    @model_validator(mode="after")
    def _targets(self) -> TaxRateEntry:
        if not self.categories and not self.products:
            raise ValueError("name the categories or products this rate is for")
        return self


class TaxSection(_Section):
    """``[tax]``: how prices carry tax. EU VAT is included in prices; India's GST and US sales tax
    are added on top."""

    prices: Literal["inclusive", "exclusive"]
    #: The rate of everything no ``[[tax.rates]]`` names, in percent.
    rate: Annotated[Decimal, Field(ge=0, le=100)]
    #: ``vat`` (EU), ``gst`` (India: CGST+SGST within the shop's state, IGST across) or ``sales_tax``.
    system: Literal["vat", "gst", "sales_tax"] | None = None
    #: Round each line's tax, or each rate's total (the usual way on an EU invoice).
    rounding: Literal["line", "total"] = "total"
    #: India: the state the shop is registered in (its GSTIN's), as a code such as "MH" or "27".
    home_state: str | None = None
    #: The rate of delivery and payment fees; absent: ``rate``.
    fees_rate: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    #: India: the SAC code of delivery charges on the invoice.
    fees_hsn: str | None = Field(default=None, pattern=r"^[0-9]{4,8}$")
    #: India: the HSN code of products no ``[[tax.rates]]`` entry gives one.
    hsn: str | None = Field(default=None, pattern=r"^[0-9]{4,8}$")
    rates: list[TaxRateEntry] = Field(default_factory=list)


_URL = re.compile(r"^https?://[^/\s?#]+(/\S*)?$")


class LegalSection(_Section):
    """``[legal]``: who sells, and the pages the law wants a customer to see before ordering."""

    seller_name: str | None = Field(default=None, min_length=1, max_length=200)
    seller_address: str | None = Field(default=None, min_length=1, max_length=500)
    seller_contact: str | None = Field(default=None, min_length=1, max_length=200)
    #: EU: the VAT identification number (USt-IdNr.), or the national tax number.
    vat_id: str | None = Field(default=None, min_length=4, max_length=20)
    tax_number: str | None = Field(default=None, min_length=4, max_length=30)
    #: India: the seller's GST identification number.
    gstin: str | None = Field(default=None, pattern=r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
    terms_url: str | None = None
    withdrawal_url: str | None = None
    imprint_url: str | None = None
    privacy_url: str | None = None
    #: India (Consumer Protection (E-Commerce) Rules 2020): the grievance officer.
    grievance_officer_name: str | None = Field(default=None, min_length=1, max_length=200)
    grievance_officer_contact: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("terms_url", "withdrawal_url", "imprint_url", "privacy_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not _URL.match(value):
            raise ValueError("expected an address such as https://shop.example.com/terms")
        return value


class InvoicesSection(_Section):
    """``[invoices]``: a tax invoice (PDF) for every paid or delivered order."""

    #: Before the year in the number ("RE" gives RE2026-00001); letters, digits, - and /.
    prefix: str = Field(default="", max_length=6, pattern=r"^[A-Za-z0-9/\-]*$")
    #: Before the year in a credit note's number, a series of its own ("CN" gives CN2026-00001).
    credit_note_prefix: str = Field(default="CN", min_length=1, max_length=6, pattern=r"^[A-Za-z0-9/\-]*$")
    #: The month the numbering year starts: 1 (calendar year), 4 for India's April-March year.
    year_starts_month: int = Field(default=1, ge=1, le=12)
    #: A TrueType font with the shop's letters (₹, Devanagari, 中文); absent: DejaVu Sans where installed.
    font_file: str | None = None


class AddressesSection(_Section):
    """``[addresses]``: delivery addresses remembered for the next checkout, with the customer's consent."""

    #: How many a customer's list keeps; 0 (the default): addresses are neither offered nor asked to be saved.
    remember: int = Field(default=0, ge=0, le=10)
    #: Forgotten this long after last used (``chatshop forget`` erases them at once).
    keep_days: int = Field(default=365, ge=1, le=3650)
def _wall_time(value: Any) -> Any:
    """``"21:00"``: a time of day on the shop's clock (``[shop] timezone``)."""
    if isinstance(value, str) and re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value.strip()):
        return value.strip()
    raise ValueError(f"{value!r} is not a time of day: expected HH:MM, such as '21:00'")


class RemindersSection(_Section):
    """What the shop sends on its own initiative: cart reminders, back-in-stock notes, and when not."""

    #: Remind a customer of a cart left with items this long (once per cart); absent: no cart reminders.
    cart_after_minutes: float | None = Field(default=None, gt=0)
    #: An order placed this many days after a cart reminder counts as the cart recovered (dashboard).
    recovered_within_days: int = Field(default=7, ge=1, le=30)
    #: Offer "Notify me" on products out of stock, and tell those who asked once stock is back.
    back_in_stock: bool = True
    #: No reminder or back-in-stock note between these times of the shop's day (one waits for
    #: ``quiet_until``); the same time twice means none.
    quiet_from: Annotated[str, BeforeValidator(_wall_time)] = "21:00"
    quiet_until: Annotated[str, BeforeValidator(_wall_time)] = "09:00"


class PluginsSection(_Section):
    modules: list[str] = Field(default_factory=list)


#: Order moves an agent may make from the dashboard unless ``[admin] agent_moves`` says otherwise.
AGENT_MOVES = ("confirmed", "shipped", "delivered")


class AdminSection(_Section):
    """The dashboard: on when ``token_env`` is set (the first owner's token) or staff accounts exist."""

    token_env: str | None = None
    session_secret_env: str | None = None
    #: A dashboard session unused for this long ends (the owner logs in again); 0 keeps it for the
    #: whole 12 hours of the cookie.
    session_idle_minutes: float = Field(default=30, ge=0)
    #: The order moves agents may make (owners make every move the order allows).
    agent_moves: list[str] = Field(default_factory=lambda: list(AGENT_MOVES))

    @field_validator("agent_moves")
    @classmethod
    def _moves(cls, value: list[str]) -> list[str]:
        # Refunds are the owner's: an agent never moves money back (a refund stays owner-only).
        known = [s.value for s in OrderStatus if s not in (OrderStatus.PENDING_PAYMENT, OrderStatus.REFUNDED)]
        unknown = [v for v in value if v not in known]
        if unknown:
            raise ValueError(f"unknown order status {', '.join(map(repr, unknown))}: use some of {', '.join(known)}")
        return value


class HoursSection(_Section):
    """Opening hours per weekday: ``"09:00-18:00"``, ``"10:00-13:00, 15:00-18:00"`` or ``"closed"``."""

    mon: str = "closed"
    tue: str = "closed"
    wed: str = "closed"
    thu: str = "closed"
    fri: str = "closed"
    sat: str = "closed"
    sun: str = "closed"

    @field_validator(*DAYS)
    @classmethod
    def _ranges(cls, value: str) -> str:
        parse_ranges(value)
        return value

    def by_day(self) -> dict[str, str]:
        return {day: getattr(self, day) for day in DAYS}


class SupportSection(_Section):
    """The shop's people in the chat: when customers are handed over to a person, and when back."""

    #: Opening hours per weekday (a day left out is closed); without the table, always open.
    hours: HoursSection | None = None
    #: The time zone of the hours; default: ``[shop] timezone`` (else UTC).
    timezone: str | None = None
    #: The conversation goes back to the bot after this long without a reply from staff (0: never).
    idle_minutes: float = 120
    #: Hand over after this many messages in a row the bot did not understand (0: never).
    after_not_understood: int = Field(default=3, ge=0, le=100)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            zone(value)
        return value


class MetricsSection(_Section):
    """``/metrics`` for Prometheus: off unless enabled, and then never open to anyone who asks."""

    enabled: bool = False
    #: Environment variable holding a bearer token: /metrics on the shop's own port asks for it.
    token_env: str | None = None
    #: Serve /metrics on this port instead (no token), bound to ``host``.
    port: int | None = Field(default=None, ge=1, le=65535)
    host: str = Field(default="127.0.0.1", min_length=1)

    @model_validator(mode="after")
    def _protected(self) -> MetricsSection:
        if self.enabled and not self.token_env and self.port is None:
            raise ValueError(
                "enabled metrics need token_env (a bearer token on the shop's port) or port (a port of their own)"
            )
        return self


def _installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class TracingSection(_Section):
    """OpenTelemetry spans for a message's way through the shop (a webhook, its turn, each send):
    off unless enabled, and never a customer's number, words or address in a span (docs/scale.md)."""

    enabled: bool = False
    #: Where spans go: ``otlp`` (OTLP over HTTP to ``endpoint``, else ``OTEL_EXPORTER_OTLP_ENDPOINT``),
    #: ``console`` (standard output), or ``global`` (the tracer provider the process set up itself,
    #: such as ``opentelemetry-instrument``'s).
    exporter: Literal["otlp", "console", "global"] = "otlp"
    endpoint: str | None = None
    service_name: str = Field(default="chatshop", min_length=1, max_length=100)

    @field_validator("enabled")
    @classmethod
    def _packages(cls, value: bool) -> bool:
        if value and not (_installed("opentelemetry.trace") and _installed("opentelemetry.sdk.trace")):
            raise ValueError("tracing needs the OpenTelemetry packages: pip install 'chatshop[tracing]'")
        return value

    @field_validator("exporter")
    @classmethod
    def _exporter(cls, value: str, info: ValidationInfo) -> str:
        if value == "otlp" and info.data.get("enabled") and not _installed("opentelemetry.exporter.otlp.proto.http"):
            raise ValueError(
                "the otlp exporter needs opentelemetry-exporter-otlp-proto-http (pip install 'chatshop[tracing]'),"
                " or choose console or global"
            )
        return value

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("the OTLP endpoint is an http:// or https:// URL (…/v1/traces)")
        if value is not None and info.data.get("exporter") != "otlp":
            raise ValueError("an endpoint is for the otlp exporter only")
        return value


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
    reminders: RemindersSection = Field(default_factory=RemindersSection)
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)
    admin: AdminSection = Field(default_factory=AdminSection)
    discounts: list[DiscountEntry] = Field(default_factory=list)
    tax: TaxSection | None = None
    legal: LegalSection = Field(default_factory=LegalSection)
    invoices: InvoicesSection | None = None
    addresses: AddressesSection = Field(default_factory=AddressesSection)
    metrics: MetricsSection = Field(default_factory=MetricsSection)
    tracing: TracingSection = Field(default_factory=TracingSection)
    support: SupportSection = Field(default_factory=SupportSection)

    #: The folder of the TOML file; relative paths in it (catalog, keys, database) start here.
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @property
    def dashboard(self) -> bool:
        """The ``/admin`` dashboard is on: ``shop.toml`` has an ``[admin]`` table (staff log in with
        their accounts, the first owner with ``token_env``'s token)."""
        return "admin" in self.model_fields_set or bool(self.admin.token_env)

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def money(self, value: Any) -> Money:
        return Money.parse(value, self.shop.currency)


def _currency_of(data: Mapping[str, Any]) -> str:
    shop = data.get("shop")
    raw = shop.get("currency", "XXX") if isinstance(shop, Mapping) else "XXX"  # missing: an error anyway
    try:
        return validate_currency(str(raw))
    except MoneyError:
        return "XXX"


def _language_problems(data: Mapping[str, Any]) -> list[ConfigProblem]:
    """A language the shop offers needs its texts: built in, or translated in ``[texts.LANG]``."""
    from chatshop.texts import available_locales  # chatshop.texts imports this module

    shop, texts = data.get("shop"), data.get("texts")
    if not isinstance(shop, Mapping):
        return []
    known = set(available_locales()) | (set(texts) if isinstance(texts, Mapping) else set())
    hint = f"no texts for it (built in: {', '.join(available_locales())}; or translate it in [texts.LANG])"
    problems = []
    locale = shop.get("locale")
    if isinstance(locale, str) and locale not in known:
        problems.append(ConfigProblem(path="shop.locale", message=f"{locale!r}: {hint}"))
    locales = shop.get("locales")
    for i, item in enumerate(locales if isinstance(locales, list) else []):
        if isinstance(item, str) and item not in known:
            problems.append(ConfigProblem(path=f"shop.locales[{i}]", message=f"{item!r}: {hint}"))
    return problems


def _unoffered_texts(config: ShopConfig) -> list[ConfigProblem]:
    """``[texts.fr]`` in a shop that does not offer French would never be shown: the owner meant to
    offer it, or misspelt the language. English is every language's fallback, so always used."""
    offered = {config.shop.locale, *config.shop.locales, "en"}
    shown = ", ".join(dict.fromkeys([config.shop.locale, *config.shop.locales]))
    return [
        ConfigProblem(
            path=f"texts.{language}",
            message=f"{language!r} is not a language this shop offers ({shown}): add it to shop.locales, "
            "or remove these texts",
        )
        for language in config.texts
        if language not in offered
    ]


def _duplicate_ids(data: Mapping[str, Any]) -> list[ConfigProblem]:
    """Two inline products (or variants) with one id: the second would silently shadow the first in
    every cart and order."""
    catalog = data.get("catalog")
    products = catalog.get("products") if isinstance(catalog, Mapping) else None
    seen: dict[str, str] = {}
    problems = []

    def check(sku: Any, where: str) -> None:
        if not isinstance(sku, str):
            return
        if sku in seen:
            problems.append(ConfigProblem(path=f"{where}.id", message=f"{sku!r} is already {seen[sku]}"))
        else:
            seen[sku] = where

    for i, product in enumerate(products if isinstance(products, list) else []):
        if not isinstance(product, Mapping):
            continue
        check(product.get("id"), f"catalog.products[{i}]")
        variants = product.get("variants")
        for v, variant in enumerate(variants if isinstance(variants, list) else []):
            if isinstance(variant, Mapping):
                check(variant.get("id"), f"catalog.products[{i}].variants[{v}]")
    return problems


def parse_config(data: Mapping[str, Any], base_dir: Path | None = None) -> ShopConfig:
    """Validate already-parsed TOML; raise :class:`ConfigError` with every problem."""
    context = {"currency": _currency_of(data)}
    payload = dict(data)
    payload["base_dir"] = base_dir or Path.cwd()
    checked = _language_problems(data) + _duplicate_ids(data)
    try:
        config = ShopConfig.model_validate(payload, context=context)
    except ValidationError as e:
        raise ConfigError(problems_from(e, model=ShopConfig) + checked) from None
    problems = checked + duration_problems(config) + _checkout_problems(config) + _unoffered_texts(config)
    for i, product in enumerate(config.catalog.products):
        if not variants_plainly_right(product, MAX_OPTIONS, MAX_OPTION_VALUES):
            problems.extend(variant_problems(product, f"catalog.products[{i}]"))
    if problems:
        raise ConfigError(problems)
    return config


def _checkout_problems(config: ShopConfig) -> list[ConfigProblem]:
    """What one section of checkout needs of another (a code used twice, slots without a time zone)."""
    problems: list[ConfigProblem] = []
    seen: dict[str, int] = {}
    methods = set(config.payments)
    for i, entry in enumerate(config.discounts):
        if entry.key in seen:
            where = "code" if entry.code else "name"
            message = f"{entry.key!r} is already discounts[{seen[entry.key]}]"
            problems.append(ConfigProblem(path=f"discounts[{i}].{where}", message=message))
        seen.setdefault(entry.key, i)
        for j, method in enumerate(entry.payment_methods):
            if method != "online" and method not in methods:
                known = ", ".join(["online", *sorted(methods)])
                message = f"{method!r} is no payment method of this shop (known: {known})"
                problems.append(ConfigProblem(path=f"discounts[{i}].payment_methods[{j}]", message=message))
    if config.delivery.slots is not None and "timezone" not in config.shop.model_fields_set:
        message = 'delivery slots are times of day in the shop\'s time zone: set it, such as timezone = "Europe/Berlin"'
        problems.append(ConfigProblem(path="shop.timezone", message=message))
    tax = config.tax
    if tax is not None and tax_system(config) == "gst":
        from chatshop.india import state_of_code  # the table of states; imports nothing of the config

        if tax.prices != "exclusive":
            problems.append(ConfigProblem(path="tax.prices", message='GST is added to prices: expected "exclusive"'))
        if tax.home_state is None:
            message = 'GST needs the state the shop is registered in, such as home_state = "MH"'
            problems.append(ConfigProblem(path="tax.home_state", message=message))
        elif state_of_code(tax.home_state) is None:
            message = f"{tax.home_state!r} is no Indian state or union territory: expected a code such as 'MH' or '27'"
            problems.append(ConfigProblem(path="tax.home_state", message=message))
    if config.invoices is not None and config.shop.currency == "INR":
        longest = len(config.invoices.prefix) + (4 if config.invoices.year_starts_month == 1 else 7) + 6
        if longest > 16:
            message = f"a GST invoice number has at most 16 characters; with this prefix it has {longest}"
            problems.append(ConfigProblem(path="invoices.prefix", message=message))
    if config.invoices is not None:
        for key in ("seller_name", "seller_address"):
            if getattr(config.legal, key) is None:
                message = "an invoice names its seller: required with [invoices]"
                problems.append(ConfigProblem(path=f"legal.{key}", message=message))
    return problems


def tax_system(config: ShopConfig) -> str | None:
    """The shop's tax system: as ``[tax] system`` says, else GST for a rupee shop, VAT for
    prices with tax included, US-style sales tax for prices without."""
    tax = config.tax
    if tax is None:
        return None
    if tax.system is not None:
        return tax.system
    if config.shop.currency == "INR":
        return "gst"
    return "vat" if tax.prices == "inclusive" else "sales_tax"


def load_config(path: str | Path) -> ShopConfig:
    """Read and validate ``shop.toml``. Numbers are read as ``Decimal`` so money stays exact."""
    file = Path(path)
    with collector_paused(freeze_from=20_000) as loaded:  # a shop.toml may hold thousands of products
        config = _load_config(file)
        loaded.append(len(config.catalog.products))
        return config


def _load_config(file: Path) -> ShopConfig:
    try:
        data = toml.loads(_toml_text(file.read_bytes()), parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path="", message=f"no such file: {file}")]) from None
    except UnicodeDecodeError as e:
        raise ConfigError([ConfigProblem(path="", message=not_utf8(e.object, e.start))], str(file)) from None
    except toml.TOMLDecodeError as e:
        raise ConfigError([ConfigProblem(path="", message=f"not valid TOML: {e}")], str(file)) from None
    try:
        return parse_config(data, base_dir=file.resolve().parent)
    except ConfigError as e:
        raise ConfigError(e.problems, str(file)) from None


def _toml_text(raw: bytes) -> str:
    """The file's text; a UTF-8 byte order mark (Windows Notepad writes one) is not part of the TOML."""
    return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")


def not_utf8(raw: bytes, offset: int) -> str:
    """Where a file's bytes stop being UTF-8 (``offset``), as an editor shows it: line and column."""
    start = raw.rfind(b"\n", 0, offset) + 1
    line, column = raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1
    return f"not UTF-8 at line {line}, column {column}: save the file as UTF-8"


SectionModel = TypeVar("SectionModel", bound=BaseModel)


def validate_section(
    model: type[SectionModel],
    data: Mapping[str, Any],
    path: str,
    currency: str,
    *,
    secrets: bool = True,
    docs: str | None = None,
) -> SectionModel:
    """Validate a plugin's section with the plugin's model; errors carry the section's key path.

    Every ``*_env`` key must name a set environment variable (unless ``secrets`` is False: a dry
    run that calls no API), so a missing secret is a start-up error rather than a failure at the
    first customer's message; every duration (``*_seconds`` and the like) must be finite and not
    negative.
    """
    try:
        section = model.model_validate(dict(data), context={"currency": currency})
    except ValidationError as e:
        raise ConfigError(problems_from(e, prefix=path, model=model, docs=docs)) from None
    problems = duration_problems(section, path) + [
        ConfigProblem(path=f"{path}.{key}", message=f"environment variable {var} is not set")
        for key, var in _env_keys(section)
        if secrets and not os.environ.get(var)
    ]
    if problems:
        raise ConfigError(problems)
    return section


def _env_keys(section: BaseModel) -> Iterator[tuple[str, str]]:
    for key in type(section).model_fields:
        value = getattr(section, key)
        if key.endswith("_env") and isinstance(value, str) and value:
            yield key, value
        elif key.endswith("_env") and isinstance(value, list):  # a list of secrets (SecretNames)
            yield from ((f"{key}[{i}]", item) for i, item in enumerate(value) if isinstance(item, str) and item)


def read_secrets(variables: list[str]) -> list[str]:
    """The secrets in each of ``variables`` (a :data:`SecretNames`), current first."""
    return [read_secret(variable) for variable in variables]


def read_secret(variable: str) -> str:
    """The secret in environment variable ``variable``; validated present at start-up."""
    value = os.environ.get(variable)
    if not value:
        raise ConfigError([ConfigProblem(path="", message=f"environment variable {variable} is not set")])
    return value
