"""A live catalog: read from its sources at start-up, refreshed on a schedule, swapped whole.

The refresh is a durable job (one per window of ``refresh_minutes``, run once across workers): it
reads every source, checks the result as strictly as a catalog file (a bad price, a duplicate SKU:
the whole refresh is refused, nothing of it used), and keeps it in the shop's storage as the
*snapshot*. A refresh that fails keeps the catalog the shop has and is tried again with backoff
(the next window's refresh is scheduled first, so one bad hour never ends the refreshes).

Every worker follows the snapshot (a small version key read every ``follow_seconds``) and swaps its
catalog in one assignment: a customer's turn under way keeps the catalog it started with, the next
turn sees the new one. Stock figures that changed at the source are applied to the inventory
(``shop.replace_catalog``: sales made in the chat since are not counted twice); a
cart line whose variant vanished is dropped, and the customer told, when the cart is next priced.

At start-up a snapshot younger than ``refresh_minutes`` is used as it is (a restart, or the tenth
worker, does not read the whole store again); an older one is refreshed, and kept if the source
is away. With no snapshot and the source away or wrong, the shop does not start.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from chatshop.catalog import Catalog, Product
from chatshop.catalog_file import RawEntry, validated
from chatshop.config import ConfigError, ConfigProblem

from .config import ShopifySource, SourceConfig, WooCommerceSource
from .shopify import read_shopify
from .source import Sleep, SourceError
from .woocommerce import read_woocommerce

if TYPE_CHECKING:
    from chatshop.api import Shop

__all__ = ["JOB", "LiveCatalog", "Snapshot"]

log = structlog.get_logger(__name__)

JOB = "catalog_sources.refresh"
_SPACE = "catalog_sources"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The sources' products as last read: what every worker sells."""

    version: str
    fetched_at: datetime
    entries: list[dict[str, Any]]

    @classmethod
    def of(cls, entries: list[RawEntry], now: datetime) -> Snapshot:
        raw = [
            {
                "where": e.where,
                "fields": e.fields,
                "variant_lines": e.variant_lines,
                "columns": dict(e.columns),
                "option_column": e.option_column,
            }
            for e in entries
        ]
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return cls(hashlib.sha256(text.encode()).hexdigest()[:32], now, raw)

    def raw_entries(self) -> list[RawEntry]:
        return [
            RawEntry(
                e["where"],
                e["fields"],
                list(e["variant_lines"]),
                columns=e["columns"],
                option_column=e["option_column"],
            )
            for e in self.entries
        ]

    def dumps(self) -> str:
        data = {"version": self.version, "fetched_at": self.fetched_at.isoformat(), "entries": self.entries}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str) -> Snapshot:
        data = json.loads(text)
        return cls(data["version"], datetime.fromisoformat(data["fetched_at"]), data["entries"])


async def _read(shop: Shop, source: SourceConfig, sleep: Sleep) -> list[RawEntry]:
    if isinstance(source, ShopifySource):
        token = shop.secret(source.token_env)
        return await read_shopify(shop.http, source, token, shop.config.shop.currency, sleep=sleep)
    if isinstance(source, WooCommerceSource):
        key, secret = shop.secret(source.key_env), shop.secret(source.secret_env)
        return await read_woocommerce(shop.http, source, key, secret, shop.config.shop.currency, sleep=sleep)
    raise TypeError(f"no reader for {type(source).__name__}")


