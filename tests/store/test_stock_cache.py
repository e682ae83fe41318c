"""The stock cache keeps only what no change it heard of could have made stale."""

from __future__ import annotations

from chatshop.store.base import InventoryItem
from chatshop.store.stock_cache import StockCache

GHEE = InventoryItem("ghee", 3, None, True)
RICE = InventoryItem("rice", 0, 9900, True)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def listening(**options: object) -> StockCache:
    cache = StockCache(**options)  # type: ignore[arg-type]
    cache.listening_started()
    return cache


def test_nothing_is_kept_while_changes_are_not_heard() -> None:
    cache = StockCache()
    cache.keep(cache.generation, ["ghee"], {"ghee": GHEE})
    assert cache.look_up(["ghee", "ghee", "rice"]) == ({}, ["ghee", "rice"])


def test_a_kept_answer_serves_the_next_look_up_with_products_that_have_no_row() -> None:
    cache = listening()
    found, missing = cache.look_up(["ghee", "rice", "tea"])
    assert found == {} and missing == ["ghee", "rice", "tea"]
    cache.keep(cache.generation, missing, {"ghee": GHEE, "rice": RICE})
    assert cache.look_up(["tea", "rice", "ghee"]) == ({"rice": RICE, "ghee": GHEE}, [])  # tea: no row, known
    assert (cache.hits, cache.misses) == (1, 1)


def test_an_answer_asked_before_a_change_was_heard_is_not_kept() -> None:
    cache = listening()
    asked_at = cache.generation
    cache.changed(["rice"])  # heard while the look-up was on its way: its answer may predate it
    cache.keep(asked_at, ["ghee"], {"ghee": GHEE})
    assert cache.look_up(["ghee"]) == ({}, ["ghee"])


def test_a_change_forgets_its_products_and_a_change_of_anything_forgets_all() -> None:
    cache = listening()
    cache.keep(cache.generation, ["ghee", "rice"], {"ghee": GHEE, "rice": RICE})
    cache.changed(["ghee"])
    assert cache.look_up(["ghee", "rice"]) == ({"rice": RICE}, ["ghee"])
    cache.changed(None)
    assert cache.look_up(["rice"]) == ({}, ["rice"])


def test_an_entry_is_asked_again_once_it_is_older_than_fresh_seconds() -> None:
    clock = Clock()
    cache = listening(fresh_seconds=10.0, clock=clock)
    cache.keep(cache.generation, ["ghee"], {"ghee": GHEE})
    clock.now += 9.9
    assert cache.look_up(["ghee"]) == ({"ghee": GHEE}, [])
    clock.now += 0.2  # a notice lost without the connection saying so is outlived
    assert cache.look_up(["ghee"]) == ({}, ["ghee"])


def test_losing_the_notices_forgets_everything_and_a_look_up_from_before_they_came_back_is_not_kept() -> None:
    cache = listening()
    cache.keep(cache.generation, ["ghee"], {"ghee": GHEE})
    cache.listening_stopped()
    asked_at = cache.generation
    assert cache.look_up(["ghee"]) == ({}, ["ghee"])
    cache.listening_started()  # a change made before this was never heard
    cache.keep(asked_at, ["ghee"], {"ghee": GHEE})
    assert cache.look_up(["ghee"]) == ({}, ["ghee"])


def test_a_look_up_of_more_than_largest_products_is_not_kept() -> None:
    cache = listening(limit=100, largest=10)
    ids = [f"sku-{i}" for i in range(11)]  # the whole catalog, for the dashboard or a catalog sync
    cache.keep(cache.generation, ids, {i: InventoryItem(i, 1, None, True) for i in ids})
    assert cache.look_up(ids[:1]) == ({}, ids[:1])


def test_a_look_up_that_would_overfill_the_cache_starts_it_over() -> None:
    cache = listening(limit=3)
    cache.keep(cache.generation, ["ghee", "rice"], {"ghee": GHEE, "rice": RICE})
    cache.keep(cache.generation, ["tea", "salt"], {})
    assert cache.look_up(["ghee", "tea", "salt"]) == ({}, ["ghee"])  # never more than the limit
