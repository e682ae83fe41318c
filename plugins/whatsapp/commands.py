"""``chatshop whatsapp catalog sync SHOP_TOML [--dry-run] [--against-meta]``: products into Meta's catalog."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from chatshop.cli_helpers import load_section, open_shop
from chatshop.config import ConfigError, ConfigProblem

from .catalog_meta import plan_against_meta
from .catalog_sync import CatalogDiff, SyncReport, plan, push
from .channel import WhatsAppChannel
from .config import WhatsAppConfig
from .errors import GraphError

__all__ = ["register"]


async def _sync(path: Path, dry_run: bool, against_meta: bool = False) -> tuple[CatalogDiff, SyncReport | None]:
    _, section = load_section(path, "channels.whatsapp", WhatsAppConfig)  # before anything is opened
    if not section.catalog_id:
        message = "set catalog_id: the id of the shop's Commerce catalog in Meta's Commerce Manager"
        raise ConfigError([ConfigProblem(path="channels.whatsapp.catalog_id", message=message)], str(path))
    async with open_shop(path) as shop:
        channel = shop.channels["whatsapp"]
        assert isinstance(channel, WhatsAppChannel)
        if against_meta:
            diff = await plan_against_meta(shop, channel.client, section.catalog_id)
        else:
            diff = await plan(shop)
        for line in diff.lines():
            click.echo(line)
        if dry_run or not diff:
            return diff, None
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
    @click.option(
        "--against-meta",
        is_flag=True,
        help="Compare with what Meta's catalog holds now (read through the Graph API), not with the last sync.",
    )
    def sync(shop_toml: Path, dry_run: bool, against_meta: bool) -> None:
        """Push products, variants, prices, stock and pictures to the catalog; the diff first."""
        try:
            _, report = asyncio.run(_sync(shop_toml, dry_run, against_meta))
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        except GraphError as e:
            raise click.ClickException(f"Meta refused the catalog update: {e}") from None
        if report is not None:
            for line in report.lines():
                click.echo(line)
            if report.refused:
                raise SystemExit(1)