class LiveCatalog:
    """One shop's live catalog: its sources, the products of ``shop.toml`` beside them, and the
    version this worker sells."""

    def __init__(self, shop: Shop, sources: dict[str, SourceConfig], *, sleep: Sleep = asyncio.sleep) -> None:
        self.shop = shop
        self.sources = sources
        self.sleep = sleep
        self.base: list[Product] = list(shop.catalog)  # [[catalog.products]] and [catalog] file
        self.version: str | None = None
        self.space = shop.kv(_SPACE)
        self._follower: asyncio.Task[None] | None = None

    @property
    def every(self) -> timedelta:
        return timedelta(minutes=min(s.refresh_minutes for s in self.sources.values()))

    @property
    def follow_seconds(self) -> float:
        return min(s.follow_seconds for s in self.sources.values())

    # --- reading -----------------------------------------------------------------------------
    async def fetch(self) -> tuple[Snapshot, Catalog]:
        """Read every source and check it all; :class:`SourceError` or :class:`ConfigError`."""
        entries: list[RawEntry] = []
        for source in self.sources.values():
            entries.extend(await _read(self.shop, source, self.sleep))
        snapshot = await asyncio.to_thread(Snapshot.of, entries, self.shop.now())  # 50,000 products: ~1 s
        return snapshot, await self.built(snapshot)

    async def built(self, snapshot: Snapshot) -> Catalog:
        """:meth:`build` beside the event loop: 50,000 products take seconds to check and index
        (about 3 s measured), and customers' messages keep being answered meanwhile."""
        return await asyncio.to_thread(self.build, snapshot)

    def build(self, snapshot: Snapshot) -> Catalog:
        """The catalog a snapshot makes beside the shop's own products; :class:`ConfigError` if any
        product is wrong (every problem named, none of it used)."""
        products = validated(snapshot.raw_entries(), self.shop.config.shop.currency)
        try:
            return Catalog([*products, *self.base])
        except ValueError as e:
            raise ConfigError([ConfigProblem(path="catalog.sources", message=str(e))]) from None

    async def stored(self) -> Snapshot | None:
        """The snapshot kept, its ``fetched_at`` the last time the sources were read."""
        text = await self.space.get("snapshot")
        if not text:
            return None
        snapshot = await asyncio.to_thread(Snapshot.loads, text)
        checked = await self.space.get("checked")
        if checked and checked.startswith(snapshot.version + " "):
            seen = datetime.fromisoformat(checked.split(" ", 1)[1])
            snapshot = Snapshot(snapshot.version, max(seen, snapshot.fetched_at), snapshot.entries)
        return snapshot

    async def keep(self, snapshot: Snapshot) -> None:
        """Keep what was read; the products themselves only when they changed (a big catalog is
        megabytes: an unchanged refresh writes one line)."""
        if await self.space.get("version") != snapshot.version:
            await self.space.set("snapshot", await asyncio.to_thread(snapshot.dumps))
            await self.space.set("version", snapshot.version)  # written last: followers read it first
        await self.space.set("checked", f"{snapshot.version} {snapshot.fetched_at.isoformat()}")

    # --- life --------------------------------------------------------------------------------
    async def start(self) -> None:
        snapshot = await self.stored()
        catalog: Catalog | None = None
        if snapshot is None or snapshot.fetched_at + self.every <= self.shop.now():
            try:
                snapshot, catalog = await self.fetch()
                await self.keep(snapshot)
            except (SourceError, ConfigError) as e:
                if snapshot is None:
                    if isinstance(e, ConfigError):
                        raise
                    raise ConfigError([ConfigProblem(path="catalog.sources", message=str(e))]) from None
                since = snapshot.fetched_at.isoformat()
                log.warning("catalog_sources.stale_at_start", alert=True, error=_reason(e), since=since)
        await self.apply(snapshot, catalog)
        await self.schedule_next()
        self._follower = asyncio.create_task(self._follow(), name="chatshop-catalog-follow")

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
            self._follower = None

    async def schedule_next(self, after: datetime | None = None) -> None:
        """The refresh at the end of the current window (the one after ``after``, a refresh's own
        due time, if later): every worker names the same job."""
        seconds = self.every.total_seconds()
        now = max(self.shop.now(), after) if after is not None else self.shop.now()
        end = (int(now.timestamp() // seconds) + 1) * seconds
        await self.shop.jobs.schedule(JOB, f"window:{end:.0f}", datetime.fromtimestamp(end, UTC))

    async def refresh(self, due_at: datetime | None = None) -> None:
        """Read the sources now; on success every worker swaps to it, on failure nothing changes."""
        await self.schedule_next(due_at)
        try:
            snapshot, catalog = await self.fetch()
        except (SourceError, ConfigError) as e:
            # A product broken in the store is the owner's to fix (alerted); a store away passes.
            log.warning("catalog_sources.refresh_failed", error=_reason(e), alert=isinstance(e, ConfigError))
            raise
        await self.keep(snapshot)
        if snapshot.version != self.version:
            await self.apply(snapshot, catalog)

    async def apply(self, snapshot: Snapshot, catalog: Catalog | None = None) -> None:
        """Sell ``snapshot`` from now on: one assignment, then the inventory and the plugins told."""
        if catalog is None:
            catalog = await self.built(snapshot)
        self.version = snapshot.version
        changed = await self.shop.replace_catalog(catalog)
        log.info("catalog_sources.applied", products=len(catalog), changed=len(changed))

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.follow_seconds)
            try:
                version = await self.space.get("version")
                if version and version != self.version:
                    snapshot = await self.stored()
                    if snapshot is not None:
                        await self.apply(snapshot)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the database away for a moment: the next look will do
                log.warning("catalog_sources.follow_failed", error=_reason(e))


def _reason(error: Exception) -> str:
    if isinstance(error, ConfigError):
        return "; ".join(f"{p.path}: {p.message}" for p in error.problems[:5])
    return str(error)
