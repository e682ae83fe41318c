"""Search in a big generated shop: what customers type (typos, Hinglish, German, Hindi, sizes
written every way) finds the product they mean among the first three."""

from __future__ import annotations

import pytest

from bench.catalog_data import LABELS, filler, generate, synonyms
from chatshop.catalog import Catalog, Product
from chatshop.money import Money


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    rows = generate(4000)
    return Catalog(
        Product(
            id=r["id"],
            title=r["title"],
            price=Money.parse(r["price"], "INR"),
            category=r["category"],
            description=r["description"],
        )
        for r in rows
    )


def test_nine_in_ten_labelled_queries_find_their_product_in_the_top_three(catalog: Catalog) -> None:
    fill, syn = filler(), synonyms()
    misses = []
    for label in LABELS:
        top = catalog.search(label.query, fill, synonyms=syn)[:3]
        if not any(label.matches(p.title) for p in top):
            misses.append((label.query, [p.title for p in top]))
    assert len(LABELS) >= 50
    assert (len(LABELS) - len(misses)) / len(LABELS) >= 0.9, misses


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("haldiram bhujia 200g", "200 g"),  # the title says "200 g"
        ("haldiram bhujia 0.2 kg", "200 g"),
        ("amul ghee 1 litre", "1 l"),
        ("amul ghee 1000ml", "1 l"),
    ],
)
def test_a_size_is_one_size_however_it_is_written(catalog: Catalog, query: str, first: str) -> None:
    [top, *_] = catalog.search(query)
    assert top.title.endswith(first), top.title


def test_a_word_spelt_as_it_sounds_finds_that_word_not_one_a_letter_away(catalog: Catalog) -> None:
    found = catalog.search("aata")
    assert found and all("atta" in f"{p.title} {p.category}".lower() for p in found)
    assert not any(p.title.startswith("Tata ") and "Atta" not in p.title for p in found[:20])


def test_filler_and_quantities_weigh_less_than_the_product(catalog: Catalog) -> None:
    fill = filler()
    [top, *_] = catalog.search("2 kg atta bhejo", fill)
    assert "Atta" in top.title and top.title.endswith("2 kg"), top.title
    [top, *_] = catalog.search("was kostet basmati reis", fill, synonyms=synonyms())
    assert "Basmati Rice" in top.title, top.title


def test_a_search_names_how_many_matched_even_beyond_the_limit(catalog: Catalog) -> None:
    found = catalog.search("atta", limit=5)
    assert len(found) == 5 and found.total > 5
