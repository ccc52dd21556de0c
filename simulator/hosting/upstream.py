"""The slow upstream service the httpx views call: answers ``/news?delay_ms=X`` after X ms.

A real HTTP/1.1 server on 127.0.0.1 and an ephemeral port, on its own event loop thread, so
the views' httpx clients go through real sockets. h11 (which httpx itself is built on) does
the HTTP; asyncio does the waiting, so thousands of slow calls cost no thread each.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import h11

from simulator.errors import UpstreamError

__all__ = ["SlowUpstream"]

#: Longest delay the upstream accepts, as the views' I/O dial allows.
MAX_DELAY_MS = 10_000


class SlowUpstream:
    """Start with ``with SlowUpstream() as upstream:``; ``upstream.url`` is where it listens."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port: int | None = None
        self.requests_served = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the upstream is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        started = threading.Event()
        failure: list[BaseException] = []
        self._loop = loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._handle, self.host, 0, backlog=4096)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except OSError as exc:
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="slow-upstream", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            raise UpstreamError(f"could not start the slow upstream on {self.host}: {failure[0]}")

    def close(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._hang_up(), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self.port = None

    async def _hang_up(self) -> None:
        """Stop listening and drop every open connection (their calls fail, as in life)."""
        if self._server is not None:
            self._server.close()
        others = asyncio.all_tasks() - {asyncio.current_task()}
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self) -> SlowUpstream:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = h11.Connection(h11.SERVER)
        try:
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    data = await reader.read(65536)
                    connection.receive_data(data)
                    if not data:
                        break
                    continue
                if isinstance(event, h11.Request):
                    status, body = await self._answer(event.target.decode("latin-1"))
                    headers = [
                        ("content-type", "text/plain"),
                        ("content-length", str(len(body))),
                    ]
                    writer.write(connection.send(h11.Response(status_code=status, headers=headers)))
                    writer.write(connection.send(h11.Data(data=body)))
                    writer.write(connection.send(h11.EndOfMessage()))
                    await writer.drain()
                    self.requests_served += 1
                elif isinstance(event, h11.EndOfMessage):
                    if connection.our_state is h11.DONE and connection.their_state is h11.DONE:
                        connection.start_next_cycle()
                elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                    break
        except (h11.RemoteProtocolError, ConnectionError):
            pass
        except asyncio.CancelledError:
            return  # hung up by close(); the writer is closed below
        finally:
            writer.close()

    @staticmethod
    async def _answer(target: str) -> tuple[int, bytes]:
        parts = urlsplit(target)
        if parts.path != "/news":
            return 404, b"no such page"
        try:
            delay_ms = float(parse_qs(parts.query).get("delay_ms", ["0"])[0])
        except ValueError:
            return 400, b"delay_ms must be a number"
        if not 0 <= delay_ms <= MAX_DELAY_MS:
            return 400, b"delay_ms out of range"
        await asyncio.sleep(delay_ms / 1000)
        return 200, b"breaking news"
