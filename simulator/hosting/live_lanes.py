"""A live run's lanes, frame after frame, at the cost of what changed since the last frame.

The window asks :class:`~simulator.hosting.engine.LiveRun` for the trace so far many times a
second. Building every lane in flight from its probe each time (and reading every probe for
the loop's holds) costs a frame of 10,000 requests seconds. Here:

- what recorded something since the last frame is told by its probe's ``version`` alone
  (:meth:`~embedded_site.instrumentation.RequestProbe.touch`): one attribute per lane;
- a lane whose request is settled (:func:`~simulator.hosting.record_state.settled`, and its
  probe unchanged over a frame) is built once and handed out as the same object ever after
  (the painter splits it once);
- a lane in flight whose probe recorded nothing new is grown to "now"
  (:mod:`simulator.trace.growing`) unless the loop's holds it read have changed;
- a lane in flight whose probe recorded something is walked again only from where that
  (or the holds it read) changed (:func:`~simulator.trace.lanes.build_lane_again`): a
  request records a dozen things on its way, each seen by some frame;
- an answered request that Django is still tidying up after records loop steps and marks
  after its lane's end, which leave its lane as it is (:func:`~simulator.hosting.record_state.
  only_tidying_after`): kept, not built;
- the holds on the loop are read incrementally (:class:`~simulator.trace.live_holds.LiveHolds`).

Every frame builds every lane that changed: no frame hands out a lane drawn short of its
"now" (an earlier frame budget did, and drew blocks of a 10,000-request run's lanes ending up
to a second short of now; the window takes its frames on a worker thread, whose CPU the
pacing of frames accounts for, ``app/session/live.py``).

Every lane is what :func:`~simulator.trace.lanes.build_lane` gives from the same records at
the same "now": the final trace is the one a build from scratch gives (``tests/simulator/
test_live_lanes.py`` checks both, frame by frame and on real runs).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from embedded_site.instrumentation import RequestProbe
from simulator.hosting.driver import RequestRecord
from simulator.hosting.record_state import (
    Shape,
    State,
    answered_ns,
    answered_shape,
    final,
    head,
    only_tidying_after,
    shape_of,
    state_of,
    tidying,
)
from simulator.trace import IntervalSet, Lane, build_lane, loop_holding_intervals
from simulator.trace.data import GrownFrom
from simulator.trace.growing import (
    HOLDS_READ_SLACK_NS,
    NOTHING_SEEN,
    ReadHolds,
    Seen,
    grows_from,
    read_near,
)
from simulator.trace.lanes import LaneBuild, build_lane_again
from simulator.trace.live_holds import LiveHolds
from simulator.trace.made import reaching

__all__ = ["LiveLanes", "LiveRecords", "blocks_within", "from_scratch", "from_scratch_ending"]

#: Whether a lane that read the holds over these windows may read them otherwise now.
_Near = Callable[[tuple[int, ...]], bool]

LET_GO = 500  # how many settled lanes' builds a frame frees, ~4.5 ms

#: Before any time, and after it.
_NEVER = -(2**62)
_EVER = 2**62


@dataclass(slots=True)
class _Kept:
    #: The probe's :attr:`~embedded_site.instrumentation.RequestProbe.version` read before
    #: its lane was built: the same later, nothing was recorded since (it is built again
    #: only if that changes).
    version: int
    state: State
    lane: Lane
    #: How far building the lane read the loop's holds: while they stay as they are up to
    #: then, the lane stays as it is (one in flight, grown to now if ``grows``).
    read_until: int
    grows: bool
    in_flight: bool
    end: int  # the lane's end (now, in flight)
    #: What building it read, to build it again from where its records changed (in flight).
    build: LaneBuild | None = None
    #: Grown (``grows``) only to a "now" before this: then an open timed await is past its
    #: deadline, and the lane ends it there (``RequestProbe.due_by``).
    grows_until: int = _EVER
    #: :func:`final` of ``state`` (the request settled for good once its lane is the same
    #: two frames in a row).
    final: bool = False
    #: An answered request's :func:`shape_of` read with ``version``: while Django tidies up
    #: after it, its records change after its lane's end, which leaves its lane as it is
    #: (:func:`only_tidying_after`).
    shape: Shape | None = None
    #: The stretches of the holds its building read (:attr:`ReadHolds.windows`, a plain
    #: tuple): holds that changed after ``read_until`` but away from all of them leave it
    #: as it is (:func:`read_near`).
    windows: tuple[int, ...] = ()
    #: What :func:`grows_from` read of its records (it reads on from there).
    seen: Seen = NOTHING_SEEN


@dataclass(frozen=True, slots=True)
class LiveRecords:
    """What a live run's trace at ``now_ns`` is built of (``LiveRun.records_now``): its
    requests' records (their probes still recording), and the server's blocks of the loop."""

    now_ns: int
    t0_ns: int
    records: list[RequestRecord]
    loop_thread: str | None
    loop_blocked: list[tuple[int, int]]
    loop_blocking_now: tuple[int, int] | None


class LiveLanes:
    """The lanes of one live run's records (they only grow, in order), kept between frames."""

    def __init__(self, loop_thread: str | None) -> None:
        self.loop_thread = loop_thread
        self._holds = LiveHolds(loop_thread)
        self._lanes: list[Lane] = []
        self._kept: list[_Kept | None] = []
        self._active: list[int] = []  # the records not settled, by index
        self._settled: list[tuple[int, int]] = []  # (read_until, index): sorted if the flag says
        self._settled_sorted = True
        self._letting_go: list[LaneBuild] = []  # settled lanes' builds, freed a few a frame
        self._settled_last = _NEVER
        #: Lanes built with ``build_lane`` at the last update (the rest were kept or grown),
        #: and how many of them were walked again only from where their records changed.
        self.built = 0
        self.resumed = 0
        #: Lanes kept at the last update though their records changed (Django tidying up after
        #: their answers: :func:`only_tidying_after`).
        self.tidied = 0
        #: When the last segment of all ended (``now`` if none).
        self.last_ns = 0
        #: Which lanes of the last update only grew from the update before (``None``: not
        #: said), for whoever kept what it read of those (``Trace.note_grown``).
        self.grown_from: GrownFrom | None = None
        self._handed: tuple[Lane, ...] | None = None  # what the last update gave, if it ended

    def update(
        self,
        records: Sequence[RequestRecord],
        now_ns: int,
        *,
        abandoned: bool = False,
    ) -> tuple[Lane, ...]:
        """Every record's lane at ``now_ns``. With ``abandoned``, those still in flight are
        cancelled at ``now_ns`` (and kept no more: nothing follows an abandon)."""
        # What the last update handed out, forgotten until this one is done: one that fails
        # halfway may have built lanes again, which the next must not say only grew from it.
        chain = self.grown_from  # (how ``earlier`` came about: the link before this one)
        earlier, self._handed, self.grown_from = self._handed, None, None
        known = len(self._lanes)
        if len(records) > known:
            self._active += range(known, len(records))
            self._kept += [None] * (len(records) - known)
            self._lanes += [None] * (len(records) - known)  # type: ignore[list-item]
        # What changed since the last frame; then the holds on the loop, read from it.
        kept_list = self._kept
        changed: list[int] = []
        same: list[tuple[int, _Kept]] = []
        states: dict[int, tuple[int, State, Shape | None]] = {}
        tidied: list[RequestProbe] = []  # (their lanes the same: see only_tidying_after)
        marks_on = self.loop_thread is not None  # (else drawn on the worker, held_by_worker)
        for i in self._active:
            record = records[i]
            version = record.probe.version  # read first: a record made after it changes it
            kept = kept_list[i]
            if kept is not None and kept.version == version and not abandoned:
                same.append((i, kept))
            elif kept is not None and kept.shape is not None and not abandoned:
                shaped = shape_of(record)
                if only_tidying_after(record.probe, kept.shape, shaped, kept.lane, marks_on):
                    kept.version, kept.shape = version, shaped
                    tidied.append(record.probe)
                    same.append((i, kept))
                else:
                    changed.append(i)
                    states[i] = version, state_of(record), shaped
            else:
                changed.append(i)
                states[i] = version, state_of(record), answered_shape(record)
        holds = self._holds
        probes = [records[i].probe for i in changed]
        held = ReadHolds(holds.update(probes + tidied if tidied else probes, now_ns))
        unchanged_until = holds.changed_from - HOLDS_READ_SLACK_NS
        near = _near(holds.changed)
        for i in self._unsettled(unchanged_until, near):
            changed.append(i)
            states[i] = records[i].probe.version, state_of(records[i]), answered_shape(records[i])
        # Lanes whose records did not change and whose holds did not either, up to where
        # they read them: kept (settled once answered and finished), or grown to now.
        lanes = self._lanes
        still: list[int] = []
        last = self._settled_last
        grown: list[int] = []
        for i, kept in same:
            if kept.read_until >= unchanged_until and near(kept.windows):
                changed.append(i)
                states[i] = kept.version, kept.state, kept.shape
            elif kept.grows and kept.end <= now_ns < kept.grows_until:
                kept.lane = lanes[i] = reaching(kept.lane, now_ns)
                kept.end = now_ns
                grown.append(i)
                still.append(i)
            elif kept.in_flight:
                changed.append(i)  # in flight, reaching now: built again
                states[i] = kept.version, kept.state, kept.shape
            elif kept.final:
                # The same lane two frames in a row: final. Judged by the records this frame
                # compared, not read again: the site may finish the request meanwhile, after
                # its lane was built (its last loop steps not yet read for the holds).
                self._settle(i, kept)
            else:
                last = max(last, kept.end)  # answered, Django still at work on it
                still.append(i)
        if grown:
            last = max(last, now_ns)
        resumed = 0
        for i in changed if abandoned else ():
            kept, lane = kept_list[i], _built(records[i], now_ns, self.loop_thread, held, True)
            if kept is not None and records[i].done_ns is not None and _same_lane(lane, kept.lane):
                lane = kept.lane
            lanes[i] = lane
            kept_list[i] = None  # nothing follows an abandon
            last = max(last, lane.end_ns)
            still.append(i)
        loop_thread = self.loop_thread
        # (10,000 a frame after a burst: one pass, no call it can spare, each lane's
        # bookkeeping kept in its own object, set again.)
        for i in () if abandoned else changed:
            record = records[i]
            probe = record.probe
            kept = kept_list[i]
            held.until, held.windows = _NEVER, []
            done = record.done_ns
            # What :func:`head` would say, read directly (no lane made for it).
            lane, build = build_lane_again(
                None if kept is None else kept.build,
                probe,
                done_ns=now_ns if done is None else answered_ns(record, now_ns),
                status=record.status,
                status_code=record.status_code,
                error=record.error or probe.error,
                loop_thread=loop_thread,
                loop_held=held,
                unchanged_until=unchanged_until,
            )
            if build is not None and build.walked_from > 0:
                resumed += 1
            seen = NOTHING_SEEN if kept is None else kept.seen
            grows, grows_until = False, _EVER
            if done is None:
                grows, seen = grows_from(probe, lane, now_ns, held.until, seen)
                due_by = probe.due_by(now_ns) if grows else None
                if due_by is not None:
                    grows_until = due_by
            elif kept is not None and _same_lane(lane, kept.lane):
                lane = kept.lane  # the same object, for whoever keeps what it drew of it
            lanes[i] = lane
            end = lane.end_ns
            version, state, shape = states[i]
            windows = held.windows
            if kept is None:  # (its first build: every field set below, as for the rest)
                kept = kept_list[i] = _Kept(version, state, lane, held.until, grows, True, end)
            kept.version = version
            kept.state = state
            kept.lane = lane
            kept.read_until = held.until
            kept.grows = grows
            kept.in_flight = done is None
            kept.end = end
            kept.build = build
            kept.grows_until = grows_until
            kept.final = final(state)
            kept.shape = shape
            kept.windows = tuple(windows) if windows else ()
            kept.seen = seen
            if end > last:
                last = end
            still.append(i)
        self._active = still
        del self._letting_go[:LET_GO]  # (~9 µs a build)
        self.built, self.resumed, self.tidied = len(changed), resumed, len(tidied)
        self.last_ns = max(last, self._settled_last) if lanes else now_ns
        handed = tuple(lanes)
        self._handed = None if abandoned else handed
        self.grown_from = (
            None
            if earlier is None or abandoned
            else GrownFrom(earlier, tuple(grown), now_ns, None if chain is None else chain.back(2))
        )
        return handed

    def _settle(self, i: int, kept: _Kept) -> None:
        # Final: built again afresh if the holds it read change. Its build freed a few a frame
        # and the list sorted once: 7,542 settling in one frame cost it 66 + 10 ms.
        if kept.build is not None:
            self._letting_go.append(kept.build)
            kept.build = None
        self._settled.append((kept.read_until, i))
        self._settled_sorted = False
        self._settled_last = max(self._settled_last, kept.lane.end_ns)

    def _unsettled(self, unchanged_until: int, near: _Near) -> list[int]:
        """Settled lanes whose holds on the loop changed where they read them (a request's
        records arrived late): to be built again, as those in flight are."""
        if not self._settled_sorted:
            self._settled.sort()
            self._settled_sorted = True
        at = bisect.bisect_left(self._settled, (unchanged_until, -1))
        if at == len(self._settled):
            return []
        kept = self._kept
        again: list[int] = []
        stay: list[tuple[int, int]] = []
        for read_until, i in self._settled[at:]:
            kept_i = kept[i]
            if kept_i is None or near(kept_i.windows):
                again.append(i)
            else:
                stay.append((read_until, i))
        if not again:
            return []
        self._settled[at:] = stay
        ends = [self._lanes[i].end_ns for _, i in self._settled]
        self._settled_last = max(ends, default=_NEVER)
        return again

    def at(
        self,
        records: Sequence[RequestRecord],
        now_ns: int,
        *,
        final: bool = False,
        abandoned: bool = False,
    ) -> tuple[tuple[Lane, ...], int]:
        """:meth:`update`'s lanes and when the last of them ends (:attr:`last_ns`); the final
        trace's (``final``) checked first: built from scratch if :meth:`stale`. The engine's
        snapshot and the window's build from mirrored records each take their lanes so."""
        lanes = self.update(records, now_ns, abandoned=abandoned)
        if final and self.stale(records):
            self.grown_from = self._handed = None
            return from_scratch_ending(records, now_ns, self.loop_thread, abandoned)
        return lanes, self.last_ns

    def stale(self, records: Sequence[RequestRecord]) -> bool:
        """Whether a settled request's records changed after its lane was built (which
        :func:`~simulator.hosting.record_state.settled` says cannot happen): then only a
        build from scratch is right."""
        active = set(self._active)
        return any(
            i not in active and kept is not None and kept.version != records[i].probe.version
            for i, kept in enumerate(self._kept[: len(records)])
        )


