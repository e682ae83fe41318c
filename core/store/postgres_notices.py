"""A connection of the store's own that listens for one channel of the database's notices.

``LISTEN`` is session state, so it cannot live on the pool's connections (they are shared and
never reset, see ``_keep_session``); the notices come on this connection as other sessions commit.
What relies on them must know when they may have been missed: ``started`` is called once notices
are heard, ``stopped`` as soon as the connection is lost (the server restarted, a network fault);
it is then opened again in the background, with growing pauses, until the store closes.

A connection that carries nothing for minutes is what a NAT or a load balancer drops without a
word to either end, and it would then hear nothing while seeming fine. So the connection is asked
a trivial question every ``check_seconds``: an answer also means every notice of a change committed
before it was asked has arrived (the server sends them first), so notices count as heard only while
the last answer is that recent; no answer within ``check_seconds`` and the connection is given up.
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
        check_seconds: float = 1.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self._heard = heard
        self._started = started
        self._stopped = stopped
        self.retry_seconds = retry_seconds
        self.most_retry_seconds = most_retry_seconds
        self.check_seconds = check_seconds
        self._connection: asyncpg.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._retrying: asyncio.Task[None] | None = None
        self._checking: asyncio.Task[None] | None = None
        self._answered_at = 0.0  # when the connection last answered, on its event loop's clock
        self._closing = False

    def heard_here(self) -> bool:
        """Whether notices are being heard by the running event loop (a store reused under another
        ``asyncio.run`` hears nothing: the connection belongs to the loop that opened it)."""
        if self._connection is None or self._connection.is_closed():
            return False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        return loop is self._loop and loop.time() - self._answered_at < 2 * self.check_seconds

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
        for task in (self._retrying, self._checking):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._retrying = self._checking = None
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.remove_termination_listener(self._lost)
            self._stopped()
            connection.terminate()  # nothing to flush; a graceful close waits on a dead link for minutes

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
        self._answered_at = self._loop.time()
        self._checking = asyncio.ensure_future(self._check(connection))
        self._started()
        return True

    async def _check(self, connection: asyncpg.Connection) -> None:
        """Ask the connection a trivial question every ``check_seconds``; give it up unanswered."""
        loop = asyncio.get_running_loop()
        while self._listening_on(connection):
            await asyncio.sleep(self.check_seconds)
            asked = loop.time()
            try:
                await connection.fetchval("SELECT 1", timeout=self.check_seconds)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                connection.terminate()
                self._lost(connection)  # terminate() may not tell the termination listeners
                return
            self._answered_at = asked

    def _listening_on(self, connection: asyncpg.Connection) -> bool:
        return connection is self._connection

    def _notice(self, connection: object, pid: int, channel: str, payload: object) -> None:
        self._heard(str(payload))

    def _lost(self, connection: object) -> None:
        if connection is not self._connection:
            return
        self._connection = None
        if self._checking is not None and self._checking is not asyncio.current_task():
            self._checking.cancel()
        self._checking = None
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
