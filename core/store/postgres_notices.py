"""A connection of the store's own that listens for one channel of the database's notices.

``LISTEN`` is session state, so it cannot live on the pool's connections (they are shared and
never reset, see ``_keep_session``); the notices come on this connection as other sessions commit.
What relies on them must know when they may have been missed: ``started`` is called once notices
are heard, ``stopped`` as soon as the connection is lost (the server restarted, a network fault);
it is then opened again in the background, with growing pauses, until the store closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import structlog

__all__ = ["Notices"]

log = structlog.get_logger(__name__)


class Notices:
    def __init__(
        self,
        url: str,
        channel: str,
        *,
        heard: Callable[[str], None],
        started: Callable[[], None],
        stopped: Callable[[], None],
        retry_seconds: float = 0.5,
        most_retry_seconds: float = 15.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self._heard = heard
        self._started = started
        self._stopped = stopped
        self.retry_seconds = retry_seconds
        self.most_retry_seconds = most_retry_seconds
        self._connection: asyncpg.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._retrying: asyncio.Task[None] | None = None
        self._closing = False

    def heard_here(self) -> bool:
        """Whether notices are being heard by the running event loop (a store reused under another
        ``asyncio.run`` hears nothing: the connection belongs to the loop that opened it)."""
        if self._connection is None or self._connection.is_closed():
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    @property
    def backend_pid(self) -> int | None:
        """The listening session's process on the server (for tests that cut it)."""
        return self._connection.get_server_pid() if self._connection is not None else None

    async def start(self) -> None:
        """Listen now, or keep trying in the background if the database cannot be reached."""
        self._closing = False
        if not await self._listen():
            self._retry_soon()

    async def close(self) -> None:
        self._closing = True
        if self._retrying is not None:
            self._retrying.cancel()
            await asyncio.gather(self._retrying, return_exceptions=True)
            self._retrying = None
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.remove_termination_listener(self._lost)
            self._stopped()
            if asyncio.get_running_loop() is self._loop:
                await connection.close()
            else:  # opened under an event loop that is gone: nothing left to say goodbye with
                connection.terminate()

    async def _listen(self) -> bool:
        try:
            connection = await asyncpg.connect(self.url)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("store.notices_unreachable", channel=self.channel, error=type(error).__name__)
            return False
        try:
            await connection.add_listener(self.channel, self._notice)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("store.notices_refused", channel=self.channel, error=type(error).__name__)
            connection.terminate()
            return False
        if self._closing:
            await connection.close()
            return False
        connection.add_termination_listener(self._lost)
        self._connection, self._loop = connection, asyncio.get_running_loop()
        self._started()
        return True

    def _notice(self, connection: object, pid: int, channel: str, payload: object) -> None:
        self._heard(str(payload))

    def _lost(self, connection: object) -> None:
        if connection is not self._connection:
            return
        self._connection = None
        self._stopped()
        log.warning("store.notices_lost", channel=self.channel)
        if not self._closing:
            self._retry_soon()

    def _retry_soon(self) -> None:
        if self._retrying is None or self._retrying.done():
            self._retrying = asyncio.ensure_future(self._retry())

    async def _retry(self) -> None:
        pause = self.retry_seconds
        while not self._closing:
            await asyncio.sleep(pause)
            if await self._listen():
                log.info("store.notices_back", channel=self.channel)
                return
            pause = min(pause * 2, self.most_retry_seconds)
