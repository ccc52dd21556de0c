"""A live run's probes sent from the site's process to the window's, only what they recorded
since the last frame; the window builds the lanes.

Building the lanes of an in-process run's snapshot in the site's process cost ~45 µs of CPU
per lane that changed, hundreds a frame at 1,000 requests, on a thread that waited for the
GIL behind the site's loop and Django's threads (the switch interval, 5 ms, each time it
gave it up), and that took the GIL from the very site it measured. Here the site's side
(:class:`RecordSender`) reads each probe's ``version`` and sends, for those that recorded
something since, only the records it has not sent (its lists only grow) and the fields that
can change; the window's side (:class:`RecordMirror`) appends them to probes of its own and
builds the lanes from those with :class:`~simulator.hosting.live_lanes.LiveLanes`, as the
site's process did from its own probes, in a process whose GIL nothing else wants then.

A probe's ``version`` is read before its records, as ``LiveLanes`` reads it: a record made
meanwhile may be sent with the older version, and the newer version sends what follows it
next time. So the mirror's probes hold, at each frame, records the site's probes held, and
each lane is what :func:`~simulator.trace.lanes.build_lane` gives from them at the frame's
"now" (``tests/simulator/test_record_wire.py``), the run's final trace too: the site's
process sends what its probes recorded since the last frame once the run is measured, and
the window makes the final trace and its figures from its copies, which it had but for that.
A run over sockets' frames and final trace go as lanes (``wire.py``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

from embedded_site.instrumentation import CopiedAt, Mark, RawSegment, RequestProbe
from embedded_site.waits import Clock
from simulator.hosting.driver import RequestRecord
from simulator.hosting.live_lanes import LiveLanes, LiveRecords, blocks_within
from simulator.hosting.site_process.ahead import LONGEST_LEAD_NS
from simulator.metrics.summary import Summary, summarize
from simulator.trace.collector import Collections, made_unwalked
from simulator.trace.data import Status, Trace
from simulator.trace.lane_build import EVER, NEVER  # (before and after any time)
from simulator.trace.lane_parts import PlainClock, plain_clock

__all__ = ["NEVER", "ProbeChange", "RecordFrame", "RecordMirror", "RecordSender"]

#: A thread's clocks as sent (:class:`~embedded_site.waits.Clock`'s fields).
ClockTuple = PlainClock
#: A declared segment as sent: :class:`~embedded_site.instrumentation.RawSegment`'s fields
#: in order, its clocks as tuples.
SegmentTuple = tuple[
    str, int, int, str, bool, int | None, ClockTuple | None, ClockTuple | None, int | None
]
#: A mark as sent: :class:`~embedded_site.instrumentation.Mark`'s fields in order.
MarkTuple = tuple[int, str, str, ClockTuple | None]
#: What of a probe and its request's record is set rather than appended, in this order:
#: ``sent_ns, picked_ns, picked_thread, picked_clock, responded_ns, finished_ns, error``
#: (the probe's), ``status, status_code, error, done_ns`` (the record's).
Fields = tuple[
    int,
    int | None,
    str | None,
    ClockTuple | None,
    int | None,
    int | None,
    str | None,
    Status,
    int | None,
    str | None,
    int | None,
]
#: One probe that recorded something: its place, its version read before its records, its
#: fields, what its segments, marks, database events and loop steps gained, and its open
#: segments (all of them: a few at most, and they change).
ProbeChange = tuple[
    int,
    int,
    Fields,
    list[SegmentTuple],
    list[MarkTuple],
    list[tuple[int, int]],
    list[tuple[int, int]],
    list[SegmentTuple],
]


@dataclass(frozen=True, slots=True)
class RecordFrame:
    """What the probes recorded since the last frame, and the trace's own fields at
    ``now_ns`` (all plain data)."""

    now_ns: int
    t0_ns: int
    loop_thread: str | None
    #: The requests sent so far, and the names and views of those new since the last frame.
    count: int
    new: list[tuple[int, str]]
    changes: list[ProbeChange]
    #: The server's blocks of the loop so far (a few: each one is long), and the one under way.
    loop_blocked: list[tuple[int, int]]
    loop_blocking_now: tuple[int, int] | None
    #: The site's process's own collections since the last frame (``collector.Collections``).
    collections: tuple[tuple[int, int, int], ...] = ()


def _segment(s: RawSegment) -> SegmentTuple:
    return (
        s.kind,
        s.start_ns,
        s.end_ns,
        s.thread,
        s.open,
        s.line,
        plain_clock(s.start_clock),
        plain_clock(s.end_clock),
        s.due_ns,
    )


class RecordSender:
    """The site's side: each frame, the records of every probe that recorded something since
    the last frame, from the first not sent."""

    def __init__(self, collections: Collections | None = None) -> None:
        #: Per request sent: the version read, and how many segments, marks, database
        #: events and loop steps of its probe were sent.
        self._sent: list[tuple[int, int, int, int, int]] = []
        #: The site's process's collections, sent with each frame (none if ``None``).
        self._collections = collections

    def frame(self, live: LiveRecords) -> RecordFrame:
        """``live`` as what its probes recorded since the last frame."""
        records = live.records
        sent = self._sent
        known = len(sent)
        new = [(r.probe.request_id, r.probe.view) for r in records[known:]]
        sent += [(-1, 0, 0, 0, 0)] * len(new)
        changes: list[ProbeChange] = []
        for i, record in enumerate(records):
            probe = record.probe
            version = probe.version  # read first: a record made after it changes it
            was, n_segments, n_marks, n_db, n_steps = sent[i]
            if version == was:
                continue
            segments, running = probe.closed_and_open(n_segments)  # (closed meanwhile: once)
            marks = probe.marks[n_marks:]
            db_events = probe.db_events[n_db:]
            steps = probe.loop_steps[n_steps:]
            fields: Fields = (
                probe.sent_ns,
                probe.picked_ns,
                probe.picked_thread,
                plain_clock(probe.picked_clock),
                probe.responded_ns,
                probe.finished_ns,
                probe.error,
                record.status,
                record.status_code,
                record.error,
                record.done_ns,
            )
            changes.append(
                (
                    i,
                    version,
                    fields,
                    [_segment(s) for s in segments],
                    [(m.ns, m.thread, m.where, plain_clock(m.clock)) for m in marks],
                    db_events,
                    steps,
                    [_segment(s) for s in running],
                )
            )
            sent[i] = (
                version,
                n_segments + len(segments),
                n_marks + len(marks),
                n_db + len(db_events),
                n_steps + len(steps),
            )
        return RecordFrame(
            live.now_ns,
            live.t0_ns,
            live.loop_thread,
            len(records),
            new,
            changes,
            live.loop_blocked,
            live.loop_blocking_now,
            tuple(self._collections.taken()) if self._collections is not None else (),
        )


#: ``Clock(*c)`` for a clock sent as its three fields, without the call of the named
#: tuple's ``__new__`` (half the cost: a frame after a burst brings ~50,000 clocks).
_as_clock = tuple.__new__


def _clock(c: ClockTuple | None) -> Clock | None:
    return None if c is None else _as_clock(Clock, c)


def _raw(s: SegmentTuple) -> RawSegment:
    kind, start, end, thread, is_open, line, a, b, due = s
    start_clock = None if a is None else _as_clock(Clock, a)
    end_clock = None if b is None else _as_clock(Clock, b)
    return RawSegment(kind, start, end, thread, is_open, line, start_clock, end_clock, due)


class RecordMirror:
    """The window's side: probes of its own holding what the site's held at the last frame
    applied (:meth:`take`, on the thread that reads the site's process, every frame in
    order), and the lanes built from them (:meth:`trace`, by whoever asked for the frame)."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        #: When the probes here were last brought up to date (the frame's now): a frame
        #: drawn later draws what they were doing then reaching its now.
        self._copied = CopiedAt()
        self._read_ns = 0  # (the latest "now" of the frames taken)
        #: Each record's open segments as the last frame that changed it sent them (the
        #: probe's are made again only where they differ: 10,000 awaits open a frame).
        self._running: list[list[SegmentTuple]] = []
        self._lanes: LiveLanes | None = None
        self._frame: RecordFrame | None = None
        #: Held while the probes are appended to or read.
        self._lock = threading.Lock()
        #: The CPU the last whole build of the lanes took (a build ahead, or a frame's with
        #: none before it), and whether one was built ahead since the last frame.
        self._build_ns = 0
        self._ahead_built = False
        #: The site's process's own collections during the run, as its frames told them.
        self.site_collections: list[tuple[int, int, int]] = []
        #: The full collection of the site's under way since the last frame taken was read
        #: (when it began), and how long those that ended since lasted.
        self._collecting: int | None = None
        self._collected_ns = 0

    def take(self, frame: RecordFrame, collecting: bool = False) -> None:
        """Append what ``frame`` says the probes recorded since the frame before;
        ``collecting``: read as a full collection of the site's began (``collecting.py``)."""
        with self._lock:
            self._collecting = frame.now_ns if collecting else None
            self._collected_ns = 0
            records, sent_running, copied = self._records, self._running, self._copied
            # (While the site collects, none of its Python runs: its records say what each
            # request does up to the collection's end, whenever that comes: :meth:`collected`.
            # They only grow: read once up to a time, they say all up to it ever after.)
            self._read_ns = max(self._read_ns, frame.now_ns)
            copied.ns = EVER if collecting else self._read_ns
            for request_id, view in frame.new:
                records.append(RequestRecord(RequestProbe(request_id, view, 0, copied=copied)))
                sent_running.append([])
            for i, version, fields, segments, marks, db_events, steps, running in frame.changes:
                record = records[i]
                probe = record.probe
                (
                    probe.sent_ns,
                    probe.picked_ns,
                    probe.picked_thread,
                    picked_clock,
                    probe.responded_ns,
                    probe.finished_ns,
                    probe.error,
                    record.status,
                    record.status_code,
                    record.error,
                    record.done_ns,
                ) = fields
                if picked_clock != probe.picked_clock:  # (a Clock equals its plain tuple)
                    probe.picked_clock = _clock(picked_clock)
                if segments:
                    probe.segments += map(_raw, segments)
                if marks:
                    probe.marks += [
                        Mark(n, t, w, None if c is None else _as_clock(Clock, c))
                        for n, t, w, c in marks
                    ]
                if db_events:
                    probe.db_events += db_events
                if steps:
                    probe.loop_steps += steps
                if running != sent_running[i]:
                    probe.open_segments = {k: _raw(s) for k, s in enumerate(running)}
                    sent_running[i] = running
                probe.version = version
            self._frame = frame
            self.site_collections += frame.collections

    def build_ahead(self) -> float:
        """Build the lanes of the frame just taken at its own now, as it arrives (on the
        thread that reads the site's process), and the CPU that took. The frame that draws
        it comes a few ms later (records asked ahead: ``ahead.py``) and builds its lanes at
        its own now from the same records: only those in flight grow, by :class:`LiveLanes`'
        rules, so the frame no longer waits for the lanes the records changed to be built
        (~10 ms of its 16 at 1,000 requests). A failure here leaves the lanes to be built
        afresh by the frame's own :meth:`trace`, which says what failed where it was asked.

        Not when the last whole build took longer than a push is given before its frame
        (:data:`~.ahead.LONGEST_LEAD_NS`): the frame would wait for it anyway, and then
        build the lanes waiting for the loop again at its own now (10,000 requests on a
        saturated loop, hundreds of ms a build: frames came half as often). The frame
        builds them itself then, and its build says whether the next may be built ahead.
        """
        if self._build_ns > LONGEST_LEAD_NS:
            return 0.0
        cpu = time.thread_time()
        with contextlib.suppress(Exception):  # (said by the asker's build: see above)
            self.trace(ahead=True)
        return time.thread_time() - cpu

    def finished(self, frame: RecordFrame) -> tuple[Trace, Summary]:
        """The run's final trace and its figures, ``frame`` the last its site's process sent
        (once the run was measured)."""
        self.take(frame)
        trace = self.trace(final=True)
        assert trace is not None
        return trace, summarize(trace)

    def collected(self, began_ns: int, walked_ns: int, ended_ns: int) -> None:
        """The site's full collection told as it began (:meth:`take` ``collecting``) ended;
        it stopped the site's Python from ``walked_ns`` (once the records were written) to
        ``ended_ns``. (Under way no more, then its length: read in between, the records
        look older, never more recent, than they are.)"""
        with self._lock:
            if self._collecting == began_ns:
                self._collecting = None
                self._collected_ns += ended_ns - walked_ns
                self._copied.ns = ended_ns

    def unseen_ns(self, now_ns: int) -> int:
        """How long the site's Python may have run, recording, between the read of the last
        frame taken and ``now_ns``: the time between, less the site's full collections
        meanwhile (none of its Python runs in one: ``collecting.py``): what a frame at
        ``now_ns`` built from these records may miss of what the site recorded (at most
        ``ahead.STALE_NS``: ``ahead.fresh``)."""
        frame = self._frame
        if frame is None:
            return 2**62
        unseen = now_ns - frame.now_ns - self._collected_ns
        collecting = self._collecting
        if collecting is not None:
            unseen -= max(0, now_ns - collecting)
        return unseen

    @property
    def taken_ns(self) -> int:
        """When the site's process read the records of the last frame taken (its "now")."""
        frame = self._frame
        return NEVER if frame is None else frame.now_ns

    def trace(
        self, now_ns: int | None = None, final: bool = False, *, ahead: bool = False
    ) -> Trace | None:
        """The trace of the records of the last frame taken, at ``now_ns`` (by default, the
        frame's "now"; ``None`` before the first frame): each lane built from the probes
        here as :class:`LiveLanes` builds it, at the cost of what changed since the last
        one built. A failure leaves the lanes to be built afresh.

        At a now later than the frame's (records asked ahead: ``ahead.py``), each lane is
        what the records as they stood then give at that now: a lane whose probe recorded
        something after the records were read is drawn as if it had not (what it was doing
        then reaching now, as a lane whose probe recorded nothing is grown to now; a sleep not
        over then goes on as a sleep, ``CopiedAt``), and so is the block of the loop under way
        then; what was recorded after is drawn by the next frame, and a request sent after is
        not there yet.

        ``final``: the run's final trace (the last frame taken after it was measured),
        checked as the engine checks its own (``LiveRun.snapshot``): built from scratch if a
        settled request's records changed after its lane was built. ``ahead``: built as
        the records arrived (:meth:`build_ahead`).

        What the build made is left unwalked by the collector (``collector.made_unwalked``,
        as the frames the reader applies): the window's process keeps the lanes, their
        builds and the records' copies from frame to frame, ~20 objects a request, none in a
        cycle. Paused alone, the young collection after a frame of 10,000 lanes walked all it
        made at once; left on, the full collections came again and again as they aged (16 in
        a 10,000-request run in the window, up to 0.6 s each)."""
        with self._lock, made_unwalked():
            frame = self._frame
            if frame is None:
                return None
            now = frame.now_ns if now_ns is None else now_ns
            live = self._lanes
            if live is None or live.loop_thread != frame.loop_thread:
                live = self._lanes = LiveLanes(frame.loop_thread)
            records = self._records[: frame.count]
            cpu = time.thread_time_ns()
            try:
                lanes, last = live.at(records, now, final=final)
            except BaseException:
                self._lanes = None  # halfway through: neither this frame's nor the last's
                raise
            if ahead or not self._ahead_built:  # a whole build (:meth:`build_ahead`)
                self._build_ns = time.thread_time_ns() - cpu
            self._ahead_built = ahead
            blocking = frame.loop_blocking_now
            if blocking is not None and now != frame.now_ns:  # as it stood, at this now
                # (grown as long as the frame's now is later: a step inside the request's own
                # await ends short of its now by its waits to run, and still does then)
                end = blocking[1] + now - frame.now_ns
                blocking = (blocking[0], end) if blocking[0] < end else None
            trace = Trace(
                t0_ns=frame.t0_ns,
                lanes=lanes,
                loop_thread=frame.loop_thread,
                loop_blocked=blocks_within(frame.loop_blocked, frame.t0_ns, last),
                loop_blocking_now=blocking,
            )
            trace.note_grown(live.grown_from)
            return trace
