"""An HTTP/1.1 request written byte for byte, for what no client library will send.

aiohttp's client refuses (or re-encodes) a header holding a byte that is not UTF-8; a forger's
script does not, and the server must answer it like any other bad request.
"""

from __future__ import annotations

import asyncio

__all__ = ["raw_request"]


async def raw_request(
    url: str, method: str, target: bytes, headers: dict[bytes, bytes], body: bytes = b""
) -> tuple[int, bytes]:
    """Send one request to the server at ``url`` (``http://host:port``); its status and body."""
    host, _, port = url.removeprefix("http://").rstrip("/").partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: " + host.encode(), b"Connection: close"]
    lines += [name + b": " + value for name, value in headers.items()]
    lines.append(b"Content-Length: " + str(len(body)).encode())
    writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
    await writer.drain()
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, content = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), content
