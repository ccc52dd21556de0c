"""The in-process ASGI server: work an application does after its answer is still waited for."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.servers import AsgiServer
from simulator.hosting.servers.base import SiteRequest
from simulator.hosting.transport import SiteTransport

TAIL_S = 0.05


async def _answers_then_tidies(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers at once, then goes on working, as Django's clean-up after a response does."""
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
    await asyncio.sleep(TAIL_S)


def _request(request_id: int) -> SiteRequest:
    probe = RequestProbe(request_id, "tail", sent_ns=time.perf_counter_ns())
    return SiteRequest("GET", "/tail/", b"", [(b"host", b"site.local")], b"", probe)


def test_close_waits_for_the_work_after_each_answer_and_the_server_serves_on_meanwhile():
    server = AsgiServer(_answers_then_tidies)
    server.start()
    transport = SiteTransport(server)
    first, second = [_request(n) for n in range(3)], [_request(n) for n in range(3, 6)]

    async def answers(requests: list[SiteRequest]) -> list[int]:
        responses = await asyncio.gather(*(transport.exchange(r) for r in requests))
        return [response.status for response in responses]

    try:
        assert asyncio.run(answers(first)) == [200] * 3
        # Answered, their tidying still under way: a second batch is served meanwhile.
        assert asyncio.run(answers(second)) == [200] * 3
        unfinished = [r for r in first + second if r.probe.finished_ns is None]
        assert unfinished, "the answers came before the application's own work ended"
    finally:
        server.close()
    for request in first + second:
        probe = request.probe
        assert probe.finished_ns is not None, "close() returned before a request's work ended"
        assert probe.responded_ns is not None
        assert probe.finished_ns - probe.responded_ns >= TAIL_S * 1e9 * 0.9


def test_a_receive_after_the_answer_is_a_disconnect_as_asgi_and_uvicorn_have_it():
    """An application waiting for its client to go once it has answered (Django's
    ``listen_for_disconnect`` does) is told at once: the ASGI spec's ``http.disconnect`` for
    a ``receive`` after the response. Before, Django had to cancel its listener itself."""
    told: list[dict[str, Any]] = []

    async def answers_then_listens(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        told.append(await receive())

    server = AsgiServer(answers_then_listens)
    server.start()
    request = _request(0)
    answer = server.submit(request)
    try:
        deadline = time.monotonic() + 2.0
        while request.probe.finished_ns is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert answer.response is not None and answer.response.status == 200
        assert told == [{"type": "http.disconnect"}], "the application still waits after its answer"
    finally:
        server.cancel(request, answer)  # (a listener left waiting would hold close() forever)
        server.close()
