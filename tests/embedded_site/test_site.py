"""The lesson site on its own, through Django's test clients: no host, no engine.

What a host relies on: a bad dial is the client's error, a request whose client has gone is
answered at once without running the view, and the views stay plain Django code when nobody
measures them.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from embedded_site.instrumentation import RequestProbe, current_probe, measured


@pytest.fixture
def probe():
    """A probe for the next request, as a host hands it over; removed after the test."""
    probe = RequestProbe(request_id=0, view="async_blocking", sent_ns=time.perf_counter_ns())
    token = current_probe.set(probe)
    yield probe
    current_probe.reset(token)


@pytest.mark.parametrize("query", ["io_ms=abc", "cpu_ms=fast", "fanout=two", "fanout=1.5"], ids=str)
def test_a_bad_dial_is_answered_400_and_the_view_never_waits(client, query):
    started = time.monotonic()
    response = client.get(f"/sync_io/?io_ms=3000&{query}")
    assert response.status_code == 400
    assert time.monotonic() - started < 2  # the 3 s wait never started


def test_a_bad_dial_is_answered_400_under_asgi_too(async_client):
    response = asyncio.run(async_client.get("/async_io/?io_ms=soon"))
    assert response.status_code == 400


def test_good_dials_are_echoed_by_the_page(client):
    response = client.get("/sync_io/?io_ms=10&cpu_ms=1")
    assert response.status_code == 200
    assert response.content.decode() == "sync_io: io 10 ms, cpu 1 ms."


def test_after_stop_a_request_is_answered_499_without_running_its_view(client, probe):
    probe.abandoned = True  # the host's Stop: the client has gone
    started = time.monotonic()
    response = client.get("/sync_io/?io_ms=2000")
    assert response.status_code == 499
    assert time.monotonic() - started < 1  # not the view's 2 s of time.sleep
    assert probe.segments == []  # the view never ran
    # Django's handler still ran around it (request_started, request_finished).
    assert [m.where for m in probe.marks] == ["signal", "middleware_in", "middleware_out", "signal"]


def test_after_stop_a_blocking_async_view_is_not_run_either(async_client, probe):
    probe.abandoned = True
    started = time.monotonic()
    response = asyncio.run(async_client.get("/async_blocking/?io_ms=2000"))
    assert response.status_code == 499
    assert time.monotonic() - started < 1
    assert probe.segments == []


def test_a_probed_request_records_the_views_wait_on_its_thread(client, probe):
    response = client.get("/sync_io/?io_ms=30")
    assert response.status_code == 200
    segment, *waits = sorted(probe.segments, key=lambda s: s.start_ns)
    assert segment.kind == "io_blocking"
    # Past its 30 ms, a sleeper waits to run again on a busy machine, and says so.
    assert {s.kind for s in waits} <= {"gil_wait", "core_wait"}
    assert segment.thread == threading.current_thread().name  # the test client's thread
    assert segment.end_ns - segment.start_ns >= 30_000_000
    assert probe.error is None


def test_measured_outside_a_probe_only_runs_its_body():
    assert current_probe.get() is None
    ran = []
    with measured("io_wait"):
        ran.append(True)
    assert ran == [True]
    with pytest.raises(KeyError, match="body"), measured("cpu"):
        raise KeyError("body")  # an error in the body is the caller's, unchanged


def test_measured_refuses_a_kind_the_host_derives():
    with pytest.raises(ValueError, match="queued"), measured("queued"):
        pass


def test_the_site_passes_djangos_system_checks(site):
    """Booting skips them (a fifth of a second of every start): here they run."""
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")


def test_the_sites_own_connections_write_as_sqlite_does_by_default(site):
    """Migrating wrote the scratch file without syncing (embedded_site._scratch_writes); a
    connection the site opens afterwards, as a view's does, syncs and journals as ever."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        (synchronous,) = cursor.fetchone()
        cursor.execute("PRAGMA journal_mode")
        (journal,) = cursor.fetchone()
    connection.close()
    assert synchronous == 2  # FULL, SQLite's default
    assert journal.lower() == "delete"
