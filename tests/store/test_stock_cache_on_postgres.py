"""Two PostgreSQL workers keep the stock they read, and each hears the other's changes.

Every change to the inventory, whoever commits it (another worker's order or staff edit, the shop's
own SQL), reaches each worker's kept stock through migration 10's trigger; a worker that cannot
hear the notices asks the database every time.
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
from .helpers import order

PRODUCTS = [
    Product(id="ghee", title="Ghee", price=Money(61250, "INR"), stock=5),
    Product(id="rice", title="Rice", price=Money(9900, "INR"), stock=2),
]


@pytest.fixture
async def workers(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    await _empty(postgres_url)
    here, there = PostgresStore(postgres_url), PostgresStore(postgres_url)
    await here.open()
    await there.open()
    try:
        await here.seed_inventory(PRODUCTS)
        await heard_everything(here, postgres_url)
        yield here, there
    finally:
        await here.close()
        await there.close()


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
