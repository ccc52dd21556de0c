"""An external site's thread view: with the copied middleware, each worker process's row
shows the views it served (a plain site's view is I/O and CPU as one span)."""

from __future__ import annotations

from app.timeline.rows import TimelineRows
from embedded_site.server_timing import parse_server_timing, server_timing_header
from simulator.hosting.socket_driver import SocketRecord
from simulator.hosting.socket_lanes import socket_lane
from simulator.trace import Kind, Trace


def test_a_plain_sites_views_are_drawn_on_its_process_row():
    ms = 1_000_000
    t0 = 10 * ms
    header = server_timing_header(t0, t0 + 100 * ms, [("view", t0 + ms, t0 + 99 * ms, "w")])
    record = SocketRecord(
        0, 0, request_sent_ns=ms, first_byte_ns=t0 + 101 * ms, done_ns=t0 + 102 * ms,
        status="ok", status_code=200, timing=parse_server_timing(header),
    )  # fmt: skip
    trace = Trace(t0_ns=0, lanes=(socket_lane(record, "/slow/", t0 + 200 * ms),))
    rows = TimelineRows(trace, "workers")
    process_rows = [i for i, label in enumerate(rows.labels) if label.startswith("process ")]
    assert process_rows
    drawn = {seg.kind for row in process_rows for seg in rows.row_segments[row]}
    assert Kind.VIEW in drawn


def test_a_live_frame_counts_the_requests_not_answered_yet_at_the_server_not_as_none():
    # Lesson 23 live: two gunicorn processes, 8 of 10 requests queued at first; the waiting
    # band read "2 queued" (the answered ones' queue) with six requests in flight drawn
    # nowhere, then "8 queued" once their answers brought where they had been.
    from embedded_site.server_timing import ServerSegment, ServerTiming

    ms = 1_000_000

    def answered(i: int, pid: int, start_ms: int) -> SocketRecord:
        cpu = ServerSegment("cpu", 0.0, 40.0, "MainThread")
        timing = ServerTiming(pid, "MainThread", start_ms * ms, 40.0, (cpu,))
        end = (start_ms + 41) * ms
        return SocketRecord(
            i, 0, request_sent_ns=1 * ms, first_byte_ns=end, done_ns=end + ms,
            status="ok", status_code=200, timing=timing,
        )  # fmt: skip

    records = [answered(0, 11, 2), answered(1, 12, 2), answered(2, 12, 43)]
    records += [SocketRecord(i, 0, request_sent_ns=1 * ms) for i in range(3, 9)]
    live = Trace(t0_ns=0, lanes=tuple(socket_lane(r, "/", 150 * ms) for r in records))
    rows = TimelineRows(live, "workers")
    texts = [(rows.labels[row], s // ms, e // ms, text) for row, s, e, _, text in rows.bar_texts]
    assert ("waiting", 2, 43, "1 queued") in texts  # the one answered after its wait
    assert ("at the server", 1, 150, "6 at the server") in texts  # queued or running: unknown
    assert sum(label.startswith("process ") for label in rows.labels) == 2
