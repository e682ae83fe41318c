"""Saved addresses: asked once, offered at the next checkout with one tap, a typed address still
works, a "no" is remembered, and `chatshop forget` erases them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.testing import running_shop
from tests.legal.shops import german_shop, plain

ON = "[addresses]\nremember = 2\n"


async def test_an_address_saved_with_consent_is_offered_next_time(tmp_path: Path) -> None:
    async with running_shop(german_shop(ON), tmp_path) as h:
        await h.choose("anna", "add:honig:1")
        await h.choose("anna", "checkout")
        asked = plain(await h.say("anna", "Hauptstraße 5, 10115 Berlin"))
        assert "Sollen wir diese Adresse für Ihre nächste Bestellung speichern?" in asked
        summary = plain(await h.choose("anna", "keepaddr:yes"))
        assert "Gespeichert." in summary and "Lieferadresse: Hauptstraße 5, 10115 Berlin" in summary
        await h.choose("anna", "confirm")
        await h.choose("anna", "add:apfel:1")
        offered = plain(await h.choose("anna", "checkout"))
        assert "Wählen Sie eine frühere Adresse" in offered and "Hauptstraße 5, 10115 Berlin" in offered
        summary = plain(await h.choose("anna", "addr:0"))
        assert "Lieferadresse: Hauptstraße 5, 10115 Berlin" in summary and "speichern?" not in summary
        await h.choose("anna", "checkout")
        typed = plain(await h.say("anna", "Gartenweg 2, 14467 Potsdam"))  # a new one typed at the list
        assert "Gartenweg 2, 14467 Potsdam" in typed and "speichern?" in typed
        await h.choose("anna", "keepaddr:yes")
        again = plain(await h.choose("anna", "checkout"))
        assert again.index("Gartenweg") < again.index("Hauptstraße")  # the newest first


async def test_a_no_is_remembered_and_nothing_is_kept(tmp_path: Path) -> None:
    async with running_shop(german_shop(ON), tmp_path) as h:
        await h.choose("bert", "add:honig:1")
        await h.choose("bert", "checkout")
        await h.say("bert", "Hauptstraße 5, 10115 Berlin")
        summary = plain(await h.choose("bert", "keepaddr:no"))
        assert "Bitte prüfen Sie Ihre Bestellung" in summary
        await h.choose("bert", "checkout")
        again = plain(await h.say("bert", "Gartenweg 2, 14467 Potsdam"))
        assert "speichern?" not in again and "Bitte prüfen" in again
        assert await h.shop.store.kv_get("terminal:addresses:bert", h.shop.now()) is None


async def test_forget_erases_the_saved_addresses(tmp_path: Path) -> None:
    async with running_shop(german_shop(ON), tmp_path) as h:
        await h.choose("carl", "add:honig:1")
        await h.choose("carl", "checkout")
        await h.say("carl", "Hauptstraße 5, 10115 Berlin")
        await h.choose("carl", "keepaddr:yes")
        assert await h.shop.store.kv_get("terminal:addresses:carl", h.shop.now())
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["forget", str(tmp_path / "shop.toml"), "terminal:carl"])
    assert result.exit_code == 0, result.output
    async with running_shop(german_shop(ON), tmp_path) as h:
        assert await h.shop.store.kv_get("terminal:addresses:carl", h.shop.now()) is None
        await h.choose("carl", "add:honig:1")
        assert "Wohin sollen wir liefern? Senden Sie" in plain(await h.choose("carl", "checkout"))


async def test_off_by_default(tmp_path: Path) -> None:
    async with running_shop(german_shop(), tmp_path) as h:
        await h.choose("dora", "add:honig:1")
        await h.choose("dora", "checkout")
        assert "speichern?" not in plain(await h.say("dora", "Hauptstraße 5, 10115 Berlin"))


async def test_a_tapped_address_number_that_is_no_number_asks_for_the_address(tmp_path: Path) -> None:
    """A choice id is sent back by the customer's app: "addr:²" (a superscript two passes
    ``str.isdigit``) is a list the shop never offered, answered with the address question, not
    a failed turn."""
    async with running_shop(german_shop(ON), tmp_path) as h:
        await h.choose("dora", "add:honig:1")
        await h.choose("dora", "checkout")
        await h.say("dora", "Hauptstraße 5, 10115 Berlin")
        await h.choose("dora", "keepaddr:yes")
        await h.choose("dora", "confirm")
        await h.choose("dora", "add:apfel:1")
        await h.choose("dora", "checkout")
        for forged in ("addr:²", "addr:99999999999999999999"):
            answer = plain(await h.choose("dora", forged))
            assert "Lieferadresse" not in answer and "Wohin" in answer, answer
