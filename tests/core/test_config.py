"""shop.toml validation: every mistake reported with its key path, nothing started."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from chatshop.config import ConfigError, load_config
from chatshop.runtime import Shop

#: The least a shop.toml holds: a name and the currency it sells in.
SHOP = '[shop]\nname = "X"\ncurrency = "INR"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        Shop(load_config(write(tmp_path, text)))
    return {p.path: p.message for p in caught.value.problems}


def test_every_error_names_its_key_path(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
[shop]
name = "X"
currency = "INR"
[server]
port = 99999
[delivery]
fee = "30.005"
[[catalog.products]]
id = "ok"
title = "Fine"
price = "10"
[[catalog.products]]
id = "bad id!"
title = "Broken"
price = "abc"
stock = -1
""",
    )
    assert "server.port" in found
    assert "delivery.fee" in found and "decimal places" in found["delivery.fee"]
    assert "catalog.products[1].id" in found
    assert "catalog.products[1].price" in found
    assert "catalog.products[1].stock" in found


def test_missing_required_and_unknown_keys(tmp_path: Path) -> None:
    found = problems(tmp_path, '[shop]\ncurrency = "INR"\nnmae = "typo"\n')
    assert found["shop.name"] == "required key is missing"
    assert "unknown key" in found["shop.nmae"]


def test_unknown_currency(tmp_path: Path) -> None:
    found = problems(tmp_path, '[shop]\nname = "X"\ncurrency = "RUPEES"\n')
    assert "ISO 4217" in found["shop.currency"]


def test_a_shop_without_a_currency_is_refused_rather_than_sold_in_rupees(tmp_path: Path) -> None:
    """A German shop that left out ``currency`` charged its customers rupees (the old default)."""
    found = problems(tmp_path, '[shop]\nname = "Berliner Laden"\nlocale = "de"\n[delivery]\nfee = "4.90"\n')
    assert list(found) == ["shop.currency"]
    assert found["shop.currency"].startswith("required key is missing")
    assert "ISO 4217" in found["shop.currency"] and "'EUR'" in found["shop.currency"]


def test_toml_numbers_are_read_exactly(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SHOP + '[delivery]\nfee = 0.1\nfree_above = 499.99\n'))
    assert config.delivery.fee is not None and config.delivery.fee.minor == 10
    assert config.delivery.free_above is not None and config.delivery.free_above.minor == 49999


def test_plugin_sections_are_validated_by_the_plugin(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        SHOP + '[payments.cod]\nmax_order_total = "lots"\nfee_typo = 1\n[channels.nosuch]\n',
    )
    assert "payments.cod.max_order_total" in found
    assert "unknown key" in found["payments.cod.fee_typo"]
    assert "no plugin provides this channel" in found["channels.nosuch"]


def test_an_unknown_key_in_a_plugins_section_names_that_sections_keys_not_the_core_readme(tmp_path: Path) -> None:
    """The core's README knows nothing of a plugin's keys: the message lists them instead."""
    found = problems(tmp_path, SHOP + '[payments.cod]\nmax_order_totl = "10.00"\n')
    message = found["payments.cod.max_order_totl"]
    assert "did you mean 'max_order_total'" in message and "README" not in message
    assert "[payments.cod] has: " in message and "areas" in message and "fee" in message
    assert "README" in problems(tmp_path, SHOP + 'nmae = "Y"\n')["shop.nmae"]


def test_an_unknown_key_points_at_the_documentation_of_the_plugin_that_owns_the_section(tmp_path: Path) -> None:
    """A plugin names where its keys are documented (``docs`` on its channel or payment method):
    ``chatshop check`` sends the owner there, not to chatshop's own README."""
    found = problems(tmp_path, SHOP + '[payments.cod]\nmax_order_totl = "10.00"\n')
    assert found["payments.cod.max_order_totl"].endswith("; see chatshop's docs/payments.md (cash on delivery)")
    from chatshop.channels import ChannelConfig
    from chatshop.config import validate_section

    class SmokeConfig(ChannelConfig):
        region: str = "eu"

    with pytest.raises(ConfigError) as raised:
        validate_section(SmokeConfig, {"regoin": "us"}, "channels.smoke", "INR", docs="https://smoke.example/docs")
    [problem] = raised.value.problems
    assert problem.path == "channels.smoke.regoin" and "did you mean 'region'" in problem.message
    assert problem.message.endswith("; see https://smoke.example/docs") and "README" not in problem.message


