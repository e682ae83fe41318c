"""The law at the confirm button: the binding label (§312j BGB) within every messenger's limit, the
summary's links, the confirmation that repeats them, and `chatshop check` naming what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.plaintext import plain_text
from chatshop.testing import running_shop
from chatshop.texts import Texts, available_locales
from tests.legal.shops import german_shop, indian_shop, plain

ADDRESS = "Hauptstraße 5, 10115 Berlin"


@pytest.mark.parametrize("locale", available_locales())
def test_every_language_has_a_binding_label_that_fits_a_whatsapp_button(locale: str) -> None:
    texts = Texts()
    for key in ("confirm_binding_short", "confirm_short"):
        assert 0 < len(texts.get(locale, key)) <= 20, (locale, key)


def test_the_german_button_says_the_order_must_be_paid() -> None:
    texts = Texts("de")
    assert texts.get("de", "confirm").casefold() == "zahlungspflichtig bestellen"
    assert texts.get("de", "confirm_binding_short") == "Jetzt kaufen"
    assert texts.get("de", "confirm") != "Bestellen"


async def test_the_summary_and_the_confirmation_carry_the_law(tmp_path: Path) -> None:
    async with running_shop(german_shop(), tmp_path) as h:
        await h.choose("anna", "add:honig:2")
        await h.choose("anna", "checkout")
        summary = plain(await h.say("anna", ADDRESS))
        before_button = summary.split("1. Zahlungspflichtig bestellen")[0]
        for shown in (
            "Lieferung: 4,90 €",
            "Summe: 20,70 €",
            "Mit „Zahlungspflichtig bestellen“ geben Sie eine zahlungspflichtige Bestellung auf.",
            "AGB: https://hofladen.example/agb",
            "Widerrufsbelehrung: https://hofladen.example/widerruf",
            "Impressum: https://hofladen.example/impressum",
        ):
            assert shown in before_button, shown
        before = len(h.sent_to("terminal:anna"))
        await h.choose("anna", "confirm")
        sent = [plain(plain_text(m)) for m in h.sent_to("terminal:anna")[before:]]
        (placed,) = [text for text in sent if "Vielen Dank!" in text]
        record = placed.split("Vielen Dank!")[1]  # in the same message, after the thanks (each message is billed)
        assert "Ihre Bestellung" in record and "2 × Honig 500 g: 15,80 €" in record and "Summe: 20,70 €" in record
        assert "Widerrufsbelehrung: https://hofladen.example/widerruf" in record and "AGB:" in record


async def test_an_english_speaking_customer_of_a_german_shop_gets_the_binding_label_too(tmp_path: Path) -> None:
    async with running_shop(german_shop(), tmp_path) as h:
        await h.choose("tom", "lang:en")
        await h.choose("tom", "add:honig:1")
        await h.choose("tom", "checkout")
        summary = plain(await h.say("tom", ADDRESS))
        assert "1. Order with obligation to pay" in summary
        assert "places a binding order that you must pay for" in summary and "Terms and conditions:" in summary


def _check(tmp_path: Path, toml: str) -> tuple[int, str]:
    path = tmp_path / "shop.toml"
    path.write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    return result.exit_code, result.output


def test_check_names_the_keys_eu_law_needs(tmp_path: Path) -> None:
    code, output = _check(tmp_path, german_shop(legal=""))
    assert code == 0
    for key in ("terms_url", "withdrawal_url", "imprint_url", "seller_name", "seller_address"):
        assert f"warning: legal.{key}: missing" in output, key
    assert "EU consumer law" in output


def test_check_names_the_keys_indian_law_needs(tmp_path: Path) -> None:
    code, output = _check(tmp_path, indian_shop(legal='[legal]\nseller_name = "Kirana Corner Pvt Ltd"\n'))
    assert code == 0
    assert "warning: legal.grievance_officer_name: missing" in output
    assert "warning: legal.grievance_officer_contact: missing" in output
    assert "warning: legal.seller_address: missing" in output and "legal.seller_name" not in output
    assert "legal.terms_url" not in output  # no EU law in a rupee shop


def test_check_is_quiet_when_the_law_is_met(tmp_path: Path) -> None:
    code, output = _check(tmp_path, german_shop())
    assert code == 0 and "warning: legal" not in output


def test_bad_legal_links_name_their_key(tmp_path: Path) -> None:
    code, output = _check(tmp_path, german_shop(legal='[legal]\nterms_url = "agb.html"\n'))
    assert code == 1 and "legal.terms_url: expected an address" in output
