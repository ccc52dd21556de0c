"""A site's own Server-Timing header, read as the W3C spec writes it, and drawn honestly:
durations end to end in header order, clipped to the wait for the answer."""

from __future__ import annotations

from simulator.hosting.site_timing import SiteMetric, site_metrics
from simulator.hosting.socket_driver import SocketRecord
from simulator.hosting.socket_lanes import socket_lane
from simulator.trace import Kind


def test_the_header_is_read_as_the_spec_writes_it():
    # Several headers joined, a quoted description holding commas and semicolons, a repeated
    # parameter (the first counts), a metric without dur, names of our own kinds.
    value = 'cache;desc="Cache, read; miss";dur=23.2, db;dur=53;dur=99, ' + "view;dur=1, total"
    assert site_metrics(value) == (
        SiteMetric("cache", 23.2, "Cache, read; miss"),
        SiteMetric("db", 53.0),
        SiteMetric("view", 1.0),
        SiteMetric("total", None),
    )


def test_a_duration_that_is_no_number_is_ignored_with_a_note():
    inf, nan, text = site_metrics("a;dur=inf, b;dur=nan, c;dur=soon")
    assert inf.dur_ms is None and inf.text == "a: dur=inf ignored (not a finite duration)"
    assert nan.dur_ms is None and "ignored" in nan.text
    assert text.text == "c: dur=soon ignored (not a number)"


def test_metrics_lie_end_to_end_up_to_the_answer_and_the_rest_is_at_the_server():
    ms = 1_000_000
    record = SocketRecord(
        0, 0, request_sent_ns=2 * ms, first_byte_ns=302 * ms, done_ns=303 * ms, status="ok",
        status_code=200, site_metrics=site_metrics("db;dur=53, app;dur=47"),
    )  # fmt: skip
    lane = socket_lane(record, "/slow/", 400 * ms)
    # A request queued behind others waited first: its work ended as its answer left.
    assert [(s.kind, s.name, s.start_ns // ms, s.end_ns // ms) for s in lane.segments] == [
        (Kind.CLIENT, None, 0, 2),
        (Kind.AT_SERVER, None, 2, 202),
        (Kind.SERVER_TIMING, "db", 202, 255),
        (Kind.SERVER_TIMING, "app", 255, 302),
        (Kind.CLIENT, None, 302, 303),
    ]


def test_metrics_longer_than_the_wait_are_clipped_to_it():
    ms = 1_000_000
    record = SocketRecord(
        0, 0, request_sent_ns=2 * ms, first_byte_ns=82 * ms, done_ns=83 * ms, status="ok",
        status_code=200, site_metrics=site_metrics('db;dur=53, app;dur=47.2, hit;desc="yes"'),
    )  # fmt: skip
    lane = socket_lane(record, "/slow/", 90 * ms)
    assert [(s.kind, s.name, s.start_ns // ms, s.end_ns // ms) for s in lane.segments] == [
        (Kind.CLIENT, None, 0, 2),
        (Kind.SERVER_TIMING, "db", 2, 55),
        (Kind.SERVER_TIMING, "app", 55, 82),  # 47.2 ms clipped at the first byte
        (Kind.CLIENT, None, 82, 83),
    ]
    assert lane.notes == ("hit (yes)",)


def test_without_timings_the_wait_is_one_span_at_the_server_even_live():
    ms = 1_000_000
    answered = SocketRecord(
        0, 0, request_sent_ns=1 * ms, first_byte_ns=201 * ms, done_ns=202 * ms, status="ok"
    )
    kinds = [s.kind for s in socket_lane(answered, "/", 300 * ms).segments]
    assert kinds == [Kind.CLIENT, Kind.AT_SERVER, Kind.CLIENT]  # not "view": it may be queue
    running = SocketRecord(0, 0, request_sent_ns=1 * ms)
    live = socket_lane(running, "/", 50 * ms).segments
    assert [s.kind for s in live] == [Kind.CLIENT, Kind.AT_SERVER]  # not "queued"


def test_a_request_in_flight_at_a_real_server_holds_no_thread_of_its_own():
    # Lesson 23 live: two single-thread gunicorn processes, and "threads held 3" while a
    # request not answered yet waited "at the server" on the client's row.
    from embedded_site.server_timing import ServerSegment, ServerTiming
    from simulator.metrics.summary import summarize
    from simulator.trace import Trace

    ms = 1_000_000

    def answered(i: int, pid: int) -> SocketRecord:
        cpu = ServerSegment("cpu", 0.0, 100.0, "MainThread")
        timing = ServerTiming(pid, "MainThread", 2 * ms, 100.0, (cpu,))
        return SocketRecord(
            i, 0, request_sent_ns=1 * ms, first_byte_ns=103 * ms, done_ns=104 * ms,
            status="ok", status_code=200, timing=timing,
        )  # fmt: skip

    records = [answered(1, 15711), answered(2, 15723), SocketRecord(3, 0, request_sent_ns=1 * ms)]
    live = Trace(t0_ns=0, lanes=tuple(socket_lane(r, "/", 150 * ms) for r in records))
    assert summarize(live).threads_held_peak == 2