def _same_lane(lane: Lane, before: Lane) -> bool:
    """``lane == before``, told quickly where they differ (most answered lanes built again
    do: by a segment or where the last ends)."""
    segments, old = lane.segments, before.segments
    if len(segments) != len(old) or (segments and segments[-1] != old[-1]):
        return False
    return lane == before


def _near(changed: tuple[list[int], list[int]] | None) -> _Near:
    """Whether a lane that read the holds over these windows may read them otherwise now
    that they changed over ``changed`` (``None``: anywhere)."""
    if changed is None:
        return _anywhere
    starts, ends = changed
    return lambda windows: read_near(windows, starts, ends)


def _anywhere(windows: tuple[int, ...]) -> bool:
    return True


def blocks_within(
    blocked: Sequence[tuple[int, int]], t0_ns: int, last_ns: int
) -> tuple[tuple[int, int], ...]:
    """The server's blocks of the loop within the run, clipped to it: before the first send
    (``t0_ns``) or after the last segment's end (``last_ns``, :attr:`LiveLanes.last_ns`),
    the loop was warming up or tidying up, which no request waited for."""
    return tuple(
        (max(start, t0_ns), min(end, last_ns))
        for start, end in blocked
        if end > t0_ns and start < last_ns
    )


def from_scratch(
    records: Sequence[RequestRecord],
    now_ns: int,
    loop_thread: str | None,
    abandoned: bool = False,
) -> tuple[Lane, ...]:
    """Every record's lane built anew (what :class:`LiveLanes` gives, by its definition)."""
    held = loop_holding_intervals((r.probe for r in records), loop_thread, now_ns)
    return tuple(_built(r, now_ns, loop_thread, held, abandoned) for r in records)


def from_scratch_ending(
    records: Sequence[RequestRecord],
    now_ns: int,
    loop_thread: str | None,
    abandoned: bool = False,
) -> tuple[tuple[Lane, ...], int]:
    """:func:`from_scratch`, and when the last lane ends (``now_ns`` if none)."""
    lanes = from_scratch(records, now_ns, loop_thread, abandoned)
    return lanes, max((lane.end_ns for lane in lanes), default=now_ns)


def _built(
    record: RequestRecord,
    now_ns: int,
    loop_thread: str | None,
    held: IntervalSet,
    abandoned: bool,
) -> Lane:
    probe = record.probe
    if abandoned and tidying(record):
        # Answered, Django's tidying after it cut short now: measured up to here.
        probe = dataclasses.replace(probe, finished_ns=now_ns)
    top = head(record, now_ns, abandoned)
    return build_lane(
        probe,
        done_ns=top.done_ns,
        status=top.status,
        status_code=top.status_code,
        error=top.error,
        loop_thread=loop_thread,
        loop_held=held,
    )
