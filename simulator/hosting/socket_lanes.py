"""A lane from across the process boundary: the client's times plus the server's header.

The server's segments are on its own clock; a server on this machine shares ours
(``time.perf_counter_ns`` is the system's monotonic clock), so they are placed as they are.
One elsewhere (``--url`` to another host) is placed in the middle of the client's wait for
its answer. Each server segment's thread is named ``pid N · thread`` so that the thread view
groups lanes per worker process.

A lane reads: ``client`` (waiting for a connection, connecting, sending), ``queued`` (sent,
not yet seen by the middleware: in the kernel's accept queue, or the server parsing it),
then the server's segments with ``framework`` between them, then ``client`` again (the
answer written, carried and read). Where the server said nothing of its own time (a site
without the middleware, or no answer yet), the wait is one ``server`` span: queued or
running, known at the answer; a site's own Server-Timing metrics are laid over its start.
"""

from __future__ import annotations

from embedded_site.server_timing import ServerSegment, ServerTiming
from simulator.hosting.site_timing import SiteMetric
from simulator.hosting.socket_driver import SocketRecord
from simulator.trace.data import Lane, Segment
from simulator.trace.kinds import (
    CLIENT_THREAD,
    QUEUE_THREAD,
    Kind,
    server_thread,
    split_server_thread,
)

__all__ = ["socket_lane"]

#: Server segments narrower ones are drawn over (a view holds its queries).
_OUTER = {Kind.VIEW: 1}


def socket_lane(record: SocketRecord, view: str, now_ns: int) -> Lane:
    """The lane of ``record`` as it stands at ``now_ns`` (its end, once answered)."""
    done = record.done_ns if record.done_ns is not None else now_ns
    sent = record.sent_ns
    segments: list[Segment] = []
    request_sent = record.request_sent_ns
    timing = record.timing
    if request_sent is None:
        kind = Kind.CANCELLED if record.status == "cancelled" else Kind.CLIENT
        segments.append(Segment(kind, sent, max(done, sent), CLIENT_THREAD))
    else:
        back = record.first_byte_ns or done
        if timing is None:
            segments.append(Segment(Kind.CLIENT, sent, request_sent, CLIENT_THREAD))
            # The server said nothing of its own time (a site without our middleware, or no
            # answer yet): from the request sent to the answer's first byte it was at the
            # server, queued or running: one span, known at the answer; a site's own
            # metrics laid over its start.
            answered = record.first_byte_ns is not None or record.status != "running"
            wait_end = back if answered else done
            segments += _site_segments(record.site_metrics, request_sent, wait_end)
        else:
            start = _placed(timing, sent, request_sent, back, done)
            end = start + round(timing.total_ms * 1e6)
            # The client's loop may note "sent" late (it is busy sending the others): the
            # server's own clock says when the request had arrived.
            segments.append(Segment(Kind.CLIENT, sent, min(request_sent, start), CLIENT_THREAD))
            segments.append(Segment(Kind.QUEUED, request_sent, start, QUEUE_THREAD))
            segments += _server_segments(timing, start, end)
            # From the middleware's end the answer is written, carried and read: the client's
            # part again (from the first byte only, it left lesson 24's lanes a blank 1-2 ms
            # before their answers, which its "why" says are client time).
            back = end
        if back < done:
            segments.append(Segment(Kind.CLIENT, back, done, CLIENT_THREAD))
    return Lane(
        record.request_id,
        view,
        record.status,
        record.status_code,
        record.error,
        sent,
        done,
        tuple(_ordered(segments)),
        tuple((s.thread, s.start_ns) for s in segments if split_server_thread(s.thread)),
        notes=tuple(m.text for m in record.site_metrics if m.dur_ms is None),
    )


def _site_segments(metrics: tuple[SiteMetric, ...], start: int, end: int) -> list[Segment]:
    """The wait for the answer: a site's metrics with a duration, end to end in header order
    (only durations are known) from the start of the server's time, taken to end as the
    answer left (a request queued first waited before its work, not after); clipped to the
    wait. The rest of the wait is "at the server": queued or running, not known which."""
    timed = [m for m in metrics if m.dur_ms is not None]
    total = sum(round((m.dur_ms or 0) * 1e6) for m in timed)
    cursor = max(start, end - total)
    out = [Segment(Kind.AT_SERVER, start, cursor, CLIENT_THREAD)] if cursor > start else []
    for metric in timed:
        stop = min(end, cursor + round((metric.dur_ms or 0) * 1e6))
        if stop > cursor:
            out.append(Segment(Kind.SERVER_TIMING, cursor, stop, CLIENT_THREAD, name=metric.name))
            cursor = stop
    return out


def _placed(timing: ServerTiming, sent: int, request_sent: int, first_byte: int, done: int) -> int:
    """When the server's span began on our clock: its own ``t0`` when that falls within the
    request's life (this machine: one monotonic clock), else the middle of the wait."""
    if sent <= timing.t0_ns and timing.t0_ns + round(timing.total_ms * 1e6) <= done:
        return timing.t0_ns
    slack = (first_byte - request_sent) - round(timing.total_ms * 1e6)
    return request_sent + max(0, slack // 2)


def _server_segments(timing: ServerTiming, start: int, end: int) -> list[Segment]:
    """The server's span as gap-free segments: declared ones, the narrowest on top, and
    ``framework`` wherever none was declared, on the request's own thread."""
    main = server_thread(timing.pid, timing.thread)
    declared: list[tuple[int, int, ServerSegment]] = []
    for seg in timing.segments:
        s = start + round(seg.start_ms * 1e6)
        e = min(end, s + round(seg.duration_ms * 1e6))
        if e > s and _known(seg.kind):
            declared.append((max(s, start), e, seg))
    cuts = sorted({start, end, *(s for s, _, _ in declared), *(e for _, e, _ in declared)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [(e - s, seg) for s, e, seg in declared if s <= a and b <= e]
        if covering:
            # The narrowest covering segment is the innermost (a query inside its view).
            _, seg = min(covering, key=lambda c: (_OUTER.get(Kind(c[1].kind), 0), c[0]))
            out.append(Segment(Kind(seg.kind), a, b, server_thread(timing.pid, seg.thread)))
        else:
            out.append(Segment(Kind.FRAMEWORK, a, b, main))
    return out


def _known(kind: str) -> bool:
    try:
        return Kind(kind) not in (Kind.QUEUED, Kind.CANCELLED, Kind.CLIENT)
    except ValueError:
        return False


def _ordered(segments: list[Segment]) -> list[Segment]:
    """In time order, empty ones dropped, touching neighbours of one kind and thread joined."""
    merged: list[Segment] = []
    for seg in segments:
        if seg.end_ns <= seg.start_ns:
            continue
        last = merged[-1] if merged else None
        if (
            last
            and last.kind == seg.kind
            and last.thread == seg.thread
            and last.name == seg.name
            and last.end_ns == seg.start_ns
        ):
            merged[-1] = Segment(seg.kind, last.start_ns, seg.end_ns, seg.thread, name=seg.name)
        else:
            merged.append(seg)
    return merged