def test_missing_secret_environment_variable_is_a_startup_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatshop.channels import ChannelConfig
    from chatshop.config import validate_section

    class Needs(ChannelConfig):
        token_env: str

    monkeypatch.delenv("CHATSHOP_TEST_TOKEN", raising=False)
    with pytest.raises(ConfigError) as caught:
        validate_section(Needs, {"token_env": "CHATSHOP_TEST_TOKEN"}, "channels.x", "INR")
    assert str(caught.value.problems[0]) == "channels.x.token_env: environment variable CHATSHOP_TEST_TOKEN is not set"
    monkeypatch.setenv("CHATSHOP_TEST_TOKEN", "s3cret")
    assert validate_section(Needs, {"token_env": "CHATSHOP_TEST_TOKEN"}, "channels.x", "INR").token_env


def test_text_overrides_are_checked(tmp_path: Path) -> None:
    found = problems(tmp_path, SHOP + '[texts.en]\nwelcom = "Hi"\nwelcome = "Hi {customer}"\n')
    assert "unknown text key" in found["texts.en.welcom"]
    assert "placeholder" in found["texts.en.welcome"]


@pytest.mark.parametrize(
    ("welcome", "says"),
    [
        ("Hi {shop", "'{' without its '}'"),
        ("Hi shop}", "'}' without its '{'"),
        ("Hi {shop:d}", "written {shop}"),
        ("Hi {shop!r}", "written {shop}"),
        ("Hi {shop:>99999999}", "written {shop}"),
    ],
)
def test_a_text_whose_placeholder_cannot_be_filled_is_named(tmp_path: Path, welcome: str, says: str) -> None:
    """A stray brace or a format spec would fail every message that uses the text, at the customer."""
    found = problems(tmp_path, SHOP + f'[texts.en]\nwelcome = "{welcome}"\n')
    assert list(found) == ["texts.en.welcome"]
    assert says in found["texts.en.welcome"]


@pytest.mark.parametrize("key", ["search_synonyms", "option_synonyms"])
def test_a_synonym_without_its_meaning_is_named(tmp_path: Path, key: str) -> None:
    """A pair written "doodh: milk" or "chawal" would be dropped without a word, and the search never find it."""
    found = problems(tmp_path, SHOP + f'[texts.en]\n{key} = "dudh=milk, doodh: milk, chawal ,"\n')
    assert found == {f"texts.en.{key}": "'doodh: milk' and 'chawal' are not word=meaning pairs (separated by commas)"}


