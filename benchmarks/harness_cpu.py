"""The in-process harness's own Python per request, each side alone on one thread.

Run with ``python benchmarks/harness_cpu.py``; ``benchmarks/overhead.py`` prints it as (g).

Path (c) of ``overhead.py`` costs Django's time, the probes', the harness's own Python and
two thread hand-offs a request (the client's loop wakes the site's, the site's wakes the
client's, and the GIL passes between them). On a shared machine the hand-offs' cost moves
with the load; the Python does not, so it is measured here apart, in thread CPU time:

- the client: ``Driver.send`` through ``SiteTransport`` to a server that answers at once,
  on the calling thread (the answer still crosses ``call_soon_threadsafe``, as it does from
  the site's thread);
- the server: ``AsgiServer`` starting a request and serving it to an ASGI app that answers
  at once (no Django), on this thread's loop with the loop monitor timing its steps.

Neither side is what a run uses on its own: each stands in for the other so that only one
side's Python is counted. Best of five batches (a busy machine only ever slows a batch).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from embedded_site.instrumentation import RequestProbe  # noqa: E402
from simulator.hosting.driver import Driver, RequestRecord  # noqa: E402
from simulator.hosting.loop_monitor import LoopMonitor  # noqa: E402
from simulator.hosting.servers import AsgiServer, Server, SiteRequest, SiteResponse  # noqa: E402
from simulator.hosting.servers.base import SITE_HOST, Answer  # noqa: E402
from simulator.hosting.transport import SiteTransport  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

#: The headers and body Django answers ``async_io`` with (its length, give or take).
_HEADERS = [(b"Content-Type", b"text/plain"), (b"Content-Length", b"31")]
_BODY = b"async_io: io 0 ms, cpu 0 ms."


class _AnswersAtOnce(Server):
    """Answers every request as it is submitted, on the caller's thread."""

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def cancel(self, request: SiteRequest, answer: Answer) -> None:
        answer.cancel()

    def submit(self, request: SiteRequest) -> Answer:
        answer = Answer()
        answer.begin()
        answer.set_result(SiteResponse(200, list(_HEADERS), _BODY))
        return answer


async def answer_at_once(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI messages Django sends for ``async_io``, with nothing in between (also
    ``overhead.py``'s (h): the hand-off alone)."""
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})


def _per_request_us(batch: Any, n: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.thread_time_ns()
        asyncio.run(batch(n))
        best = min(best, (time.thread_time_ns() - start) / n / 1e3)
    return best


async def _client(n: int) -> None:
    scenario = Scenario(view="async_io", mode="asgi", requests=1, io_ms=0, cpu_ms=0)
    driver = Driver(scenario, SiteTransport(_AnswersAtOnce()))
    url = httpx.URL(f"http://{SITE_HOST}/async_io/", params={"io_ms": "0", "cpu_ms": "0"})
    for request_id in range(n):
        probe = RequestProbe(request_id, "async_io", sent_ns=time.perf_counter_ns())
        await driver.send(RequestRecord(probe), url)


async def _server(n: int) -> None:
    server = AsgiServer(answer_at_once, monitor=LoopMonitor())
    # The server's own loop is this one: no thread, so only its Python is counted.
    loop = asyncio.get_running_loop()
    server._monitor.install(loop)  # noqa: SLF001
    server._loop = loop  # noqa: SLF001
    headers = [(b"Host", SITE_HOST.encode()), (b"User-Agent", b"async-lanes"), (b"Accept", b"*/*")]
    for request_id in range(n):
        probe = RequestProbe(request_id, "async_io", sent_ns=time.perf_counter_ns())
        request = SiteRequest("GET", "/async_io/", b"io_ms=0&cpu_ms=0", headers, b"", probe)
        answer = Answer()
        server._inbox.append((request, answer))  # noqa: SLF001 (submit would wake a thread)
        server._begin_arrived()  # noqa: SLF001
        # Awaited, not polled: a poll costs turns of the loop that serving does not.
        (task,) = server._tasks  # noqa: SLF001
        await task
        assert answer.done()


def harness_cpu_us(n: int = 2000) -> tuple[float, float]:
    """Microseconds of thread CPU per request: the client's, the server's."""
    return _per_request_us(_client, n), _per_request_us(_server, n)


if __name__ == "__main__":
    client_us, server_us = harness_cpu_us()
    print(f"client {client_us:.1f} us, server {server_us:.1f} us per request (thread CPU)")
