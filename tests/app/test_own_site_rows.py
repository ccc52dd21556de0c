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