def test_doubled_braces_in_a_text_are_literal_braces(tmp_path: Path) -> None:
    shop = Shop(load_config(write(tmp_path, SHOP + '[texts.en]\nwelcome = "{{Hi}} {shop}"\n')))
    assert shop.texts.get("en", "welcome", shop="X") == "{Hi} X"


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[shop\nname="))
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_a_shop_toml_not_in_utf8_is_named_by_its_line(tmp_path: Path) -> None:
    """A file saved as Latin-1 (a spreadsheet's or an old editor's default) is one sentence, not a traceback."""
    path = tmp_path / "shop.toml"
    path.write_bytes('[shop]\nname = "Caf\u00e9 Corner"\ncurrency = "INR"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [str(p) for p in caught.value.problems] == ["not UTF-8 at line 2, column 12: save the file as UTF-8"]


def test_a_shop_toml_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Windows Notepad starts a UTF-8 file with a byte order mark; it is not part of the TOML."""
    path = tmp_path / "shop.toml"
    text = '[shop]\nname = "Caf\u00e9"\ncurrency = "INR"\n[[catalog.products]]\nid = "a"\ntitle = "A"\nprice = "1"\n'
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_config(path).shop.name == "Caf\u00e9"


def test_catalog_file_errors_name_the_line_a_spreadsheet_shows(tmp_path: Path) -> None:
    csv_text = (
        "id,title,price,description\n"
        "a,Apple,1.00,fresh\n"
        'b,Banana,1.005,"two\nlines"\n'  # a quoted field over two lines: the next row is on line 5
        "a,Apricot,2.00,\n"
        "c,Cherry,3.00,sweet,surplus\n"
    )
    (tmp_path / "catalog.csv").write_text(csv_text, encoding="utf-8")
    found = problems(tmp_path, SHOP + '[catalog]\nfile = "catalog.csv"\n')
    assert "catalog.csv line 3.price" in found  # every problem at once
    assert found["catalog.csv line 5.id"] == "'a' is already at catalog.csv line 2"
    assert found["catalog.csv line 6"] == "more fields than the header row names"


def test_catalog_json_errors_name_the_entry(tmp_path: Path) -> None:
    entries = '{"products": [{"id": "a", "title": "Apple", "price": "1"}, {"id": "b", "title": "Banana"}]}'
    (tmp_path / "catalog.json").write_text(entries, encoding="utf-8")
    found = problems(tmp_path, SHOP + '[catalog]\nfile = "catalog.json"\n')
    assert found == {"catalog.json[1].price": "required key is missing"}


def test_demo_shop_is_valid() -> None:
    shop = Shop(load_config(Path(__file__).parents[2] / "examples" / "kirana" / "shop.toml"))
    assert len(shop.catalog) >= 30
    assert len(shop.catalog.categories) >= 5
    assert "cod" in shop.payment_methods


def test_negative_or_endless_durations_are_refused_with_their_key_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A negative retry delay crashed the first retry (asyncio.sleep); inf/nan waited forever."""
    monkeypatch.setenv("QA_RZP_SECRET", "x" * 16)
    found = problems(
        tmp_path,
        """
[shop]
name = "X"
currency = "INR"
[payments.razorpay]
key_id = "rzp_test_abc"
key_secret_env = "QA_RZP_SECRET"
webhook_secret_env = "QA_RZP_SECRET"
retry_delays_seconds = [-1, inf, 0, 2.5]
request_timeout_seconds = inf
[payments.stripe]
secret_key_env = "QA_RZP_SECRET"
webhook_secret_env = "QA_RZP_SECRET"
retry_delays_seconds = [nan]
""",
    )
    assert set(found) == {
        "payments.razorpay.retry_delays_seconds[0]",
        "payments.razorpay.retry_delays_seconds[1]",
        "payments.razorpay.request_timeout_seconds",
        "payments.stripe.retry_delays_seconds[0]",
    }
    assert "not a duration" in found["payments.razorpay.retry_delays_seconds[0]"]


def test_a_plugin_duration_is_checked_whatever_the_plugin_declared() -> None:
    from chatshop.channels import ChannelConfig
    from chatshop.config import validate_section

    class Loose(ChannelConfig):
        wait_seconds: float = 1.0
        backoff_minutes: list[float] = Field(default_factory=list)
        count: int = -5  # not a duration: its sign is the plugin's business

    with pytest.raises(ConfigError) as caught:
        validate_section(Loose, {"wait_seconds": -0.5, "backoff_minutes": [1, float("nan")]}, "channels.x", "INR")
    assert [p.path for p in caught.value.problems] == ["channels.x.wait_seconds", "channels.x.backoff_minutes[1]"]
    assert validate_section(Loose, {"wait_seconds": 0}, "channels.x", "INR").wait_seconds == 0


def test_server_durations_refuse_nan_and_inf(tmp_path: Path) -> None:
    found = problems(tmp_path, SHOP + '[server]\nsweep_seconds = nan\nlease_seconds = -inf\n')
    assert {"server.sweep_seconds", "server.lease_seconds"} <= set(found)


def test_languages_without_texts_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, SHOP + 'locale = "fr"\nlocales = ["en", "xx"]\n')
    assert "'fr'" in found["shop.locale"] and "built in" in found["shop.locale"]
    assert "'xx'" in found["shop.locales[1]"]
    # A language the shop translates itself is fine.
    translated = SHOP + 'locale = "fr"\nlocales = ["fr"]\n[texts.fr]\nwelcome = "Bonjour"\n'
    config = load_config(write(tmp_path, translated))
    assert config.shop.locale == "fr"


def test_texts_for_a_language_the_shop_does_not_offer_are_refused(tmp_path: Path) -> None:
    """``[texts.fr]`` in a shop that offers English and German was accepted and never shown."""
    found = problems(tmp_path, SHOP + 'locales = ["en", "de"]\n[texts.fr]\nwelcome = "Bonjour"\n')
    assert list(found) == ["texts.fr"]
    assert "'fr' is not a language this shop offers" in found["texts.fr"] and "shop.locales" in found["texts.fr"]
    # Offered (as the default or in the list) it is used; English is every language's fallback.
    offered = SHOP + 'locale = "fr"\nlocales = ["fr", "de"]\n[texts.fr]\nwelcome = "Bonjour"\n'
    assert load_config(write(tmp_path, offered)).texts["fr"]["welcome"] == "Bonjour"
    german = SHOP + 'locale = "de"\nlocales = ["de"]\n[texts.en]\nwelcome = "Hello"\n[texts.de]\nwelcome = "Hallo"\n'
    assert set(load_config(write(tmp_path, german)).texts) == {"en", "de"}


def test_a_misspelt_section_names_the_right_one(tmp_path: Path) -> None:
    found = problems(tmp_path, SHOP + '[catalogue]\nfile = "c.csv"\n[Server]\nport = 1\n[payment.cod]\n')
    assert "did you mean 'catalog'" in found["catalogue"]
    assert "did you mean 'server'" in found["Server"]
    assert "did you mean 'payments'" in found["payment"]
    found = problems(tmp_path, SHOP + '[[catalog.products]]\nid = "a"\ntitle = "A"\nprise = "1"\n')
    assert "did you mean 'price'" in found["catalog.products[0].prise"]


def test_inline_products_with_one_id_are_refused_at_the_second(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        SHOP + ''
        '[[catalog.products]]\nid = "a"\ntitle = "A"\nprice = "1"\n'
        '[[catalog.products]]\nid = "b"\ntitle = "B"\nprice = "1"\n'
        '[[catalog.products]]\nid = "a"\ntitle = "A again"\nprice = "2"\n',
    )
    assert found == {"catalog.products[2].id": "'a' is already catalog.products[0]"}


def test_blank_names_bad_ids_and_addresses_are_explained(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        '[shop]\nname = "  "\ncurrency = "INR"\n[server]\npublic_url = "shop.example.com"\n'
        '[[catalog.products]]\nid = "atta 5kg"\ntitle = " "\nprice = 12.345\n',
    )
    assert "blank" in found["shop.name"]
    assert "https://" in found["server.public_url"]
    assert "letters, digits" in found["catalog.products[0].id"]
    assert "blank" in found["catalog.products[0].title"]
    assert found["catalog.products[0].price"] == "'12.345' has more than 2 decimal places for INR"  # not Decimal(...)


def test_postal_codes_may_be_written_as_numbers(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SHOP + '[delivery]\nareas = [400050, "400 051"]\n'))
    assert config.delivery.areas == ["400050", "400051"]


def test_durations_longer_than_ten_years_are_refused_with_their_key_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``1e12`` (a typo for 1.0?) would hold a retry or a request for thirty thousand years."""
    found = problems(tmp_path, SHOP + '[server]\ngive_up_sending_seconds = 1e12\n')
    assert "more than ten years" in found["server.give_up_sending_seconds"]
    monkeypatch.setenv("QA_RZP_SECRET", "x" * 16)
    found = problems(
        tmp_path,
        """
[shop]
name = "X"
currency = "INR"
[payments.razorpay]
key_id = "rzp_test_abc"
key_secret_env = "QA_RZP_SECRET"
webhook_secret_env = "QA_RZP_SECRET"
retry_delays_seconds = [0.5, 1e12]
request_timeout_seconds = 315360001
""",
    )
    assert set(found) == {"payments.razorpay.retry_delays_seconds[1]", "payments.razorpay.request_timeout_seconds"}
    # ten years to the second is still a duration (a shop may mean "never" that way)
    config = load_config(write(tmp_path, SHOP + '[server]\ngive_up_sending_seconds = 315360000\n'))
    assert config.server.give_up_sending_seconds == 315360000
