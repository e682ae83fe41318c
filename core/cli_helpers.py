"""What a plugin's own ``chatshop`` subcommand needs (``register_commands``): its section of
``shop.toml`` validated with its model, async code run, and mistakes printed as one line each.

::

    @hookimpl
    def register_commands(cli: click.Group) -> None:
        @cli.group("smoke")
        def smoke() -> None:
            \"\"\"Smoke Signals tools.\"\"\"

        @smoke.command("ping")
        @click.argument("shop_toml", type=click.Path(dir_okay=False))
        @friendly_errors
        def ping(shop_toml: str) -> None:
            shop, section = load_section(shop_toml, "channels.smoke", SmokeConfig)
            run(ping_api(section, shop.server.public_url))
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from chatshop.cli import friendly_errors
from chatshop.config import ConfigError, ConfigProblem, ShopConfig, load_config, validate_section

if TYPE_CHECKING:
    from chatshop.api import Shop

__all__ = ["friendly_errors", "load_section", "open_shop", "run"]

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")


def load_section(
    shop_toml: str | Path, path: str, model: type[Model], *, secrets: bool = True
) -> tuple[ShopConfig, Model]:
    """``shop.toml`` and its ``[path]`` section (``"channels.smoke"``) validated by ``model``; every
    ``*_env`` key must name a set variable, unless ``secrets=False`` (a dry run that calls no API).
    A mistake raises :class:`ConfigError` with key paths, which :func:`friendly_errors` prints as
    one line each (exit status 1)."""
    config = load_config(shop_toml)
    kind, _, name = path.partition(".")
    sections: dict[str, dict[str, Any]] | None = {"channels": config.channels, "payments": config.payments}.get(kind)
    if sections is None or not name:
        raise ValueError(f"{path!r}: expected channels.NAME or payments.NAME")
    raw = sections.get(name)
    if raw is None:
        raise ConfigError([ConfigProblem(path=path, message="no such section in the file")], str(shop_toml))
    try:
        return config, validate_section(model, raw, path, config.shop.currency, secrets=secrets)
    except ConfigError as e:
        raise ConfigError(e.problems, str(shop_toml)) from None


@asynccontextmanager
async def open_shop(shop_toml: str | Path) -> AsyncIterator[Shop]:
    """The shop of ``shop_toml``, started but not serving and with no background work: its
    store, catalog, channels and HTTP session, for a command that works on them (a catalog sync).
    Stopped when the block ends."""
    from chatshop.runtime import Shop as RunningShop

    shop = RunningShop(load_config(shop_toml))
    await shop.start(background=False)
    try:
        yield shop
    finally:
        await shop.stop()


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run async work from a command (an API call with its own ``aiohttp.ClientSession``)."""
    return asyncio.run(work)
