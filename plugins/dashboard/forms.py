"""Reading a dashboard form: a body no browser sends is the sender's mistake (400), never ours.

aiohttp decodes a posted form as it is read, and raises what it met: bytes that are not UTF-8, a
charset Python does not know, multipart without its boundary or with broken part headers. Left
alone, each would be a 500 at the login and at every form, answered to anyone.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

__all__ = ["form_of"]


async def form_of(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The request's form (read once; aiohttp keeps it for later calls), or 400 if it cannot be read."""
    try:
        return await request.post()
    except (ValueError, LookupError, HttpProcessingError):  # UnicodeDecodeError is a ValueError
        raise web.HTTPBadRequest(text="a form the dashboard cannot read: send it from the page") from None
