"""``chatshop whatsapp catalog sync SHOP_TOML [--dry-run]``: the shop's products into Meta's catalog."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from chatshop.cli_helpers import load_section, open_shop
from chatshop.config import ConfigError, ConfigProblem

from .catalog_sync import CatalogDiff, SyncReport, plan, push
from .channel import WhatsAppChannel
from .config import WhatsAppConfig
from .errors import GraphError

__all__ = ["register"]


async def _sync(path: Path, dry_run: bool) -> tuple[CatalogDiff, SyncReport | None]:
    _, section = load_section(path, "channels.whatsapp", WhatsAppConfig)  # before anything is opened
    if not section.catalog_id:
        message = "set catalog_id: the id of the shop's Commerce catalog in Meta's Commerce Manager"
        raise ConfigError([ConfigProblem(path="channels.whatsapp.catalog_id", message=message)], str(path))
    async with open_shop(path) as shop:
        diff = await plan(shop)
        for line in diff.lines():
            click.echo(line)
        if dry_run or not diff:
            return diff, None
        channel = shop.channels["whatsapp"]
        assert isinstance(channel, WhatsAppChannel)
        report = await push(shop, channel.client, section.catalog_id, diff)
        return diff, report


def register(cli: click.Group) -> None:
    """Add ``chatshop whatsapp catalog sync``."""

    @cli.group("whatsapp")
    def whatsapp() -> None:
        """WhatsApp Business tools."""

    @whatsapp.group("catalog")
    def catalog() -> None:
        """The shop's products in its WhatsApp (Meta Commerce) catalog."""

    @catalog.command("sync")
    @click.argument("shop_toml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Print what would change, and change nothing.")
    def sync(shop_toml: Path, dry_run: bool) -> None:
        """Push products, variants, prices, stock and pictures to the catalog; the diff first."""
        try:
            _, report = asyncio.run(_sync(shop_toml, dry_run))
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        except GraphError as e:
            raise click.ClickException(f"Meta refused the catalog update: {e}") from None
        if report is not None:
            for line in report.lines():
                click.echo(line)
            if report.refused:
                raise SystemExit(1)
