"""Two PostgreSQL workers keep the stock they read, and each hears the other's changes.

Every change to the inventory, whoever commits it (another worker's order or staff edit, the shop's
own SQL), reaches each worker's kept stock through migration 10's trigger; a worker that cannot
hear the notices (its connection lost, or a network path that went silent) asks the database
every time. The dead-link, odd-id, payload, race, event-loop, shutdown and upgrade cases came from
an adversarial review.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from chatshop.catalog import Product
from chatshop.money import Money
from chatshop.orders import OrderStatus
from chatshop.store.postgres import PostgresStore

from .conftest import _empty
from .freezable_link import FreezableLink
from .helpers import order

PRODUCTS = [
    Product(id="ghee", title="Ghee", price=Money(61250, "INR"), stock=5),
    Product(id="rice", title="Rice", price=Money(9900, "INR"), stock=2),
]


@pytest.fixture
async def workers(
    two_postgres_workers: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> tuple[PostgresStore, PostgresStore]:
    """Two workers, the shop's products in stock, every notice of that heard."""
    here, _ = two_postgres_workers
    await here.seed_inventory(PRODUCTS)
    await heard_everything(here, postgres_url)
    return two_postgres_workers


async def heard_everything(store: PostgresStore, url: str) -> None:
    """Wait until the notices of what committed so far have reached ``store`` (a worker hears its
    own changes too, after it already forgot them itself): the database delivers notices in commit
    order, so once a marker sent now is heard, so is everything before it."""
    generation = store._stock.generation
    db = await asyncpg.connect(url)
    try:
        await db.execute("SELECT pg_notify('chatshop_inventory', '[]')")
    finally:
        await db.close()

    async def marker_heard() -> bool:
        return store._stock.generation > generation

    await until(marker_heard)


async def stock(store: PostgresStore, *product_ids: str) -> dict[str, int | None]:
    return {product_id: item.stock for product_id, item in (await store.inventory(product_ids)).items()}


