"""Jinja2 templates for server-rendered pages, with autoescaping on (shared with the dashboard)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

__all__ = ["Templates"]


class Templates:
    def __init__(self, folder: Path) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=jinja2.select_autoescape(default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def response(
        self, name: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> web.Response:
        return web.Response(
            text=self.render(name, **context), status=status, content_type="text/html", charset="utf-8", headers=headers
        )
