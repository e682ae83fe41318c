"""A generated grocery-and-more catalog of any size, and customers' queries labelled with what they want.

Titles are a brand, two words and a size ("Haldiram Aloo Bhujia 200 g"), in ten categories with
subcategories, as a big Indian shop's would be. Each labelled query is what a customer types (typos,
Hinglish, German, Hindi, Chinese, sizes written every way) and the title words of the product it
should find; the catalog always holds a product with those words (an anchor), so a miss is the
search's fault. Used by ``bench/catalog.py`` (50,000 and 500,000 products) and by the tests (a few
thousand).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path

__all__ = ["FORMS", "LABELS", "Label", "generate", "write_catalog", "write_csv"]

#: category path → (brands, first words, second words, sizes)
_CATEGORIES: dict[str, tuple[str, str, str, str]] = {
    "Staples > Atta & Flour": (
        "Aashirvaad|Pillsbury|Fortune|Annapurna|Rajdhani|Patanjali|24 Mantra|Organic Tattva",
        "Shudh|Chakki|Multigrain|Select|Whole|Sharbati|Organic|Premium",
        "Atta|Maida|Besan|Sooji|Ragi Flour|Bajra Flour|Rice Flour|Corn Flour",
        "500 g|1 kg|2 kg|5 kg|10 kg",
    ),
    "Staples > Rice & Dal": (
        "India Gate|Daawat|Kohinoor|Tata Sampann|Fortune|Lal Qilla|Unity|Organic Tattva",
        "Basmati|Sona Masoori|Classic|Everyday|Rozana|Super|Polished|Unpolished",
        "Rice|Toor Dal|Moong Dal|Chana Dal|Masoor Dal|Urad Dal|Rajma|Kabuli Chana",
        "500 g|1 kg|2 kg|5 kg|10 kg",
    ),
    "Snacks > Namkeen": (
        "Haldiram|Bikaji|Bikanervala|Balaji|Lays|Bingo|Kurkure|Chheda",
        "Aloo|Moong|Classic|Masala|Spicy|Salted|Khatta Meetha|Navratan",
        "Bhujia|Namkeen|Chips|Mixture|Sev|Dal|Peanuts|Chivda",
        "40 g|100 g|200 g|400 g|1 kg",
    ),
    "Snacks > Biscuits": (
        "Britannia|Parle|Sunfeast|Unibic|McVities|Priyagold|Cremica|Anmol",
        "Marie|Good Day|Digestive|Bourbon|Cashew|Butter|Oat|Chocolate",
        "Biscuits|Cookies|Crackers|Rusk|Wafers|Cream Biscuits|Nankhatai|Cake",
        "75 g|150 g|250 g|500 g|1 kg",
    ),
    "Dairy > Milk & Paneer": (
        "Amul|Mother Dairy|Nandini|Gowardhan|Aavin|Heritage|Milky Mist|Verka",
        "Malai|Fresh|Toned|Full Cream|Pure|Taaza|Gold|Lite",
        "Paneer|Milk|Curd|Ghee|Butter|Cheese|Lassi|Cream",
        "200 g|500 g|1 kg|500 ml|1 l",
    ),
    "Beverages > Tea & Coffee": (
        "Tata Tea|Red Label|Taj Mahal|Wagh Bakri|Bru|Nescafe|Society|Girnar",
        "Premium|Gold|Masala|Green|Elaichi|Instant|Filter|Classic",
        "Tea|Coffee|Chai|Green Tea|Tea Bags|Coffee Powder|Kahwa|Iced Tea",
        "100 g|250 g|500 g|1 kg|25 pcs",
    ),
    "Fruits & Vegetables > Fresh": (
        "Fresho|Farm Fresh|Organic Valley|Kisan|Desi Farms|Green Leaf|Nashik Farms|Sahyadri",
        "Red|Fresh|Organic|Desi|Hybrid|Baby|Green|Premium",
        "Onion|Tomato|Potato|Banana|Mango|Apple|Carrot|Cauliflower",
        "250 g|500 g|1 kg|2 kg|6 pcs",
    ),
    "Personal Care > Bath": (
        "Lifebuoy|Dettol|Santoor|Dove|Pears|Lux|Mysore Sandal|Himalaya",
        "Total|Original|Sandal|Neem|Moisturising|Glycerin|Fresh|Herbal",
        "Soap|Body Wash|Shampoo|Face Wash|Hand Wash|Talc|Lotion|Conditioner",
        "75 g|100 g|125 g|200 ml|400 ml",
    ),
    "Household > Cleaning": (
        "Surf Excel|Ariel|Tide|Vim|Harpic|Lizol|Colin|Rin",
        "Easy Wash|Matic|Lemon|Power|Original|Floral|Double|Plus",
        "Detergent|Dishwash Bar|Dishwash Gel|Toilet Cleaner|Floor Cleaner|Glass Cleaner|Bar|Liquid",
        "500 g|1 kg|2 kg|500 ml|1 l",
    ),
    "Kitchen > Oils & Spices": (
        "Fortune|Saffola|Dhara|Patanjali|MDH|Everest|Catch|Tata Sampann",
        "Kachi Ghani|Refined|Gold|Garam|Kashmiri|Chana|Kitchen King|Pure",
        "Mustard Oil|Sunflower Oil|Groundnut Oil|Masala|Haldi|Mirch|Jeera|Dhania",
        "100 g|200 g|500 g|1 l|5 l",
    ),
}

_PRICES = (15, 20, 35, 45, 60, 62, 85, 99, 120, 149, 199, 245, 299, 399, 549)


@dataclass(frozen=True, slots=True)
class Label:
    """A query and the words the title of the product it should find has ("aashirvaad", "atta", "5 kg")."""

    query: str
    wants: tuple[str, ...]
    note: str = ""

    def matches(self, title: str) -> bool:
        words = f" {title.lower()} "
        return all(f" {w.lower()} " in words for w in self.wants)


#: What customers type, and the product each should find. The first product of each ``wants`` is
#: put in the catalog as an anchor: "Aashirvaad Shudh Atta 5 kg" for ("Aashirvaad", "Atta", "5 kg").
LABELS: tuple[Label, ...] = (
    Label("aashirvaad atta 5kg", ("Aashirvaad", "Atta", "5 kg"), "size written together"),
    Label("Aashirvaad Atta 5 kg", ("Aashirvaad", "Atta", "5 kg")),
    Label("ashirvad aata 5 kg", ("Aashirvaad", "Atta", "5 kg"), "typo and Hinglish spelling"),
    Label("2 kg atta bhejo", ("Atta", "2 kg"), "Hinglish, quantity first"),
    Label("mujhe 10kg atta chahiye", ("Atta", "10 kg"), "Hinglish"),
    Label("aata", ("Atta",), "spelt as it sounds"),
    Label("pillsbury maida 1kg", ("Pillsbury", "Maida", "1 kg")),
    Label("besan 500 gm", ("Besan", "500 g"), "gm"),
    Label("haldiram bhujia 200g", ("Haldiram", "Bhujia", "200 g"), "size written together"),
    Label("haldirams aloo bhujia", ("Haldiram", "Aloo", "Bhujia"), "possessive"),
    Label("haldiram bhujiya 400 g", ("Haldiram", "Bhujia", "400 g"), "Hinglish spelling"),
    Label("bikaji namkeen", ("Bikaji", "Namkeen")),
    Label("lays chips 40g", ("Lays", "Chips", "40 g")),
    Label("kurkure masala", ("Kurkure", "Masala")),
    Label("india gate basmati rice 5kg", ("India Gate", "Basmati", "Rice", "5 kg")),
    Label("basmathi rice 1kg", ("Basmati", "Rice", "1 kg"), "typo"),
    Label("chawal 5 kilo", ("Rice", "5 kg"), "Hinglish synonym, kilo"),
    Label("toor dal 1 kg", ("Toor Dal", "1 kg")),
    Label("tur dal", ("Toor Dal",), "sound-alike"),
    Label("moong daal 500g", ("Moong Dal", "500 g"), "Hinglish spelling"),
    Label("rajma 1kg", ("Rajma", "1 kg")),
    Label("was kostet basmati reis", ("Basmati", "Rice"), "German filler and synonym"),
    Label("ich möchte reis 5 kg", ("Rice", "5 kg"), "German"),
    Label("zwiebeln 1 kg", ("Onion", "1 kg"), "German plural synonym"),
    Label("tomaten bitte", ("Tomato",), "German plural synonym"),
    Label("kartoffeln 2kg", ("Potato", "2 kg"), "German"),
    Label("bananen", ("Banana",), "German"),
    Label("amul paneer 200g", ("Amul", "Paneer", "200 g")),
    Label("amul malai panir", ("Amul", "Malai", "Paneer"), "sound-alike"),
    Label("paneers", ("Paneer",), "plural"),
    Label("doodh 1 litre", ("Milk", "1 l"), "Hinglish synonym, litre"),
    Label("mother dairy milk 1l", ("Mother Dairy", "Milk", "1 l")),
    Label("amul ghee 1 ltr", ("Amul", "Ghee", "1 l"), "ltr"),
    Label("amul gee", ("Amul", "Ghee"), "typo"),
    Label("nandini curd 500 ml", ("Nandini", "Curd", "500 ml")),
    Label("dahi 500g", ("Curd", "500 g"), "Hindi word, romanized"),
    Label("दूध", ("Milk",), "Hindi synonym"),
    Label("चावल 5 किलो", ("Rice", "5 kg"), "Hindi synonym and unit"),
    Label("牛奶", ("Milk",), "Chinese synonym"),
    Label("red label tea 500g", ("Red Label", "Tea", "500 g")),
    Label("tata tea gold", ("Tata Tea", "Gold", "Tea")),
    Label("wagh bakri chai", ("Wagh Bakri", "Chai")),
    Label("nescafe coffe", ("Nescafe", "Coffee"), "typo"),
    Label("bru instant cofee 100g", ("Bru", "Instant", "Coffee", "100 g"), "typo"),
    Label("green tea 25 pcs", ("Green Tea", "25 pcs")),
    Label("britannia good day biscuits", ("Britannia", "Good Day", "Biscuits")),
    Label("parle marie biscut", ("Parle", "Marie", "Biscuits"), "typo"),
    Label("biskut 250 g", ("Biscuits", "250 g"), "Hinglish synonym"),
    Label("digestive cookies", ("Digestive", "Cookies")),
    Label("red onion 1kg", ("Red", "Onion", "1 kg")),
    Label("pyaz 2 kg", ("Onion", "2 kg"), "Hinglish synonym"),
    Label("aloo 1kg", ("Potato", "1 kg"), "Hinglish synonym"),
    Label("nashik onions", ("Nashik Farms", "Onion"), "plural"),
    Label("alphonso mango", ("Mango",), "a word the catalog lacks"),
    Label("dettol soap 125g", ("Dettol", "Soap", "125 g")),
    Label("lifebouy soap", ("Lifebuoy", "Soap"), "typo"),
    Label("dove body wash 400ml", ("Dove", "Body Wash", "400 ml")),
    Label("sabun", ("Soap",), "Hinglish synonym"),
    Label("himalaya neem face wash", ("Himalaya", "Neem", "Face Wash")),
    Label("surf excel easy wash 1 kg", ("Surf Excel", "Easy Wash", "1 kg")),
    Label("vim dishwash bar", ("Vim", "Dishwash Bar")),
    Label("harpic toilet cleaner 500 ml", ("Harpic", "Toilet Cleaner", "500 ml")),
    Label("lizol floor cleaner 1l", ("Lizol", "Floor Cleaner", "1 l")),
    Label("fortune kachi ghani mustard oil 1 l", ("Fortune", "Kachi Ghani", "Mustard Oil", "1 l")),
    Label("saffola oil 5l", ("Saffola", "Oil", "5 l")),
    Label("sarso tel", ("Mustard Oil",), "Hinglish"),
    Label("mdh garam masala 100g", ("MDH", "Garam", "Masala", "100 g")),
    Label("everest kitchen king masala", ("Everest", "Kitchen King", "Masala")),
    Label("haldi 200 g", ("Haldi", "200 g")),
    Label("jeera 100 gms", ("Jeera", "100 g"), "gms"),
    Label("I want fortune sunflower oil please", ("Fortune", "Sunflower Oil"), "English filler"),
)

_EXTRA_SYNONYMS = {"sarso": "mustard", "sarson": "mustard"}  # what a shop would add in [texts]: see search_synonyms


def _split(field: str) -> list[str]:
    return field.split("|")


def _anchor_title(label: Label) -> tuple[str, str] | None:
    """A catalog title with every word ``label`` wants, and its category; None if no category has them."""
    slots = ("brand", "first", "second", "size")
    for category, fields in _CATEGORIES.items():
        options = dict(zip(slots, (_split(f) for f in fields), strict=True))
        for order in permutations(slots, len(label.wants)):
            chosen: dict[str, str] = {}
            for want, slot in zip(label.wants, order, strict=True):
                fits = [o for o in options[slot] if o.lower() == want.lower()]
                fits = fits or [o for o in options[slot] if want.lower() in o.lower().split()]
                if not fits:
                    break
                chosen[slot] = fits[0]
            else:
                title = " ".join(chosen.get(slot) or options[slot][0] for slot in slots)
                if label.matches(title):
                    return title, category
    return None


_SYLLABLES = [
    "ka",
    "ve",
    "lo",
    "ri",
    "sa",
    "nu",
    "ta",
    "mi",
    "do",
    "ra",
    "pe",
    "zo",
    "ku",
    "li",
    "be",
    "ya",
    "gu",
    "no",
    "fe",
    "si",
]


def _made_up_brands(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Brand names no shopper's word is (Kavelo, Ripezo): a big shop sells thousands of brands."""
    brands: list[str] = []
    while len(brands) < count:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        if name.lower() not in taken:
            taken.add(name.lower())
            brands.append(name)
    return brands


