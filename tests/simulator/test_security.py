"""What the embedded site exposes: no socket but the upstream's, on loopback; production
settings."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

import embedded_site

embedded_site.boot()

from django.conf import settings  # noqa: E402

from embedded_site.instrumentation import RequestProbe  # noqa: E402
from simulator.hosting.engine import LiveRun  # noqa: E402
from simulator.hosting.servers import AsgiServer  # noqa: E402
from simulator.hosting.servers.base import SITE_HOST  # noqa: E402
from simulator.hosting.transport import PROBE_EXTENSION, SiteTransport  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TCP_LISTEN = "0A"


def _ipv4(hex_addr: str) -> str:
    return socket.inet_ntop(socket.AF_INET, bytes.fromhex(hex_addr)[::-1])


def _ipv6(hex_addr: str) -> str:
    raw = bytes.fromhex(hex_addr)
    # The kernel prints the address as four 32-bit words, each in host (little-endian) order.
    return socket.inet_ntop(
        socket.AF_INET6, b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    )


def listening_sockets_of_this_process() -> list[tuple[str, int]]:
    """``(address, port)`` of every TCP socket this process has in the LISTEN state."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = []
    for table, decode in (("/proc/net/tcp", _ipv4), ("/proc/net/tcp6", _ipv6)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == TCP_LISTEN and inode in inodes:
                address, port = local.split(":")
                found.append((decode(address), int(port, 16)))
    return found


def test_the_listing_sees_a_socket_this_process_listens_on():
    # The probe of the tests below, checked against a socket we know of.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert ("127.0.0.1", port) in listening_sockets_of_this_process()
    assert ("127.0.0.1", port) not in listening_sockets_of_this_process()


async def _listening_mid_run(scenario: Scenario) -> tuple[list[tuple[str, int]], str, int]:
    """The listening sockets while requests are in flight; the upstream URL; how many ran."""
    live = LiveRun(scenario)
    task = asyncio.create_task(live.run())
    deadline = time.monotonic() + 10
    while not (live.started and len(live._driver.records) == scenario.requests):
        assert not task.done(), task.exception()
        assert time.monotonic() < deadline, "the run never got going"
        await asyncio.sleep(0.005)
    await asyncio.sleep(scenario.io_ms / 1000 / 4)
    in_flight = sum(record.done_ns is None for record in live._driver.records)
    listening = listening_sockets_of_this_process()
    upstream_url = settings.LANES_UPSTREAM_URL
    run = await task
    assert run.summary.ok == scenario.requests
    return listening, upstream_url, in_flight


@pytest.mark.slow
@pytest.mark.parametrize("view", ["sync_httpx", "async_httpx"])
def test_during_an_upstream_run_only_the_upstream_listens_and_only_on_loopback(view):
    scenario = Scenario(view=view, mode="asgi", requests=4, io_ms=400)
    listening, upstream_url, in_flight = asyncio.run(_listening_mid_run(scenario))
    assert in_flight > 0, "the check came after the run"
    assert listening == [("127.0.0.1", urlsplit(upstream_url).port)]
    assert listening_sockets_of_this_process() == []  # and it is gone after the run


def test_during_a_run_without_upstream_nothing_listens():
    scenario = Scenario(view="async_io", mode="asgi", requests=4, io_ms=300)
    listening, _, in_flight = asyncio.run(_listening_mid_run(scenario))
    assert in_flight > 0, "the check came after the run"
    assert listening == []


def test_debug_is_off_and_an_error_page_shows_no_internals():
    assert settings.DEBUG is False

    async def fetch() -> httpx.Response:
        from embedded_site.asgi import application_with

        with AsgiServer(application_with("async")) as server:
            async with httpx.AsyncClient(
                transport=SiteTransport(server), base_url=f"http://{SITE_HOST}"
            ) as client:
                probe = RequestProbe(0, "async_sync_orm_bug", sent_ns=time.perf_counter_ns())
                return await client.get("/async_sync_orm_bug/", extensions={PROBE_EXTENSION: probe})

    response = asyncio.run(fetch())
    assert response.status_code == 500
    for internal in ("Traceback", "SynchronousOnlyOperation", "SECRET_KEY", "settings"):
        assert internal not in response.text


_PRINT_SETTINGS = """
import json, embedded_site
embedded_site.boot()
from django.conf import settings
print(json.dumps({"key": settings.SECRET_KEY, "db": str(settings.DATABASES["default"]["NAME"])}))
"""


def _settings_of_a_fresh_process() -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_SETTINGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_each_process_makes_its_own_secret_key_and_a_throwaway_database():
    first, second = _settings_of_a_fresh_process(), _settings_of_a_fresh_process()
    assert first["key"] != second["key"]
    for seen in (first, second):
        assert len(seen["key"]) >= 50
        assert not seen["key"].startswith("django-insecure")
        assert seen["key"] != settings.SECRET_KEY
    # The database lives in the system temp folder, and goes away with the process.
    temp = Path(tempfile.gettempdir()).resolve()
    for db in (Path(first["db"]), Path(second["db"])):
        assert db.resolve().is_relative_to(temp)
        assert not db.exists()
        assert not db.parent.exists()
    assert Path(settings.DATABASES["default"]["NAME"]).resolve().is_relative_to(temp)
    assert Path(settings.DATABASES["default"]["NAME"]).exists()
