"""The plugin API as docs/plugins.md states it: every name it lists exists, the shop it describes is
the one plugins get, and the built-in Telegram channel uses nothing else."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from chatshop.api import Shop as PluginShop
from chatshop.runtime import Shop

ROOT = Path(__file__).parents[2]
GUIDE = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
#: A backticked name, or the function a backticked call names (`retrying(call, ...)`).
_NAME = re.compile(r"`(?:await )?([A-Za-z_][A-Za-z0-9_]*)(`|\()")


def _section(title: str) -> str:
    return GUIDE.split(title, 1)[1].split("\n#", 1)[0]


def public_names() -> dict[str, set[str]]:
    """``{module: names}`` from the table of modules under "The plugin API"."""
    table: dict[str, set[str]] = {}
    for line in _section("## The plugin API").splitlines():
        cells = line.split("|")
        if len(cells) < 4 or not cells[1].strip().startswith("`chatshop"):
            continue
        modules = re.findall(r"`(chatshop[a-z_.]*)`", cells[1])
        what = cells[2]
        while re.search(r"\([^()]*\)", what):  # what is said in passing, in parentheses, is not a name
            what = re.sub(r"\([^()]*\)", "", what)
        names = {name for name, _ in _NAME.findall(what)}
        for module in modules:
            table.setdefault(module, set()).update(names)
    return table


def test_every_name_the_guide_lists_can_be_imported_from_its_module() -> None:
    table = public_names()
    assert {"chatshop.api", "chatshop.channels", "chatshop.payments", "chatshop.messages"} <= set(table)
    for module, names in table.items():
        imported = importlib.import_module(module)
        if module.startswith(("chatshop.dialog", "chatshop.testing")):
            continue  # described in their own sections
        unknown = {n for n in names if not hasattr(imported, n)}
        assert not unknown, f"{module} has no {sorted(unknown)} (docs/plugins.md lists them)"


def test_the_shop_the_guide_describes_is_the_protocol_plugins_get_and_the_runtime_has_it() -> None:
    rows = [line.split("|")[1] for line in _section("### The shop").splitlines() if line.startswith("| `")]
    members = {name for row in rows for name, _ in _NAME.findall(row)}
    protocol = {name for name in dir(PluginShop) if not name.startswith("_")}
    assert members <= protocol, f"the guide describes {sorted(members - protocol)}, which chatshop.api.Shop lacks"
    assert protocol <= members, f"chatshop.api.Shop has {sorted(protocol - members)} the guide does not describe"
    for name in protocol:
        assert hasattr(Shop, name) or name in Shop.__init__.__code__.co_names, f"the runtime has no {name}"


def _chatshop_imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chatshop") and node.level == 0:
            found.extend((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "") for alias in node.names if alias.name.startswith("chatshop"))
    return found


def test_the_telegram_channel_uses_only_the_plugin_api() -> None:
    """Written against the public API alone: the proof that a channel needs nothing else."""
    table = public_names()
    for path in sorted((ROOT / "plugins" / "telegram").glob("*.py")):
        for module, name in _chatshop_imports(path):
            assert module in table and name in table[module], f"{path.name} imports {module}.{name}, not public"
