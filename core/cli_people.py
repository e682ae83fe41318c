"""``chatshop staff`` and ``chatshop audit``: the shop's people from the command line.

They need only ``[storage]`` (no channel or provider secret), like ``chatshop migrate``: a deploy
script can add the first agent before the shop ever runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from chatshop.cli import _fail, _run, _store, friendly_errors
from chatshop.staff import Role, StaffError, check_name, new_account, new_session_key
from chatshop.store.base import Store

__all__ = ["audit", "staff"]

T = TypeVar("T")

#: Who the audit log says acted when a command did it.
COMMAND_LINE = "command line"


def _password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            _fail(f"--password-env: environment variable {password_env} is not set")
        return str(value)
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


async def _with(store: Store, work: Callable[[], Awaitable[T]]) -> T:
    """``work()`` on the opened store (brought to the newest schema), closed afterwards."""
    await store.open()
    try:
        return await work()
    finally:
        await store.close()


@click.group()
def staff() -> None:
    """Staff accounts for the dashboard: add, remove, list, set a new password."""


@staff.command("add")
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.AGENT.value, show_default=True)
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable (scripts).")
@friendly_errors
def staff_add(shop_toml: str, name: str, role: str, password_env: str | None) -> None:
    """Add a staff member; the password is asked for (twice) unless --password-env names it."""
    _, store = _store(shop_toml)
    try:
        account = new_account(name, role, _password(password_env))
    except StaffError as e:
        _fail(f"error: {e}")

    async def add() -> bool:
        if not await store.add_staff(account):
            return False
        await store.record_audit(COMMAND_LINE, "staff.added", account.name, account.role)
        return True

    if not _run(_with(store, add)):
        _fail(f"error: there is already a staff member called {account.name!r}")
    click.echo(f"added {account.name} ({account.role})")


@staff.command("password")
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("name")
@click.option("--password-env", metavar="VAR", help="Read the password from this environment variable (scripts).")
@friendly_errors
def staff_password(shop_toml: str, name: str, password_env: str | None) -> None:
    """Set a new password; the member's open sessions end."""
    _, store = _store(shop_toml)
    try:
        changed = new_account(name, Role.AGENT.value, _password(password_env))
    except StaffError as e:
        _fail(f"error: {e}")

    async def update() -> bool:
        if not await store.set_staff_password(changed.name, changed.password_hash, new_session_key()):
            return False
        await store.record_audit(COMMAND_LINE, "staff.password", changed.name)
        return True

    if not _run(_with(store, update)):
        _fail(f"error: no staff member called {changed.name!r}")
    click.echo(f"new password set for {changed.name}; their sessions ended")


@staff.command("remove")
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.argument("name")
@friendly_errors
def staff_remove(shop_toml: str, name: str) -> None:
    """Remove a staff member; their open sessions end at once."""
    _, store = _store(shop_toml)
    try:
        name = check_name(name)  # as names are kept: composed (NFC), so "Zoë" is found however typed
    except StaffError:
        name = name.strip()  # no account can have it: said below

    async def remove() -> bool:
        if not await store.remove_staff(name):
            return False
        await store.record_audit(COMMAND_LINE, "staff.removed", name)
        return True

    if not _run(_with(store, remove)):
        _fail(f"error: no staff member called {name!r}")
    click.echo(f"removed {name}")


@staff.command("list")
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@friendly_errors
def staff_list(shop_toml: str, as_json: bool) -> None:
    """The staff accounts: name, role, when added (never a password or its hash)."""
    _, store = _store(shop_toml)
    accounts = _run(_with(store, store.list_staff))
    rows = [
        {"name": a.name, "role": a.role, "added": a.created_at.isoformat() if a.created_at else None} for a in accounts
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no staff accounts (the first owner logs in with the [admin] token_env token)")
    for row in rows:
        click.echo(f"{row['name']:<40} {row['role']:<6} {(row['added'] or '')[:16]}")


@click.command()
@click.argument("shop_toml", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--subject", default=None, help="Only what concerns this order number, product or customer.")
@friendly_errors
def audit(shop_toml: str, as_json: bool, limit: int, subject: str | None) -> None:
    """Who did what, newest first: order moves, refunds, price and stock edits, replies, hand-overs, staff."""
    _, store = _store(shop_toml)
    entries = _run(_with(store, lambda: store.audit_log(limit=limit, subject=subject)))
    if as_json:
        rows = [
            {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "subject": e.subject, "detail": e.detail}
            for e in entries
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for e in entries:
        detail = f"  {e.detail}" if e.detail else ""
        click.echo(f"{e.at.strftime('%Y-%m-%d %H:%M:%S')}  {e.actor:<20} {e.action:<22} {e.subject}{detail}")
