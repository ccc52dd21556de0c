"""A lean HTTP/1.1 client for bursts: raw asyncio streams and h11, nothing per request it
can do once.

Why not httpx here: a thousand answers read through one ``httpx.AsyncClient`` took the
client 7.5 s of Python where the server had finished in 2.3 s (its pool lock, its trace
callbacks, its URL and header models per request): the app measured its own client. This
one encodes the request once, resolves the host once, keeps idle keep-alive connections in a
plain list (one thread, one loop: no lock), and parses answers with h11. A body is read and
dropped as it comes, so a site answering huge bodies costs no memory.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import h11

from embedded_site.loopback import NotLoopback, loopback_addresses
from simulator.hosting.servers.base import USER_AGENT

__all__ = [
    "CONNECT_TIMEOUT_S",
    "MAX_BODY_BYTES",
    "REQUEST_TIMEOUT_S",
    "USER_AGENT",
    "Answer",
    "ClientError",
    "Target",
    "open_target",
]

#: A request's longest wait for its connection, and for its whole answer.
CONNECT_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 30.0
#: The most of one answer's body read: past it the connection is dropped and the lane says
#: so. Bodies are never kept (memory stays flat), but a site answering 600 MB bodies would
#: have the client spend the run reading them.
MAX_BODY_BYTES = 50_000_000
_CHUNK = 65536
#: How many bytes of an answer that is not HTTP its lane quotes.
_QUOTED = 80
_CLOSED_EARLY = "the server closed the connection before the answer ended"


class _BodyTooLarge(Exception):
    """An answer's body past :data:`MAX_BODY_BYTES`."""


class ClientError(Exception):
    """A request that got no answer, with the one line a person reads in its lane."""


@dataclass(slots=True, kw_only=True)
class Answer:
    """What one request met, in monotonic ns (``None`` where it never got there)."""

    connected_ns: int | None = None
    request_sent_ns: int | None = None
    first_byte_ns: int | None = None
    status_code: int | None = None
    reason: str = ""
    #: Every ``Server-Timing`` header of the answer, in order.
    server_timing: list[str] = field(default_factory=list)


