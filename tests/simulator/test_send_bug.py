"""A bug raising in a client's send fails the run with that error once every request has
ended, not a run that ends as if complete and an asyncio log line at exit ("Task exception
was never retrieved"): both clients, in-process and over sockets. (A send records every
failure it expects in the request's record; only a bug gets out of it.)"""

from __future__ import annotations

import asyncio
import gc

import pytest

from embedded_site.instrumentation import RequestProbe
from simulator.hosting import socket_driver
from simulator.hosting.driver import Driver
from simulator.hosting.servers.base import SiteRequest, SiteResponse
from simulator.hosting.socket_driver import SocketDriver
from simulator.scenario import Scenario

from .test_lean_client import _server


class _Answers:
    """A transport that answers every request at once: the site needs no server here."""

    async def exchange(self, request: SiteRequest) -> SiteResponse:
        await asyncio.sleep(0.001 * request.probe.request_id)
        return SiteResponse(200, [], b"ok")


def _run(client: Driver | SocketDriver) -> None:
    """Run ``client``; then let its tasks go (asyncio logs an unread exception then)."""
    try:
        asyncio.run(client.run())
    finally:
        client._tasks.clear()
        gc.collect()


def _never_retrieved(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()]


def test_a_bug_in_the_in_process_client_s_send_fails_the_run(monkeypatch, caplog):
    touch = RequestProbe.touch

    def buggy(probe: RequestProbe) -> None:
        if probe.request_id == 3:
            raise RuntimeError("a bug after the answer")
        touch(probe)

    monkeypatch.setattr(RequestProbe, "touch", buggy)
    driver = Driver(Scenario(view="async_io", requests=8), _Answers())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="a bug after the answer"):
        _run(driver)
    assert len(driver.records) == 8
    assert all(record.done_ns is not None for record in driver.records)  # all had ended
    assert not _never_retrieved(caplog)


@pytest.mark.slow
def test_a_bug_in_the_socket_client_s_send_fails_the_run(monkeypatch, caplog):
    def buggy(header: str) -> None:
        raise RuntimeError("a bug reading Server-Timing")

    monkeypatch.setattr(socket_driver, "parse_server_timing", buggy)
    with _server() as port:
        url = f"http://127.0.0.1:{port}/"
        driver = SocketDriver(Scenario(url=url, requests=4), url, ())
        with pytest.raises(RuntimeError, match="a bug reading Server-Timing"):
            _run(driver)
    assert len(driver.records) == 4
    assert all(record.done_ns is None for record in driver.records)  # (the bug came first)
    assert not _never_retrieved(caplog)