def generate(count: int, seed: int = 16) -> Iterator[dict[str, str]]:
    """``count`` catalog rows (id, title, price, category, stock, description), anchors first."""
    rng = random.Random(seed)
    titles: set[str] = set()
    number = 0

    def row(title: str, category: str) -> dict[str, str]:
        nonlocal number
        number += 1
        words = title.split()
        return {
            "id": f"sku-{number:07d}",
            "title": title,
            "price": f"{rng.choice(_PRICES) + number % 7}.{rng.choice(('00', '50', '99'))}",
            "category": category,
            "stock": str(rng.choice((0, 5, 20, 100, 500))) if number % 3 else "",
            "description": f"{words[-3]} from the {category.split(' > ')[-1].lower()} shelf, packed fresh.",
        }

    for label in LABELS:
        anchor = _anchor_title(label)
        if anchor and anchor[0] not in titles and number < count:
            titles.add(anchor[0])
            yield row(*anchor)
    taken = {w.lower() for fields in _CATEGORIES.values() for f in fields for o in _split(f) for w in o.split()}
    categories = [
        (category, [*_split(brands), *_made_up_brands(rng, 250, taken)], _split(firsts), _split(seconds), _split(sizes))
        for category, (brands, firsts, seconds, sizes) in _CATEGORIES.items()
    ]
    while number < count:
        category, *parts = categories[number % len(categories)]
        for _ in range(100):
            title = " ".join(rng.choice(part) for part in parts)
            if title not in titles:
                break
        else:  # (only past millions of products) a numbered line of the same product
            title = f"{title} No {number}"
        titles.add(title)
        yield row(title, category)