class _Connection:
    """One keep-alive connection and its h11 state."""

    __slots__ = ("h11", "head", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(our_role=h11.CLIENT)
        #: The first bytes of the answer being read: quoted if it is not HTTP.
        self.head = b""

    def close(self) -> None:
        self.writer.close()


@dataclass(slots=True)
class Target:
    """One URL, resolved and encoded once; :meth:`fetch` GETs it over a free connection."""

    host: str
    port: int
    address: tuple[str, int]
    family: int
    tls: ssl.SSLContext | None
    request: h11.Request
    wire: bytes
    idle: list[_Connection] = field(default_factory=list)

    async def fetch(self, answer: Answer) -> None:
        """GET the target, noting times and headers on ``answer``; raises :class:`ClientError`."""
        connection = self.idle.pop() if self.idle else None
        if connection is not None:
            try:
                await self._exchange(connection, answer)
                return
            except ClientError:
                if answer.first_byte_ns is not None:
                    raise
                # The server closed an idle connection meanwhile: once more on a new one.
                answer.request_sent_ns = None
        connection = await self._connect(answer)
        await self._exchange(connection, answer)

    async def _connect(self, answer: Answer) -> _Connection:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                reader, writer = await asyncio.open_connection(
                    self.address[0],
                    self.address[1],
                    family=self.family,
                    ssl=self.tls,
                    server_hostname=self.host if self.tls else None,
                    limit=_CHUNK,
                )
        except TimeoutError:
            raise ClientError(f"timeout: no connection within {CONNECT_TIMEOUT_S:g} s") from None
        except ssl.SSLError as exc:
            raise ClientError(f"TLS error: {exc}") from None
        except ConnectionRefusedError:
            raise ClientError("refused: nothing listens there (connection refused)") from None
        except OSError as exc:
            raise ClientError(f"connect error: {exc.strerror or exc}") from None
        answer.connected_ns = time.perf_counter_ns()
        return _Connection(reader, writer)

    async def _exchange(self, connection: _Connection, answer: Answer) -> None:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                await self._exchange_now(connection, answer)
        except TimeoutError:
            connection.close()
            raise ClientError(f"timeout: no answer within {REQUEST_TIMEOUT_S:g} s") from None
        except _BodyTooLarge:
            connection.close()
            raise ClientError(
                f"the answer's body is over {MAX_BODY_BYTES // 1_000_000} MB: read no further"
            ) from None
        except h11.RemoteProtocolError:
            connection.close()
            raise ClientError(
                f"the server's answer was not valid HTTP: {_quoted(connection.head)}"
            ) from None
        except (h11.LocalProtocolError, ConnectionError, OSError) as exc:
            connection.close()
            raise ClientError(f"the server closed the connection: {_said(exc)}") from None
        except BaseException:
            connection.close()
            raise

    async def _exchange_now(self, connection: _Connection, answer: Answer) -> None:
        conn = connection.h11
        conn.send(self.request)  # the state machine only: the bytes were encoded once
        conn.send(h11.EndOfMessage())
        connection.writer.write(self.wire)
        if connection.writer.transport.get_write_buffer_size():
            await connection.writer.drain()
        answer.request_sent_ns = time.perf_counter_ns()
        body, closed = 0, False
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError:
                # Closed mid-answer (h11's words: "peer closed connection without sending
                # complete…"), unless what came never looked like HTTP: quoted by _exchange.
                if closed and connection.head.startswith(b"HTTP/"):
                    raise ClientError(_CLOSED_EARLY) from None
                raise
            if event is h11.NEED_DATA:
                data = await connection.reader.read(_CHUNK)
                closed = not data
                if answer.first_byte_ns is None:
                    if not data:  # else h11's words: "can't handle event type ConnectionClosed…"
                        raise ClientError("the server closed the connection without answering")
                    answer.first_byte_ns = time.perf_counter_ns()
                if len(connection.head) < _QUOTED:  # what a garbled answer is quoted by
                    connection.head += data[: _QUOTED - len(connection.head)]
                conn.receive_data(data)
                continue
            if isinstance(event, h11.Response):
                answer.status_code = event.status_code
                answer.reason = event.reason.decode("latin-1", "replace")
                answer.server_timing = [
                    value.decode("latin-1", "replace")
                    for name, value in event.headers
                    if name == b"server-timing"
                ]
            elif isinstance(event, h11.Data):
                body += len(event.data)
                if body > MAX_BODY_BYTES:
                    raise _BodyTooLarge
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ClientError(_CLOSED_EARLY)
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            connection.head = b""
            self.idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        """Close every idle connection."""
        while self.idle:
            self.idle.pop().close()


def _said(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _quoted(head: bytes) -> str:
    """The start of a garbled answer as a person reads it in a lane or a status line: line
    breaks as `` | ``, other control characters as spaces, at most :data:`_QUOTED` bytes
    (h11's own words, "illegal status line: bytearray(b'...')", are for a programmer)."""
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    text = " | ".join(
        "".join(c if c.isprintable() else " " for c in line).strip() for line in lines
    ).strip(" |")
    if not text:
        return "(nothing readable)"
    return f"“{text}…”" if len(head) >= _QUOTED else f"“{text}”"


async def open_target(
    url: str, headers: tuple[tuple[str, str], ...] = (), *, any_host: bool = False
) -> Target:
    """``url`` resolved (once) and its GET encoded (once); raises :class:`ClientError`.

    Unless ``any_host`` (the person running it named the host), every address the host
    resolves to must be loopback, and the one connected to is one so checked: a resolver
    that answers one thing to the check before the run and another now cannot send the
    requests off the machine (``embedded_site.loopback``, the rule everywhere)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    if any_host:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            why = exc.strerror or exc
            raise ClientError(f"connect error: cannot resolve {host}: {why}") from None
        family, _, _, _, address = infos[0]
    else:
        try:
            checked = (await asyncio.to_thread(loopback_addresses, host))[0]
        except NotLoopback as exc:
            raise ClientError(f"refused: {exc}; nothing was sent") from None
        family = socket.AF_INET6 if checked.version == 6 else socket.AF_INET
        address = (str(checked), port)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    host_header = host if parts.port is None else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{port}"
    request = h11.Request(
        method="GET",
        target=target,
        headers=[
            ("Host", host_header),
            ("User-Agent", USER_AGENT),
            ("Accept", "*/*"),
            *headers,
        ],
    )
    wire_conn = h11.Connection(our_role=h11.CLIENT)
    wire = (wire_conn.send(request) or b"") + (wire_conn.send(h11.EndOfMessage()) or b"")
    context = ssl.create_default_context() if tls else None
    return Target(host, port, (str(address[0]), int(address[1])), family, context, request, wire)
