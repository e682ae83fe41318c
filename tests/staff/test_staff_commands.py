"""``chatshop staff add|password|remove|list`` and ``chatshop audit``: passwords from a prompt or an
environment variable, hashed (never printed or stored in clear), precise errors that change nothing."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatshop.cli import cli
from chatshop.staff import verify_password
from chatshop.store.people import StaffAccount
from chatshop.store.sqlite import SQLiteStore

TOML = """
[shop]
name = "Kirana Corner"
currency = "INR"

[storage]
url = "sqlite:///shop.db"

[admin]
"""
SECRET = "correct horse battery"


@pytest.fixture
def shop_toml(tmp_path: Path) -> str:
    path = tmp_path / "shop.toml"
    path.write_text(TOML)
    return str(path)


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, env=env)
    return result.exit_code, result.output


def account(shop_toml: str, name: str) -> StaffAccount | None:
    async def read() -> StaffAccount | None:
        store = SQLiteStore(Path(shop_toml).parent / "shop.db")
        await store.open()
        try:
            return await store.get_staff(name)
        finally:
            await store.close()

    return asyncio.run(read())


def test_staff_are_added_from_an_environment_variable_or_a_prompt(shop_toml: str) -> None:
    code, out = run("staff", "add", shop_toml, "Anna", "--role", "owner", "--password-env", "PW", env={"PW": SECRET})
    assert (code, out.strip()) == (0, "added Anna (owner)")
    code, out = run("staff", "add", shop_toml, "रवि", input=f"{SECRET}\n{SECRET}\n")
    assert code == 0 and "added रवि (agent)" in out
    anna = account(shop_toml, "Anna")
    assert anna is not None and anna.role == "owner"
    assert anna.password_hash.startswith("$argon2id$") and SECRET not in anna.password_hash
    assert verify_password(anna, SECRET) and not verify_password(anna, "wrong password")
    raw = (Path(shop_toml).parent / "shop.db").read_bytes()
    assert SECRET.encode() not in raw
    code, out = run("staff", "list", shop_toml, "--json")
    assert code == 0 and [(r["name"], r["role"]) for r in json.loads(out)] == [("Anna", "owner"), ("रवि", "agent")]
    assert "hash" not in out and "argon2" not in out


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("Anna", "--password-env", "PW"), {"PW": "short"}, "at least 10 characters"),
        (("Anna", "--password-env", "UNSET_PW"), {}, "--password-env: environment variable UNSET_PW is not set"),
        (("<b>", "--password-env", "PW"), {"PW": SECRET}, "a staff name is 1 to 40"),
        (("Anna", "--role", "boss", "--password-env", "PW"), {"PW": SECRET}, "'boss' is not one of"),
    ],
)
def test_a_bad_name_password_or_role_is_refused_and_adds_nobody(
    shop_toml: str, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    code, out = run("staff", "add", shop_toml, *args, env=env)
    assert code != 0 and message in out
    assert run("staff", "list", shop_toml, "--json")[1].strip() == "[]"


def test_a_taken_name_a_missing_one_and_a_mistyped_prompt(shop_toml: str) -> None:
    assert run("staff", "add", shop_toml, "Anna", "--password-env", "PW", env={"PW": SECRET})[0] == 0
    code, out = run("staff", "add", shop_toml, "Anna", "--password-env", "PW", env={"PW": "another password"})
    assert code == 1 and "already a staff member called 'Anna'" in out
    anna = account(shop_toml, "Anna")
    assert anna is not None and verify_password(anna, SECRET)  # unchanged
    code, out = run("staff", "remove", shop_toml, "Nobody")
    assert code == 1 and "no staff member called 'Nobody'" in out
    code, out = run("staff", "add", shop_toml, "Ravi", input=f"{SECRET}\nsomething else\n{SECRET}\n{SECRET}\n")
    assert code == 0 and "do not match" in out


def test_a_new_password_and_a_removal_are_audited(shop_toml: str) -> None:
    run("staff", "add", shop_toml, "Anna", "--password-env", "PW", env={"PW": SECRET})
    before = account(shop_toml, "Anna")
    code, out = run("staff", "password", shop_toml, "Anna", "--password-env", "PW", env={"PW": "a new password"})
    assert code == 0 and "sessions ended" in out
    after = account(shop_toml, "Anna")
    assert before is not None and after is not None and after.session_key != before.session_key
    assert verify_password(after, "a new password")
    assert run("staff", "remove", shop_toml, "Anna")[0] == 0
    assert account(shop_toml, "Anna") is None
    code, out = run("audit", shop_toml, "--json")
    entries = json.loads(out)
    assert [(e["actor"], e["action"], e["subject"]) for e in entries] == [
        ("command line", "staff.removed", "Anna"),
        ("command line", "staff.password", "Anna"),
        ("command line", "staff.added", "Anna"),
    ]
    assert SECRET not in out
    code, text = run("audit", shop_toml, "--subject", "Anna", "--limit", "1")
    assert code == 0 and "staff.removed" in text and "staff.added" not in text


def test_the_commands_need_only_the_database(tmp_path: Path) -> None:
    """No channel secret is needed (a deploy script adds the first agent before the shop runs)."""
    path = tmp_path / "shop.toml"
    path.write_text(TOML + '\n[channels.whatsapp]\nphone_number_id = "1"\naccess_token_env = "NOT_SET_ANYWHERE"\n')
    code, out = run("staff", "add", str(path), "Anna", "--password-env", "PW", env={"PW": SECRET})
    assert code == 0, out
    with sqlite3.connect(tmp_path / "shop.db") as db:
        assert db.execute("SELECT name, role FROM staff").fetchall() == [("Anna", "agent")]


def test_a_name_is_removed_however_its_accents_were_composed(shop_toml: str) -> None:
    """"Zoë" typed with a combining diaeresis (as some keyboards and copied file names give it) is
    the account that was added as "Zoë": names are kept composed (NFC), and looked up so too."""
    assert run("staff", "add", shop_toml, "Zo\u00eb", "--password-env", "PW", env={"PW": SECRET})[0] == 0
    code, said = run("staff", "remove", shop_toml, "Zoe\u0308")
    assert code == 0, said
    assert account(shop_toml, "Zo\u00eb") is None