def synonyms() -> dict[str, list[str]]:
    """Every built-in locale's ``search_synonyms`` and the two a shop like this would add."""
    from chatshop.texts import Texts, available_locales

    texts = Texts("en", {}, {})
    out: dict[str, list[str]] = {}
    for locale in available_locales():
        for pair in texts.raw(locale, "search_synonyms").split(","):
            word, _, meaning = pair.partition("=")
            if word.strip() and meaning.strip():
                out.setdefault(word.strip(), []).append(meaning.strip())
    for word, meaning in _EXTRA_SYNONYMS.items():
        out.setdefault(word, []).append(meaning)
    return out


def filler() -> set[str]:
    """Every built-in locale's ``search_filler`` words: a Hinglish speaker may have chosen English."""
    from chatshop.texts import Texts, available_locales

    texts = Texts("en", {}, {})
    return {w for locale in available_locales() for w in texts.words(locale, "search_filler")}


def write_csv(path: Path, count: int, seed: int = 16) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["id", "title", "price", "category", "stock", "description"])
        writer.writeheader()
        writer.writerows(generate(count, seed))
    return path


# --- the same catalog in every form a shop may keep it in ----------------------------------------
#: The forms ``write_catalog`` writes: our CSV plain and with variants, JSON, shop.toml, and the
#: product exports of Shopify and WooCommerce.
FORMS = ("csv", "variants", "json", "toml", "shopify", "woocommerce")


