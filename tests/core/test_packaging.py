"""The package as pip installs it: every folder listed, typed, and visible to static tools."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_folder_is_listed() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {"chatshop"}
    for base, prefix in ((ROOT / "core", "chatshop"), (ROOT / "plugins", "chatshop.plugins")):
        for init in base.rglob("__init__.py"):
            if "plugins" in init.relative_to(base).parts[:1] and base.name == "core":
                continue  # core/plugins is the link to plugins/, walked on its own
            parts = init.parent.relative_to(base).parts
            found.add(".".join((prefix, *parts)))
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_package_is_typed_and_its_editable_layout_is_a_plain_path() -> None:
    """py.typed ships, and src/ holds `chatshop` (core/) with `chatshop/plugins` (plugins/) inside,
    so the editable install is a path entry mypy and pyright follow (not an import hook)."""
    assert (ROOT / "core" / "py.typed").is_file()
    assert "py.typed" in _pyproject()["tool"]["setuptools"]["package-data"]["*"]
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == {"": "src"}
    assert (ROOT / "src" / "chatshop").resolve() == (ROOT / "core").resolve()
    assert (ROOT / "src" / "chatshop" / "plugins").resolve() == (ROOT / "plugins").resolve()
