"""The client over real sockets: a scenario's requests to a real server or someone's site.

The lean client of :mod:`simulator.hosting.http_client` on an event loop of its own thread:
not the window's (Qt's) loop, whose painting would otherwise be drawn as the site's time,
and one client, as a load tool has (on 2 cores, more client processes take CPU from the
server). Its thread's CPU time is measured (``client_cpu_ns``): what the client cost the
machine. The answer's ``Server-Timing`` headers tell what the server did. Every failure a
request can meet (refused, timed out, TLS, a closed connection, a non-2xx answer) ends its
lane with its reason; the run goes on. :meth:`SocketDriver.stop` may be called from any
thread and ends the run within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass

from embedded_site.server_timing import ServerTiming, parse_server_timing
from simulator.hosting.burst import Burst
from simulator.hosting.http_client import (
    CONNECT_TIMEOUT_S,
    REQUEST_TIMEOUT_S,
    Answer,
    ClientError,
    Target,
    open_target,
)
from simulator.hosting.site_timing import SiteMetric, site_metrics
from simulator.scenario import Scenario
from simulator.trace.data import Status

__all__ = [
    "CONNECT_TIMEOUT_S",
    "MAX_CONNECTIONS",
    "REQUEST_TIMEOUT_S",
    "RUN_DEADLINE_S",
    "SocketDriver",
    "SocketRecord",
]

#: The most connections the client holds at once; more requests wait for one to answer.
MAX_CONNECTIONS = 1000
#: The longest a run over sockets may take in all, after its last send; then it is stopped.
RUN_DEADLINE_S = 120.0
#: Files the process keeps open besides the client's connections (libraries, logs, pipes).
_SPARE_FILES = 256


@dataclass(slots=True)
class SocketRecord(Answer):
    """What the client saw of one request (monotonic ns; ``None`` where it never got there)."""

    request_id: int
    sent_ns: int
    done_ns: int | None = None
    status: Status = "running"
    error: str | None = None
    timing: ServerTiming | None = None
    #: A site's own Server-Timing metrics, where the header holds no ``lanes`` entry.
    site_metrics: tuple[SiteMetric, ...] = ()


class SocketDriver(Burst[SocketRecord]):
    """Sends ``scenario.requests`` GETs to ``url`` at the scenario's arrival spacing.

    ``records`` grows as requests are sent; a watcher (the window) reads it while it runs.
    """

    def __init__(
        self,
        scenario: Scenario,
        url: str,
        headers: tuple[tuple[str, str], ...] = (),
        *,
        any_host: bool = False,
    ) -> None:
        super().__init__(scenario)
        self.max_in_flight = min(self.max_in_flight, MAX_CONNECTIONS)
        self.url = url
        self.headers = headers
        #: Whether ``url``'s host may be anywhere (named by the person running it); else
        #: the client connects only to an address it checked to be loopback.
        self.any_host = any_host
        #: The client thread's CPU time over the run, once it has ended.
        self.client_cpu_ns: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def stop(self) -> None:
        """Give up on every request in flight; unsent ones are never sent. Any thread."""
        self._stopping = True
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the client's loop has just ended
                loop.call_soon_threadsafe(super().stop)

    async def run(self) -> None:
        """Send every request and wait for all answers, :meth:`stop` or the run's deadline;
        the client runs on a thread of its own while the caller's loop stays free."""
        caller = asyncio.get_running_loop()
        done: asyncio.Future[None] = caller.create_future()

        def settle(error: BaseException | None) -> None:
            if done.done():
                return
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

        def client_thread() -> None:
            error: BaseException | None = None
            try:
                asyncio.run(self._run_here())
            except BaseException as exc:  # handed to the caller, raised there
                error = exc
            with contextlib.suppress(RuntimeError):  # the caller's loop is gone: nobody waits
                caller.call_soon_threadsafe(settle, error)

        threading.Thread(target=client_thread, name="async-lanes client", daemon=True).start()
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            self.stop()
            raise

    async def _run_here(self) -> None:
        self._loop = asyncio.get_running_loop()
        cpu_start = time.thread_time_ns()
        target: Target | ClientError
        try:
            target = await open_target(self.url, self.headers, any_host=self.any_host)
        except ClientError as exc:
            target = exc
        _raise_open_files(self.max_in_flight)

        def record_for(request_id: int) -> SocketRecord:
            return SocketRecord(request_id, time.perf_counter_ns())

        try:
            tasks = await self._send_burst(record_for, lambda r: self._send(target, r))
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=RUN_DEADLINE_S)
                if pending:
                    super().stop()
                    await asyncio.gather(*pending, return_exceptions=True)
                self._raise_failure()
        finally:
            if isinstance(target, Target):
                target.close()
            self.client_cpu_ns = time.thread_time_ns() - cpu_start

    async def _send(self, target: Target | ClientError, record: SocketRecord) -> None:
        try:
            if isinstance(target, ClientError):
                raise target
            await target.fetch(record)
        except asyncio.CancelledError:
            record.status = "cancelled"
        except ClientError as exc:  # refused, timed out, TLS...: the lane says which
            record.status = "error"
            record.error = str(exc)
        except Exception as exc:  # anything else still ends this lane only, with its name
            record.status = "error"
            record.error = f"{type(exc).__name__}: {exc}"
        else:
            header = ", ".join(record.server_timing)
            record.timing = parse_server_timing(header)
            if record.timing is None and header:
                record.site_metrics = site_metrics(header)
            code = record.status_code or 0
            if 200 <= code < 300:
                record.status = "ok"
            else:
                record.status = "error"
                record.error = f"HTTP {code} {record.reason}".strip()
        record.done_ns = time.perf_counter_ns()


def _raise_open_files(connections: int) -> None:
    """Let the process hold ``connections`` sockets at once: raise its soft open-file limit
    toward the hard one when it is lower (often 1,024)."""
    try:
        import resource
    except ImportError:  # not Unix: the system's own limit holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + _SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