def _with_variants(count: int, seed: int) -> Iterator[tuple[dict[str, str], list[tuple[str, str, str, str]]]]:
    """Each generated product, every other one sold in two packs: ``(row, [(sku, pack, price, stock)])``;
    a product with an empty list has no variants."""
    for number, row in enumerate(generate(count, seed)):
        if number % 2:
            yield row, []
            continue
        units, _, cents = row["price"].partition(".")
        double = f"{int(units) * 2 - 1}.{cents}"
        yield row, [(row["id"], "Single", row["price"], row["stock"]), (f"{row['id']}-x2", "Pack of 2", double, "7")]


def write_catalog(folder: Path, form: str, count: int, seed: int = 16) -> Path:
    """``count`` products in ``form`` under ``folder``: the file to name in ``[catalog] file``, or a
    ``shop.toml`` holding them (form ``toml``)."""
    if form == "csv":
        return write_csv(folder / f"catalog-{count}.csv", count, seed)
    writer = {
        "variants": _write_variant_csv,
        "json": _write_json,
        "toml": _write_toml,
        "shopify": _write_shopify,
        "woocommerce": _write_woocommerce,
    }[form]
    return writer(folder, count, seed)


def _write_variant_csv(folder: Path, count: int, seed: int) -> Path:
    path = folder / f"catalog-{count}-variants.csv"
    columns = ["id", "title", "category", "description", "options", "variant_id", "option1", "price", "stock"]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row, variants in _with_variants(count, seed):
            if not variants:
                writer.writerow(
                    [
                        row["id"],
                        row["title"],
                        row["category"],
                        row["description"],
                        "",
                        "",
                        "",
                        row["price"],
                        row["stock"],
                    ]
                )
                continue
            for i, (sku, pack, price, stock) in enumerate(variants):
                head = [row["title"], row["category"], row["description"], "Pack"] if i == 0 else ["", "", "", ""]
                writer.writerow([f"{row['id']}-p", *head, sku, pack, price, stock])
    return path