async def until(condition: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Wait for a notice to arrive (it comes after the commit, on another connection)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while not await condition():
        assert loop.time() < end, "the change was never heard"
        await asyncio.sleep(0.01)


async def test_a_second_look_up_asks_the_database_nothing(workers: tuple[PostgresStore, PostgresStore]) -> None:
    here, _ = workers
    assert await stock(here, "ghee", "rice", "tea") == {"ghee": 5, "rice": 2}
    trips = here.stats.round_trips
    assert await stock(here, "rice", "tea", "ghee") == {"ghee": 5, "rice": 2}  # tea has no row: known too
    assert here.stats.round_trips == trips


async def test_another_workers_staff_edit_and_order_are_heard(workers: tuple[PostgresStore, PostgresStore]) -> None:
    here, there = workers
    assert await stock(here, "ghee", "rice") == {"ghee": 5, "rice": 2}
    await there.update_inventory("ghee", stock=9)

    async def ghee_is_nine() -> bool:
        return (await stock(here, "ghee")) == {"ghee": 9}

    await until(ghee_is_nine)
    placed, _ = await there.place_order(order(product="rice", quantity=2))

    async def rice_is_gone() -> bool:
        return (await stock(here, "rice")) == {"rice": 0}

    await until(rice_is_gone)
    await there.transition_order(placed.number, OrderStatus.CANCELLED)  # the stock comes back

    async def rice_is_back() -> bool:
        return (await stock(here, "rice")) == {"rice": 2}

    await until(rice_is_back)
    await there.update_inventory("rice", price_minor=8900, active=False)

    async def rice_is_off() -> bool:
        item = (await here.inventory(["rice"]))["rice"]
        return item.price_minor == 8900 and item.active is False

    await until(rice_is_off)


async def test_a_change_made_outside_chatshop_is_heard(
    workers: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    here, _ = workers
    assert await stock(here, "ghee") == {"ghee": 5}
    db = await asyncpg.connect(postgres_url)
    try:
        await db.execute("UPDATE inventory SET stock = 1 WHERE product_id = 'ghee'")  # the shop's own tool
        await db.execute("INSERT INTO inventory (product_id, stock) VALUES ('tea', 4)")
    finally:
        await db.close()

    async def both_heard() -> bool:
        return (await stock(here, "ghee", "tea")) == {"ghee": 1, "tea": 4}

    await until(both_heard)


async def test_a_fresh_look_up_reads_past_what_was_kept_and_a_change_not_heard(
    workers: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    """A write with triggers off (a data load run as a replica) sends no notice: what a worker kept
    stays until it is read again (10 s at most), but a ``fresh`` look-up (the price an order is
    confirmed at) asks the database."""
    here, _ = workers
    assert (await here.inventory(["ghee"]))["ghee"].price_minor is None
    db = await asyncpg.connect(postgres_url)
    try:
        async with db.transaction():
            await db.execute("SET LOCAL session_replication_role = replica")
            await db.execute("UPDATE inventory SET price_minor = 59900, stock = 3 WHERE product_id = 'ghee'")
    finally:
        await db.close()
    await heard_everything(here, postgres_url)
    assert (await here.inventory(["ghee"]))["ghee"].price_minor is None  # kept: nothing said it changed
    trips = here.stats.round_trips
    fresh = (await here.inventory(["ghee"], fresh=True))["ghee"]
    assert (fresh.price_minor, fresh.stock) == (59900, 3) and here.stats.round_trips == trips + 1


async def test_a_worker_reads_its_own_write_at_once(workers: tuple[PostgresStore, PostgresStore]) -> None:
    here, _ = workers
    assert await stock(here, "ghee", "rice") == {"ghee": 5, "rice": 2}
    await here.update_inventory("ghee", stock=7)
    assert await stock(here, "ghee") == {"ghee": 7}
    await here.place_order(order(product="rice", quantity=1))
    assert await stock(here, "rice") == {"rice": 1}


async def test_a_change_of_many_products_forgets_everything(workers: tuple[PostgresStore, PostgresStore]) -> None:
    here, there = workers
    assert await stock(here, "ghee") == {"ghee": 5}
    generation = here._stock.generation
    await there.seed_inventory(  # a new catalog: one statement
        [Product(id=f"sku-{i:03d}", title="Tea", price=Money(100, "INR"), stock=1) for i in range(150)]
    )

    async def heard() -> bool:
        return here._stock.generation != generation

    await until(heard)
    trips = here.stats.round_trips
    assert await stock(here, "ghee") == {"ghee": 5}
    assert here.stats.round_trips == trips + 1  # asked again: the notice named no products


async def test_without_the_notices_every_look_up_asks_the_database_until_they_are_back(
    workers: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    here, there = workers
    assert await stock(here, "ghee") == {"ghee": 5}
    pid = here._stock_notices.backend_pid
    db = await asyncpg.connect(postgres_url)
    try:
        assert await db.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await db.close()

    async def lost() -> bool:
        return not here._stock.listening

    await until(lost)
    await there.update_inventory("ghee", stock=3)  # made while nobody here listens
    trips = here.stats.round_trips
    assert await stock(here, "ghee") == {"ghee": 3}
    assert await stock(here, "ghee") == {"ghee": 3}
    assert here.stats.round_trips == trips + 2  # nothing kept meanwhile

    async def back() -> bool:
        return here._stock_notices.heard_here() and here._stock_notices.backend_pid != pid

    await until(back)
    assert await stock(here, "ghee") == {"ghee": 3}
    trips = here.stats.round_trips
    assert await stock(here, "ghee") == {"ghee": 3}
    assert here.stats.round_trips == trips  # kept again
    await there.update_inventory("ghee", stock=8)

    async def ghee_is_eight() -> bool:
        return (await stock(here, "ghee")) == {"ghee": 8}

    await until(ghee_is_eight)


@pytest.fixture
async def behind_a_link(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore, FreezableLink]]:
    """``here`` hears its notices through a relay the test can freeze (its pool goes direct), and
    keeps what it read for an hour: only noticing the dead link can make it ask again."""
    await _empty(postgres_url)
    link = FreezableLink(postgres_url)
    here, there = PostgresStore(postgres_url), PostgresStore(postgres_url)
    here._stock_notices.url = await link.start()
    here._stock.fresh_seconds = 3600
    await here.open()
    await there.open()
    try:
        await here.seed_inventory(PRODUCTS)
        await heard_everything(here, postgres_url)
        yield here, there, link
    finally:
        await link.close()
        await here.close()
        await there.close()


async def test_a_listening_link_gone_silent_is_noticed_and_given_up(
    behind_a_link: tuple[PostgresStore, PostgresStore, FreezableLink],
) -> None:
    here, there, link = behind_a_link
    assert await stock(here, "ghee") == {"ghee": 5}
    link.frozen = True  # an idle flow dropped by a NAT: no FIN, no RST, just nothing
    await there.update_inventory("ghee", stock=0, active=False)

    async def off_sale_seen() -> bool:
        item = (await here.inventory(["ghee"]))["ghee"]
        return (item.stock, item.active) == (0, False)

    await until(off_sale_seen)

    async def given_up() -> bool:
        return not here._stock.listening

    await until(given_up)
    link.frozen = False

    async def back() -> bool:
        return here._stock_notices.heard_here()

    await until(back)
    await there.update_inventory("ghee", stock=2, active=True)

    async def heard_again() -> bool:
        return (await stock(here, "ghee")) == {"ghee": 2}

    await until(heard_again)


async def test_closing_with_a_dead_listening_link_does_not_wait_for_it(postgres_url: str) -> None:
    await _empty(postgres_url)
    link = FreezableLink(postgres_url)
    here = PostgresStore(postgres_url)
    here._stock_notices.url = await link.start()
    await here.open()
    try:
        link.frozen = True
        await asyncio.wait_for(here.close(), 10)  # a graceful goodbye would wait for ever
    finally:
        await link.close()


async def test_closing_while_the_listener_reconnects_returns_at_once(postgres_url: str) -> None:
    await _empty(postgres_url)
    store = PostgresStore(postgres_url)
    store._stock_notices.url = "postgresql://postgres@127.0.0.1:1/nowhere"  # refused: retried in the background
    await store.open()
    assert not store._stock_notices.heard_here()
    assert await stock(store, "ghee") == {}  # asks the database every time
    await asyncio.wait_for(store.close(), 5)
    assert store._stock_notices._retrying is None


ODD_IDS = ['qu"ote', "new\nline", "back\\slash", "ünïcødé-घी", "tab\there", "  spaced  ", "'single'", "null", "[]"]


async def test_odd_product_ids_are_heard_by_name(
    workers: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    here, there = workers
    await there.seed_inventory([Product(id=i, title="x", price=Money(100, "INR"), stock=1) for i in ODD_IDS])
    await heard_everything(here, postgres_url)
    assert await stock(here, *ODD_IDS) == dict.fromkeys(ODD_IDS, 1)
    for product_id in ODD_IDS:
        await there.update_inventory(product_id, stock=7)

    async def all_seven() -> bool:
        return await stock(here, *ODD_IDS) == dict.fromkeys(ODD_IDS, 7)

    await until(all_seven)


async def test_a_notice_over_the_payload_limit_forgets_everything(
    workers: tuple[PostgresStore, PostgresStore], postgres_url: str
) -> None:
    here, there = workers
    long_ids = [f"{i:03d}-" + "ग" * 400 for i in range(20)]  # 20 ids of 1,204 bytes: 24 kB of JSON
    await there.seed_inventory([Product(id=i, title="x", price=Money(1, "INR"), stock=1) for i in long_ids])
    await heard_everything(here, postgres_url)
    assert await stock(here, "ghee", *long_ids[:2]) == {"ghee": 5, long_ids[0]: 1, long_ids[1]: 1}
    db = await asyncpg.connect(postgres_url)
    try:
        await db.execute("UPDATE inventory SET stock = 3 WHERE product_id = ANY($1::text[])", long_ids)
    finally:
        await db.close()

    async def heard() -> bool:
        return await stock(here, "ghee", *long_ids[:2]) == {"ghee": 5, long_ids[0]: 3, long_ids[1]: 3}

    await until(heard)


async def test_own_writes_racing_own_look_ups_never_stick(workers: tuple[PostgresStore, PostgresStore]) -> None:
    """Look-ups in flight while this worker orders, cancels and restocks (and another worker too):
    whatever each returned, what is kept agrees with the database once the writes are done."""
    here, there = workers
    stop = False

    async def look() -> None:
        while not stop:
            await here.inventory(["ghee", "rice"])
            await asyncio.sleep(0)  # a hit answers without yielding

    lookers = [asyncio.create_task(look()) for _ in range(8)]
    try:
        for _ in range(20):
            placed, _ = await here.place_order(order(product="ghee", quantity=1))
            await here.transition_order(placed.number, OrderStatus.CANCELLED)
            await here.update_inventory("rice", stock=3)
            await there.update_inventory("rice", stock=2)
            await here.place_order(order(product="rice", quantity=1))
    finally:
        stop = True
        await asyncio.gather(*lookers)
    truth = {item.product_id: item.stock for item in (await there.inventory(None)).values()}

    async def agrees() -> bool:
        return await stock(here, "ghee", "rice") == {"ghee": truth["ghee"], "rice": truth["rice"]}

    await until(agrees)


async def test_reopened_under_another_event_loop_it_listens_again(postgres_url: str) -> None:
    await _empty(postgres_url)
    store = PostgresStore(postgres_url)

    async def one_life(ghee: int) -> tuple[bool, int | None]:
        await store.open()
        try:
            await store.seed_inventory(PRODUCTS)
            await store.update_inventory("ghee", stock=ghee)
            await store.inventory(["ghee"])
            return store._stock_notices.heard_here(), (await store.inventory(["ghee"]))["ghee"].stock
        finally:
            await store.close()

    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, lambda: asyncio.run(one_life(4))) == (True, 4)
    assert await loop.run_in_executor(None, lambda: asyncio.run(one_life(6))) == (True, 6)


async def test_an_upgraded_shop_hears_a_worker_still_on_the_old_schema(postgres_url: str) -> None:
    """A shop at schema 9 with stock and orders: migration 10 applies, and a write by an old worker
    (no notices of its own) is heard by a new one, since the trigger is the database's."""
    import chatshop.store.postgres as postgres

    name = postgres_url.rsplit("/", 1)[1] + "_m9"
    server = postgres_url.rsplit("/", 1)[0]
    admin = await asyncpg.connect(f"{server}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        old = PostgresStore(url)
        every = list(postgres.POSTGRES_MIGRATIONS)
        postgres.POSTGRES_MIGRATIONS[:] = every[:9]
        try:
            await old.open()
            await old.seed_inventory(PRODUCTS)
            await old.update_inventory("ghee", stock=3)  # its orders: chatshop_place_order took 2
            assert await old.schema_version() == 9
        finally:
            postgres.POSTGRES_MIGRATIONS[:] = every
        new = PostgresStore(url)
        await new.open()
        try:
            assert await new.schema_version() == every[-1][0]
            assert await stock(new, "ghee", "rice") == {"ghee": 3, "rice": 2}
            await old.place_order(order(product="rice", quantity=1))

            async def heard() -> bool:
                return await stock(new, "rice") == {"rice": 1}

            await until(heard)
        finally:
            await new.close()
            await old.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
