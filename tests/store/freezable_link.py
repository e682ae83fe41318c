"""A TCP relay to PostgreSQL that can stop relaying without closing anything: what a dead network
path (a NAT or load balancer that dropped an idle flow, a paused VM) looks like to both ends."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit


class FreezableLink:
    def __init__(self, url: str) -> None:
        server = urlsplit(url)
        self.url = url
        self.host, self.port = server.hostname or "127.0.0.1", server.port or 5432
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.AbstractServer | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def frozen(self) -> bool:
        return not self._flowing.is_set()

    @frozen.setter
    def frozen(self, frozen: bool) -> None:
        if frozen:
            self._flowing.clear()
        else:
            self._flowing.set()

    async def start(self) -> str:
        """Start relaying; the database's URL through the relay."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        parts = urlsplit(self.url)
        user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return urlunsplit((parts.scheme, f"{user}127.0.0.1:{port}", parts.path, parts.query, parts.fragment))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        self._writers += [writer, up_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    await self._flowing.wait()  # frozen: neither end hears a thing, nothing closes
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def close(self) -> None:
        self.frozen = False
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
