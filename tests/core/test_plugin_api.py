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


#: Built-in plugins that still reach past the plugin API, each with what it is waiting for. The
#: list may only shrink: an entry whose plugin no longer needs a private door fails the test below
#: until it is removed. A built-in plugin not listed here lives by the rule third parties do.
NOT_YET = {
    "dialog": "the shopping conversation itself: the engine's helpers, checkout, slots, discounts, consent",
    "handover": "the staff hand-over the team inbox serves: the core's own [support] section and its hours "
    "(chatshop.hours), the engine's ask_again and spoken, the shop's command words (shop.texts), the runtime shop",
    "dashboard": "the core's own staff UI: accounts, roles and sessions (chatshop.staff, store.people), "
    "transcripts, the order state table, invoices re-issued, stock edits (store.base.StockChanged)",
    "invoices.py": "the core's own [invoices] section: invoice numbers issued by the store, each year's "
    "without gap or repeat across workers (store.issue_invoice/get_invoice, InvoiceRecord; a migration's table), "
    "shared with the dashboard's re-issue and the orders dialog (chatshop.invoices, invoice_pdf)",
    "tax.py": "implements the core's own [tax] section (TaxSection and tax_system, which the config's "
    "validation and the invoices share), spreads a discount by the rules of [[discounts]] (eligible_lines), "
    "and computes with the core's tax module and India's state table (the config validates home_state with it): "
    "plugins cannot own a top-level shop.toml section yet",
}


def _unit(path: Path) -> str:
    """The plugin a file belongs to: ``whatsapp``, ``invoices.py``, or ``payments/stripe`` (each
    payment method is a plugin of its own)."""
    parts = path.relative_to(ROOT / "plugins").parts
    if parts[0] == "payments" and len(parts) > 1:
        return f"payments/{parts[1]}"
    return parts[0]


def _private_imports() -> dict[str, set[str]]:
    """What each built-in plugin imports from chatshop that docs/plugins.md does not list."""
    table = public_names()
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        if path.name == "__init__.py" and path.parent == ROOT / "plugins":
            continue
        unit = _unit(path)
        found.setdefault(unit, set())
        for module, name in _chatshop_imports(path):
            if module.startswith("chatshop.plugins"):
                continue  # another plugin (a payment method's shared helper, a feature it builds on)
            if module.startswith("chatshop.dialog") and module in table:
                continue  # the conversation's modules: their section of the guide lists them
            if module in table and name in table[module]:
                continue
            found[unit].add(f"{path.relative_to(ROOT / 'plugins')}: {module}.{name}".rstrip("."))
    return found


def test_the_built_in_plugins_use_only_the_plugin_api() -> None:
    """Every channel (Telegram, WhatsApp, WeChat, the web chat, the terminal) and every online
    payment method imports from chatshop only what docs/plugins.md lists: no private door a
    third-party plugin would not have."""
    found = _private_imports()
    assert {"telegram", "whatsapp", "wechat", "webchat", "terminal", "payments/wechatpay"} <= set(found)
    breaking = {unit: sorted(names) for unit, names in found.items() if names and unit not in NOT_YET}
    assert not breaking, f"built-in plugins import private core modules: {breaking}"


def test_the_list_of_plugins_not_yet_on_the_api_only_shrinks() -> None:
    found = _private_imports()
    done = [unit for unit in NOT_YET if not found.get(unit)]
    assert not done, f"{done} use only the plugin API now: take them off NOT_YET"
