"""What our ASGI server and our client hold for a request in flight, a full collection walks:
a 10,000-request run has them all in flight at once, and each full collection (0.3–0.9 s,
the GIL held: the window cannot draw) walked two dozen objects of ours per request, which a
served site's process would not hold (``benchmarks/gc_census.py``). Counted as the census
counts: what the collector tracks, here per request more in flight.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from typing import Any

import pytest

from simulator.hosting.driver import Driver
from simulator.hosting.servers import AsgiServer
from simulator.hosting.transport import SiteTransport
from simulator.scenario import Scenario

#: Tracked objects per request in flight, the application's own (its coroutine, task and
#: gate, the scope), the probe's and asyncio's for the client's task included: 35 now, 53
#: with ``_serve``'s closures, a callback made per request and a context copied for each of
#: a task's two done callbacks.
MOST_PER_REQUEST = 42


class _Held:
    """An application that reads the request, starts its answer, then waits for a gate: a
    view in the middle of an ``await``."""

    def __init__(self) -> None:
        self.gates: list[asyncio.Future[None]] = []
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        gate = asyncio.get_running_loop().create_future()
        with self.lock:
            self.loop = asyncio.get_running_loop()
            self.gates.append(gate)
        await gate
        await send({"type": "http.response.body", "body": b"ok"})

    def waiting(self) -> int:
        with self.lock:
            return len(self.gates)

    def open(self) -> None:
        with self.lock:
            gates, self.gates = self.gates, []
        assert self.loop is not None
        for gate in gates:
            self.loop.call_soon_threadsafe(gate.set_result, None)


def _tracked() -> int:
    for _ in range(3):
        gc.collect()
    return len(gc.get_objects())


@pytest.mark.slow
def test_a_request_in_flight_costs_our_server_and_client_few_objects_a_collection_walks():
    app = _Held()
    server = AsgiServer(app)
    server.start()
    transport = SiteTransport(server)

    async def in_flight(count: int) -> int:
        driver = Driver(Scenario(view="async_io", requests=count), transport)
        sending = asyncio.ensure_future(driver.run())
        deadline = time.monotonic() + 30
        while app.waiting() < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert app.waiting() == count
        await asyncio.sleep(0.05)  # (the server's loop idle, every request at its gate)
        tracked = _tracked()
        app.open()
        await sending
        assert [r.status_code for r in driver.records] == [200] * count
        return tracked

    try:
        few, many = asyncio.run(in_flight(100)), asyncio.run(in_flight(400))
    finally:
        server.close()
    per_request = (many - few) / 300
    assert per_request <= MOST_PER_REQUEST, per_request
