"""``chatshop plugin new NAME --kind channel|payment``: a plugin package that passes its own tests.

The package has a ``pyproject.toml`` with the ``chatshop`` entry point, the plugin module, a config
model, the channel or payment method itself (speaking a simple JSON API marked ``TODO``), a fake of
that API, and tests that run chatshop's conformance kit against it.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import click

__all__ = ["KINDS", "register", "write_plugin"]

KINDS = ("channel", "payment")
_NAME = re.compile(r"[a-z][a-z0-9_]{1,30}")
_RESERVED = {"terminal", "webchat", "whatsapp", "wechat", "telegram", "cod", "razorpay", "stripe", "wechatpay"}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def write_plugin(name: str, kind: str, directory: Path) -> Path:
    """Write the package for plugin ``name`` of ``kind`` into ``directory`` (created; must be empty)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r}: a plugin name is 2-31 lower-case letters, digits and _, starting with a letter")
    if name in _RESERVED:
        raise ValueError(f"{name!r} is a built-in's name: pick another")
    if kind not in KINDS:
        raise ValueError(f"{kind!r}: the kind is one of {', '.join(KINDS)}")
    if directory.exists() and any(directory.iterdir()):
        raise ValueError(f"{directory} is not empty")
    package = f"chatshop_{name}"
    values = {
        "{{name}}": name,
        "{{Name}}": _camel(name),
        "{{NAME}}": name.upper(),
        "{{package}}": package,
        "{{kind}}": kind,
        "{{section}}": "channels" if kind == "channel" else "payments",
    }
    root = resources.files(__name__)
    files = {"common": "", kind: ""}
    for folder in files:
        _copy(root.joinpath(folder), directory, package, values)
    (directory / package / "py.typed").write_text("", encoding="utf-8")
    (directory / "tests" / "__init__.py").write_text("", encoding="utf-8")
    return directory


def _copy(source: resources.abc.Traversable, target: Path, package: str, values: dict[str, str]) -> None:
    for item in source.iterdir():
        name = item.name
        if item.is_dir():
            _copy(item, target / (package if name == "package" else name), package, values)
            continue
        if not name.endswith(".tmpl"):
            continue
        text = item.read_text(encoding="utf-8")
        for token, value in values.items():
            text = text.replace(token, value)
        out = name.removesuffix(".tmpl")
        out = ".gitignore" if out == "gitignore" else out
        (target).mkdir(parents=True, exist_ok=True)
        (target / out).write_text(text, encoding="utf-8")


def register(cli: click.Group) -> None:
    """Add ``chatshop plugin new``."""

    @cli.group("plugin")
    def plugin() -> None:
        """Write and check chatshop plugins."""

    @plugin.command("new")
    @click.argument("name")
    @click.option("--kind", type=click.Choice(KINDS), required=True, help="A messenger channel or a payment method.")
    @click.option(
        "--directory", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Where to write the package (default: ./chatshop-NAME).",
    )
    def new(name: str, kind: str, directory: Path | None) -> None:
        """Write a plugin package that installs, registers itself and passes its own tests."""
        target = directory or Path(f"chatshop-{name.replace('_', '-')}")
        try:
            write_plugin(name, kind, target)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Wrote {target}/: a {kind} plugin '{name}'.")
        click.echo(f"  cd {target} && python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest")
        click.echo("Then change the places marked TODO; docs/plugins.md says what a plugin may use.")