def _entries(count: int, seed: int) -> Iterator[dict[str, object]]:
    for row, variants in _with_variants(count, seed):
        entry: dict[str, object] = {k: row[k] for k in ("id", "title", "category", "description")}
        if variants:
            entry["id"] = f"{row['id']}-p"
            entry["options"] = ["Pack"]
            entry["variants"] = [
                {"id": sku, "values": [pack], "price": price, **({"stock": int(stock)} if stock else {})}
                for sku, pack, price, stock in variants
            ]
        else:
            entry["price"] = row["price"]
            if row["stock"]:
                entry["stock"] = int(row["stock"])
        yield entry


def _write_json(folder: Path, count: int, seed: int) -> Path:
    path = folder / f"catalog-{count}.json"
    with path.open("w", encoding="utf-8") as f:
        f.write('{"products": [\n')
        for i, entry in enumerate(_entries(count, seed)):
            f.write((",\n" if i else "") + json.dumps(entry, ensure_ascii=False))
        f.write("\n]}\n")
    return path


def _write_toml(folder: Path, count: int, seed: int) -> Path:
    """A ``shop.toml`` with the products inline (``[[catalog.products]]``), storage beside it."""
    path = folder / f"shop-{count}.toml"
    with path.open("w", encoding="utf-8") as f:
        f.write('[shop]\nname = "Bench Bazaar"\ncurrency = "INR"\n\n[storage]\nurl = "sqlite:///shop.db"\n\n')
        f.write("[channels.terminal]\n\n")
        for entry in _entries(count, seed):
            f.write("[[catalog.products]]\n")
            for key in ("id", "title", "category", "description", "price", "stock"):
                if key in entry:
                    f.write(f"{key} = {json.dumps(entry[key], ensure_ascii=False)}\n")
            if "options" in entry:
                f.write(f"options = {json.dumps(entry['options'])}\n")
                for variant in entry["variants"]:  # type: ignore[attr-defined]
                    f.write("[[catalog.products.variants]]\n")
                    for key, value in variant.items():
                        f.write(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")
            f.write("\n")
    return path


_SHOPIFY = [
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Variant SKU",
    "Variant Inventory Qty",
    "Variant Price",
    "Image Src",
    "Status",
]


def _write_shopify(folder: Path, count: int, seed: int) -> Path:
    path = folder / f"products_export_{count}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, _SHOPIFY)
        writer.writeheader()
        for row, variants in _with_variants(count, seed):
            first = {
                "Handle": f"{row['id']}-p" if variants else row["id"],
                "Title": row["title"],
                "Body (HTML)": f"<p>{row['description']}</p>",
                "Vendor": row["title"].split()[0],
                "Type": row["category"],
                "Published": "TRUE",
                "Status": "active",
            }
            if not variants:
                writer.writerow(
                    {
                        **first,
                        "Option1 Name": "Title",
                        "Option1 Value": "Default Title",
                        "Variant SKU": row["id"],
                        "Variant Inventory Qty": row["stock"],
                        "Variant Price": row["price"],
                    }
                )
                continue
            for i, (sku, pack, price, stock) in enumerate(variants):
                own = {
                    "Variant SKU": sku,
                    "Option1 Value": pack,
                    "Variant Price": price,
                    "Variant Inventory Qty": stock,
                }
                head = {**first, "Option1 Name": "Pack"} if i == 0 else {"Handle": first["Handle"]}
                writer.writerow({**head, **own})
    return path


_WOO = [
    "ID",
    "Type",
    "SKU",
    "Name",
    "Published",
    "Short description",
    "Description",
    "In stock?",
    "Stock",
    "Sale price",
    "Regular price",
    "Categories",
    "Images",
    "Parent",
    "Attribute 1 name",
    "Attribute 1 value(s)",
]


def _write_woocommerce(folder: Path, count: int, seed: int) -> Path:
    path = folder / f"wc-product-export-{count}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, _WOO)
        writer.writeheader()
        number = 0
        for row, variants in _with_variants(count, seed):
            number += 1
            base = {"Published": "1", "Description": f"<p>{row['description']}</p>", "Categories": row["category"]}
            if not variants:
                writer.writerow(
                    {
                        **base,
                        "ID": number,
                        "Type": "simple",
                        "SKU": row["id"],
                        "Name": row["title"],
                        "In stock?": "1",
                        "Stock": row["stock"],
                        "Regular price": row["price"],
                    }
                )
                continue
            parent = number
            packs = ", ".join(pack for _, pack, _, _ in variants)
            writer.writerow(
                {
                    **base,
                    "ID": parent,
                    "Type": "variable",
                    "SKU": f"{row['id']}-p",
                    "Name": row["title"],
                    "Attribute 1 name": "Pack",
                    "Attribute 1 value(s)": packs,
                }
            )
            for sku, pack, price, stock in variants:
                number += 1
                writer.writerow(
                    {
                        "ID": number,
                        "Type": "variation",
                        "SKU": sku,
                        "Name": f"{row['title']} - {pack}",
                        "Published": "1",
                        "In stock?": "1",
                        "Stock": stock,
                        "Regular price": price,
                        "Parent": f"id:{parent}",
                        "Attribute 1 name": "Pack",
                        "Attribute 1 value(s)": pack,
                    }
                )
    return path
