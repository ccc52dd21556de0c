"""A second Ctrl+C saves what was measured from a signal handler on the loop's thread, which
may interrupt a snapshot halfway through updating the lanes it keeps between frames: the
save must still hold every lane as a build from scratch gives it (app/cli/signals.py)."""

from __future__ import annotations

from types import SimpleNamespace

from embedded_site.instrumentation import RawSegment, RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.engine import LiveRun
from simulator.hosting.live_lanes import from_scratch
from simulator.scenario import Scenario
from simulator.trace import Run

MS = 1_000_000
LOOP = "asgi-loop"


class _Probe(RequestProbe):
    """A probe that calls ``interrupt`` the first time its loop steps are read: the
    snapshot's read of the loop's holds (what changed it tells by the probe's version)."""

    interrupt = None
    reads = 0

    def __getattribute__(self, name: str) -> object:
        if name == "loop_steps" and object.__getattribute__(self, "interrupt") is not None:
            self.reads += 1
            if self.reads == 1:
                object.__getattribute__(self, "interrupt")()
        return object.__getattribute__(self, name)


def _records() -> list[RequestRecord]:
    """Three requests holding the loop in turn, and one whose I/O on the loop ended when the
    first hold did (so its lane depends on that hold: its wait's tail is ``queued``)."""
    records = []
    for i in range(4):
        probe = _Probe(request_id=i, view="async_blocking", sent_ns=0)
        probe.picked_ns, probe.picked_thread = 1 * MS, LOOP
        if i < 3:
            probe.segments.append(RawSegment("cpu", (10 + 20 * i) * MS, (15 + 20 * i) * MS, LOOP))
        else:
            probe.segments.append(RawSegment("io_wait", 2 * MS, 15 * MS, LOOP))
        probe.responded_ns = probe.finished_ns = 60 * MS
        records.append(RequestRecord(probe, "ok", 200, None, 60 * MS))
    return records


def test_a_save_from_inside_a_snapshot_holds_every_lane_as_built_from_scratch():
    records = _records()
    live = LiveRun(Scenario(view="async_blocking", requests=4))
    live._driver = SimpleNamespace(start_ns=0, records=records)  # type: ignore[assignment]
    live._server = SimpleNamespace(  # type: ignore[assignment]
        loop_thread=LOOP, loop_blocked=lambda: [], loop_blocking_now=lambda now: None
    )
    saved: list[Run] = []
    records[1].probe.interrupt = lambda: saved.append(live.partial_run())
    outer = live.snapshot(100 * MS)
    assert len(saved) == 1, "the snapshot was not interrupted where the test means"
    fresh = from_scratch(records, 100 * MS, LOOP)
    assert fresh[3] != from_scratch(records[3:], 100 * MS, LOOP)[0]  # it reads the hold
    assert saved[0].trace.lanes == fresh and saved[0].stopped
    # And the snapshot it interrupted, and the next, are as if nothing had happened.
    assert outer.lanes == fresh
    assert live.snapshot(100 * MS).lanes == fresh
