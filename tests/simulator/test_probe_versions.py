"""Every writer of a request's records moves its probe's version on after writing.

A live frame builds again only the lanes whose probe's ``version`` changed since the last
frame (``LiveLanes``): a writer that forgets leaves its lane drawn as it was, stale, for the
rest of the run (a finished request drawn in flight, a wait drawn where Django worked).

The real runs here (ASGI with the loop monitor, WSGI, the database, failing views, a sleep of
0, a view blocking the loop) use probes and client records that note each write and each
version set, per thread: a function that wrote may write several things before it sets the
version, but a write by another function on that thread before then means the first forgot
(a later writer's version set would hide that until then: a lane drawn stale meanwhile). At
the end, no probe holds a write that no version set followed, and every kind of record was
written (one these runs do not make would go unchecked).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import pytest

from embedded_site.instrumentation import Mark, RequestProbe
from simulator.hosting import driver
from simulator.hosting.driver import RequestRecord
from simulator.hosting.engine import LiveRun
from simulator.scenario import Scenario

#: A probe's fields set by their writers (the lists and the dict are watched apart).
_FIELDS = {"sent_ns", "picked_ns", "picked_thread", "picked_clock"}
_FIELDS |= {"responded_ns", "finished_ns", "error"}
#: The client's record's fields a lane is built from.
_RECORD_FIELDS = {"status", "status_code", "error", "done_ns"}
_LISTS = ("segments", "marks", "loop_steps", "db_events")


class _Log(list):  # type: ignore[type-arg]
    """A probe's list of records that tells the probe when it is appended to."""

    __slots__ = ("owner", "name")

    def append(self, item: Any) -> None:
        super().append(item)
        self.owner.wrote(self.name)

    def extend(self, items: Any) -> None:
        super().extend(items)
        self.owner.wrote(self.name)

    def __iadd__(self, items: Any) -> _Log:
        self.extend(items)
        return self


class _Open(dict):  # type: ignore[type-arg]
    """A probe's open segments, telling the probe of each change."""

    __slots__ = ("owner",)

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.owner.wrote("open_segments")

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self.owner.wrote("open_segments")

    def pop(self, *args: Any) -> Any:
        popped = super().pop(*args)
        self.owner.wrote("open_segments")
        return popped


class _WatchedProbe(RequestProbe):
    """A probe that knows, per thread, which write no version set has followed yet (and
    the function that made it), and which writes were followed by another's first."""

    __slots__ = ("forgotten", "unseen", "written")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.unseen: dict[int, tuple[str, Any]] = {}
        self.written: set[str] = set()
        self.forgotten: list[str] = []
        super().__init__(*args, **kwargs)
        for name in _LISTS:
            log = _Log(getattr(self, name))
            log.owner, log.name = self, name
            setattr(self, name, log)
        opened = _Open(self.open_segments)
        opened.owner = self
        self.open_segments = opened
        self.unseen.clear()
        self.written.clear()

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "version":
            self.unseen.pop(threading.get_ident(), None)
        elif name in _FIELDS:
            self.wrote(name)

    def wrote(self, name: str) -> None:
        """``name`` written by the function two frames up (through a list or a setter)."""
        writer = sys._getframe(2).f_code
        thread = threading.get_ident()
        before = self.unseen.get(thread)
        if before is not None and before[1] is not writer:
            self.forgotten.append(f"{before[0]} by {before[1].co_name}()")
        self.unseen[thread] = name, writer
        self.written.add(name)


class _WatchedRecord(RequestRecord):
    """The client's record of a request, telling its probe of each write."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.probe.unseen.clear()  # (made with it)
        self.probe.written.difference_update(f"record.{name}" for name in _RECORD_FIELDS)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in _RECORD_FIELDS:
            self.probe.wrote(f"record.{name}")


#: Runs that between them make every kind of record.
_RUNS = [
    Scenario(view="async_io", requests=6, io_ms=20, arrival_ms=1),
    Scenario(view="sync_io", mode="wsgi", workers=2, requests=3, io_ms=0),  # a sleep of 0
    Scenario(view="sync_io", mode="wsgi", workers=2, requests=2, io_ms=5),
    Scenario(view="sync_orm", requests=2, io_ms=5),
    Scenario(view="missing_await_bug", requests=2),
    Scenario(view="async_blocking", requests=2, io_ms=20),
]


def _records(scenario: Scenario) -> list[RequestRecord]:
    live = LiveRun(scenario)
    asyncio.run(live.run())
    assert live._driver is not None
    return list(live._driver.records)


@pytest.mark.slow
def test_every_writer_of_a_probe_moves_its_version_on_after_writing(monkeypatch):
    monkeypatch.setattr(driver, "RequestProbe", _WatchedProbe)
    monkeypatch.setattr(driver, "RequestRecord", _WatchedRecord)
    written: set[str] = set()
    for scenario in _RUNS:
        for record in _records(scenario):
            probe = record.probe
            assert isinstance(probe, _WatchedProbe)
            assert not probe.forgotten, f"{scenario.view}: no version set after {probe.forgotten}"
            left = [name for name, _ in probe.unseen.values()]
            assert not left, f"{scenario.view}: no version set after {left}"
            written |= probe.written
    expected = {*_FIELDS, *_LISTS, "open_segments"} | {f"record.{f}" for f in _RECORD_FIELDS}
    assert written >= expected, expected - written


def test_the_probe_s_own_writers_move_its_version_on():
    probe = RequestProbe(1, "async_io", 0)
    versions = [probe.version]

    def moved() -> bool:
        versions.append(probe.version)
        return versions[-1] not in versions[:-1]

    probe.mark("signal", run_queue=False)
    assert moved()
    probe.add_segment("cpu", 1, 2)
    assert moved()
    token = probe.open_segment("io_wait", 3)
    assert moved()
    probe.close_segment(token, 4)
    assert moved()
    probe.touch()
    assert moved()
    # Never a number given before, on any probe: a version seen once is never seen again.
    other = RequestProbe(2, "async_io", 0)
    other.touch()
    assert other.version not in versions
    assert isinstance(probe.marks[0], Mark)
