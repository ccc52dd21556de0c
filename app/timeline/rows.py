"""A trace laid out as rows to paint: one per request, or one per thread and the loop.

:class:`TimelineRows` is computed once per trace and kept by whoever paints it (the window's
timeline, the slide), since zooming and panning only change which part is drawn.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from app.text_clean import printable
from app.timeline.names import thread_label, thread_names
from app.timeline.spans import (
    KindLists,
    RowSpans,
    answered_ns,
    kind_lists,
    request_spans,
    shown_segments,
    spans_of_lists,
)
from simulator.trace import (
    HOLDS_THREAD,
    NOT_HELD_BY_VIEW,
    QUEUE_THREAD,
    Kind,
    Lane,
    Segment,
    Trace,
    split_server_thread,
)

__all__ = [
    "BY_CHOICES",
    "DRAW_ORDER",
    "TimelineRows",
    "by_value",
    "picture_end_ns",
    "thread_label",
    "thread_names",
    "works_after_answers",
]

#: What ``--by`` and a scenario file's ``by`` key accept, and the layout each one means.
BY_CHOICES: dict[str, str] = {"request": "requests", "worker": "workers"}

#: The labels of the by-worker layout's two bands.
QUEUE_BAND = "queue"
AWAITING_BAND = "awaiting"
#: The key of the by-worker layout's row for threads that ran only Django's own code.
DJANGO_ONLY_ROW = "django-only"


def by_value(by: str) -> str:
    """A layout name (``"requests"``/``"workers"``) from either spelling, or a ValueError."""
    if by in BY_CHOICES.values():
        return by
    if by in BY_CHOICES:
        return BY_CHOICES[by]
    raise ValueError(f"by must be 'worker' or 'request', not {by!r}")


#: A request's holds of one thread closer than this share one number on the bar.
_JOIN_NS = 2_000_000


def _error_text(lane: Lane) -> str:
    """A failed request's error as it is written beside its lane."""
    lines = (lane.error or "").strip().splitlines()
    first = printable(lines[0]) if lines else f"HTTP {lane.status_code}"
    # Whole: its point is often last ("an unawaited coroutine"); the painter fits it.
    return f"#{lane.request_id + 1} failed: {first}"


#: Later kinds are drawn over earlier ones where aggregated rows overlap.
DRAW_ORDER = (
    "queued",
    "cancelled",
    "client",
    "server",
    "io_wait",
    "view",
    "server_timing",
    "thread_hop",
    "core_wait",
    "gil_wait",
    "framework",
    "io_blocking",
    "sql",
    "cpu",
)


def _count_bands(spans: list[tuple[int, int]], noun: str) -> list[tuple[int, int, int, str]]:
    """Where ``spans`` overlap, as ``(start, end, count, "3 queued")`` steps of one count."""
    events = sorted([(s, 1) for s, e in spans if e > s] + [(e, -1) for s, e in spans if e > s])
    steps: list[tuple[int, int, int, str]] = []
    level = 0
    for i, (ns, delta) in enumerate(events):
        level += delta
        nxt = events[i + 1] if i + 1 < len(events) else None
        if nxt is not None and nxt[0] > ns and level > 0:
            if steps and steps[-1][2] == level and steps[-1][1] == ns:
                steps[-1] = (steps[-1][0], nxt[0], level, steps[-1][3])
            else:
                steps.append((ns, nxt[0], level, f"{level} {noun}"))
    return steps


def works_after_answers(trace: Trace) -> bool:
    """Whether Django held a thread or the loop for some request after its answer: the
    by-request layout draws that as a thin faint tail (and a legend must say what it is)."""
    return any(
        seg.end_ns > lane.done_ns and seg.kind in HOLDS_THREAD
        for lane in trace.lanes
        if lane.status in ("ok", "error")
        for seg in reversed(lane.segments)
    )


#: Django's clean-up after the last answer is shown whole in a fitted picture while it adds
#: at most this share of the run to it.
TIDY_SHARE = 0.25


def picture_end_ns(trace: Trace) -> int:
    """Where a fitted picture of ``trace`` ends: its last segment, unless Django's clean-up
    after the last answer (in the window, waiting for the GIL while the window draws) would
    stretch the picture by more than :data:`TIDY_SHARE`; then a little past the last answer,
    and the painter says how long the clean-up went on."""
    answered, last = trace.end_ns, trace.last_ns
    span = answered - trace.t0_ns
    if last - answered <= TIDY_SHARE * span:
        return last
    return answered + span // 20


def _answered_ns(lane: Lane) -> int:
    """When ``lane``'s request got its answer (or was cancelled); a running one: not yet."""
    return lane.done_ns if lane.status != "running" else lane.end_ns


def _natural(text: str) -> list[str | int]:
    """``"wsgi-worker-9"`` before ``"wsgi-worker-16"``: numbers compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _thread_rows(trace: Trace) -> tuple[list[str], list[str]]:
    """The threads of the by-worker layout: those with rows of their own, in order (a real
    server's per process, WSGI workers by number, the rest by first use), and those no view
    held (they ran only Django's own code, its signal receivers under ASGI, as "threads held
    at once" counts): one row shows them all.
    """
    loop = trace.loop_thread
    threads = [t for t in trace.threads() if t != loop]
    held = {
        seg.thread
        for lane in trace.lanes
        for seg in lane.segments
        if seg.kind not in NOT_HELD_BY_VIEW
    }  # as "threads held at once" counts them

    def own_row(thread: str) -> bool:
        return bool(
            split_server_thread(thread) or thread.startswith("wsgi-worker-") or thread in held
        )

    def key(thread: str) -> tuple[list[str | int], list[str | int]]:
        server = split_server_thread(thread)
        if server is not None:
            return _natural(server[0]), []
        return [], _natural(thread) if thread.startswith("wsgi-worker-") else []

    shown = sorted((t for t in threads if own_row(t)), key=key)  # stable: else first use
    return shown, [t for t in threads if not own_row(t)]


@dataclass
class TimelineRows:
    """A trace laid out as rows: per request (``by="requests"``) or per thread (``"workers"``).

    ``per_kind[kind]`` holds ``(row, start_ns, end_ns)`` for every segment drawn in that
    kind's colour; the by-worker layout keeps only segments that hold their thread.
    ``tail_per_kind`` holds what Django did for a request after its answer was sent
    (``response.close()``, its ``request_finished`` receivers): drawn thin and faint, because
    the client no longer waits for it. Only work that held a thread or the loop is kept
    there: a request waiting for the loop to tidy it up is no client's wait, and drawn as a
    grey bar it read as every request ending with the last. ``answered`` says where each
    request got its answer (the painter marks it), so a lane visibly ends there.
    """

    trace: Trace
    by: str = "requests"
    labels: list[str] = field(default_factory=list)
    _per_kind: KindLists | None = field(default=None, repr=False)
    _tail_per_kind: KindLists | None = field(default=None, repr=False)
    failed_rows: list[tuple[int, int]] = field(default_factory=list)  # (row, end_ns)
    #: Where a request got its (successful) answer: ``(row, done_ns)``.
    answered: list[tuple[int, int]] = field(default_factory=list)
    #: Words written on bars where they fit: ``(row, start_ns, end_ns, kind, text)``, the
    #: request's number on a worker's bar, "7 awaiting" on the bands.
    bar_texts: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    #: A failed request's error, beside its lane: ``(row, end_ns, text)``.
    error_texts: list[tuple[int, int, str]] = field(default_factory=list)
    _names: dict[str, str] | None = field(default=None, repr=False)
    _row_segments: list[list[Segment]] | None = field(default=None, repr=False)
    _spans: RowSpans | None = field(default=None, repr=False)
    _cut: dict[int, list[Segment]] = field(default_factory=dict, repr=False)
    row_lanes: list[Lane | None] = field(default_factory=list)
    #: The threads of the by-worker layout's one "Django only" row: they ran nothing but
    #: Django's own code (its signal receivers, about 2 ms a request), held by no view.
    django_only: tuple[str, ...] = ()
    #: The event loop's row (the by-worker layout of an ASGI run): its label is always drawn.
    loop_row: int | None = None
    #: Rows that stand for no single request or thread (the by-worker layout's bands, the
    #: event loop, the "Django only" row): never grouped with others (:mod:`.grouping`).
    kept_rows: frozenset[int] = frozenset()
    #: For rows grouped to fit (:func:`~app.timeline.grouping.fit_rows`): the rows of the
    #: full layout each row stands for, ``(first, last)``; empty when each is its own.
    members: list[tuple[int, int]] = field(default_factory=list)
    _grouped: dict[tuple[int, bool], KindLists] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by = by_value(self.by)
        if self.by == "workers":
            self._per_kind = {kind: [] for kind in DRAW_ORDER}
            self._tail_per_kind = {kind: [] for kind in DRAW_ORDER}
            self._row_segments = []
            self._by_worker()
        else:
            self._by_request()

    @property
    def names(self) -> dict[str, str]:
        """Thread → what the rows call it (named when first asked: by request, on hover)."""
        if self._names is None:
            loop = self.trace.loop_thread
            shown, django_only = _thread_rows(self.trace)
            threads = shown + django_only  # the rows' threads numbered first, in row order
            self._names = thread_names([loop, *threads] if loop else threads, loop)
        return self._names

    @property
    def spans(self) -> RowSpans:
        """Every bar as numpy columns: what the window's image painter reads."""
        if self._spans is None:
            self._spans = (
                request_spans(self.trace)
                if self.by == "requests"
                else spans_of_lists(self.per_kind, self.tail_per_kind)
            )
        return self._spans

    @property
    def per_kind(self) -> KindLists:
        if self._per_kind is None:  # by request: from the spans, when first asked
            self._per_kind, self._tail_per_kind = kind_lists(self.spans, DRAW_ORDER)
        return self._per_kind

    @property
    def tail_per_kind(self) -> KindLists:
        if self._tail_per_kind is None:
            self._per_kind, self._tail_per_kind = kind_lists(self.spans, DRAW_ORDER)
        return self._tail_per_kind

    @property
    def row_segments(self) -> list[list[Segment]]:
        """Each row's segments as drawn (a lane's cut at its answer), in time order."""
        if self._row_segments is None:
            self._row_segments = [self._cut_lane(row) for row in range(len(self))]
        return self._row_segments

    def _cut_lane(self, row: int) -> list[Segment]:
        """By request: lane ``row``'s segments as drawn, cut once when first asked (hover)."""
        if row not in self._cut:
            self._cut[row] = shown_segments(self.spans, self.trace.lanes[row], row)
        return self._cut[row]

    def _by_request(self) -> None:
        lanes = self.trace.lanes  # every live frame of 10,000 lanes: no call per lane to spare
        self.labels = [f"#{lane.request_id + 1}" for lane in lanes]  # screens count from 1
        self.row_lanes = list(lanes)
        for row, lane in enumerate(lanes):
            if lane.status == "running" or lane.status == "cancelled":
                continue
            answered = answered_ns(lane)
            if lane.status == "ok":
                self.answered.append((row, answered))
            elif lane.status == "error":
                self.failed_rows.append((row, answered))
                self.error_texts.append((row, answered, _error_text(lane)))

    def _by_worker(self) -> None:
        """A band of requests waiting in the queue, the event loop, a band of requests
        awaiting on the loop, then one row per thread; bars carry the request's number."""
        trace = self.trace
        loop = trace.loop_thread
        threads, django_only = _thread_rows(trace)
        # Only requests still waiting: once answered, a request waiting for the loop to tidy
        # it up is nobody's wait (its clean-up is drawn on the loop's row when it runs).
        queued = [
            (seg.start_ns, min(seg.end_ns, _answered_ns(lane)))
            for lane in trace.lanes
            for seg in lane.segments
            if seg.kind == "queued"  # for a worker, or for the loop another request holds
        ]
        awaiting = [
            (seg.start_ns, min(seg.end_ns, _answered_ns(lane)))
            for lane in trace.lanes
            for seg in lane.segments
            if seg.kind == "io_wait" and seg.thread == loop
        ]
        order: list[tuple[str, str]] = [(QUEUE_BAND, "waiting")]
        if loop is not None:
            order += [(loop, "event loop"), (AWAITING_BAND, "awaiting on the loop")]
        order += [(t, self.names[t]) for t in threads]
        if django_only:
            n = len(django_only)
            order.append((DJANGO_ONLY_ROW, f"{n} thread{'s' if n > 1 else ''}: Django only"))
        index = {key: row for row, (key, _) in enumerate(order)}
        for thread in django_only:  # one row for them all
            index[thread] = index[DJANGO_ONLY_ROW]
        self.django_only = tuple(django_only)
        self.loop_row = index.get(loop) if loop is not None else None
        self.kept_rows = frozenset(
            index[key] for key in (QUEUE_BAND, loop, AWAITING_BAND, DJANGO_ONLY_ROW) if key in index
        )
        self.labels = [label for _, label in order]
        self._row_segments = [[] for _ in order]
        self.row_lanes = [None for _ in order]
        for row, key, spans, kind, noun in (
            (0, QUEUE_THREAD, queued, Kind.QUEUED, "queued"),
            (index.get(AWAITING_BAND), loop, awaiting, Kind.IO_WAIT, "awaiting"),
        ):
            if row is None or key is None:
                continue
            for start, end, _, text in _count_bands(spans, noun):
                self.per_kind[kind].append((row, start, end))
                self.row_segments[row].append(Segment(kind, start, end, key))
                self.bar_texts.append((row, start, end, kind, text))
        for lane in trace.lanes:
            held: dict[int, list[list[int]]] = {}
            for seg in lane.segments:
                if (
                    seg.kind == "io_wait"
                    and split_server_thread(seg.thread)
                    and seg.thread in index
                ):
                    # A real server's process has a loop of its own, unwatched: its awaits
                    # are drawn on its row (under what holds it), so a process with
                    # requests waiting does not look idle.
                    self.per_kind[seg.kind].append((index[seg.thread], seg.start_ns, seg.end_ns))
                    self.row_segments[index[seg.thread]].append(seg)
                    continue
                # A plain site's view (the copied middleware: I/O and CPU as one span) is
                # drawn on its process's row too, or a worker looks idle while it serves.
                if (seg.kind in HOLDS_THREAD or seg.kind == Kind.VIEW) and seg.thread in index:
                    row = index[seg.thread]
                    self.per_kind[seg.kind].append((row, seg.start_ns, seg.end_ns))
                    self.row_segments[row].append(seg)
                    spans_here = held.setdefault(row, [])
                    if spans_here and seg.start_ns - spans_here[-1][1] < _JOIN_NS:
                        spans_here[-1][1] = max(spans_here[-1][1], seg.end_ns)
                    else:
                        spans_here.append([seg.start_ns, seg.end_ns])
            for row, spans_of_lane in held.items():
                if django_only and row == index[DJANGO_ONLY_ROW]:
                    continue  # specks of Django's receivers: no room for numbers
                self.bar_texts += [
                    (row, s, e, Kind.FRAMEWORK, f"#{lane.request_id + 1}") for s, e in spans_of_lane
                ]
            if lane.status == "error":
                last = next(
                    (index[s.thread] for s in reversed(lane.segments) if s.thread in index), 0
                )
                self.failed_rows.append((last, lane.done_ns))
                self.error_texts.append((last, lane.done_ns, _error_text(lane)))
        for segs in self.row_segments:
            segs.sort(key=lambda s: s.start_ns)

    def thread_name(self, thread: str) -> str:
        """What the rows call ``thread``."""
        return self.names.get(thread) or thread_label(thread, self.trace.loop_thread)

    def __len__(self) -> int:
        return len(self.labels)

    def grouped(self, group: int, tail: bool = False) -> dict[str, list[tuple[int, int, int]]]:
        """Segments with ``group`` rows sharing one pixel row: ``(pixel_row, start, end)``,
        overlapping ones of a kind merged. Computed once per group size and kept, since it
        does not depend on the time range shown: zooming and panning reuse it.
        """
        source = self.tail_per_kind if tail else self.per_kind
        if group <= 1:
            return source
        key = (group, tail)
        cached = self._grouped.get(key)
        if cached is not None:
            return cached
        # Gaps narrower than ~1/8000 of the run vanish: below a pixel even on a 4K screen
        # when the whole run is shown (zooming in shows fewer lanes per pixel anyway).
        slack = max(1, (self.trace.last_ns - self.trace.t0_ns) // 8000)
        if tail:
            # Several lanes to a pixel row: what follows the answers is one thing there,
            # Django still at work for those requests (its clean-up, and its waits for the
            # loop to do it), drawn as framework rather than as thousands of specks.
            source = {"framework": [item for items in source.values() for item in items]}
        merged: dict[str, list[tuple[int, int, int]]] = {}
        for kind, items in source.items():
            out: list[tuple[int, int, int]] = []
            for band, s, e in sorted((r // group, s, e) for r, s, e in items):
                if out and out[-1][0] == band and s <= out[-1][2] + slack:
                    if e > out[-1][2]:
                        out[-1] = (band, out[-1][1], e)
                else:
                    out.append((band, s, e))
            merged[kind] = out
        self._grouped[key] = merged
        return merged

    def segments_of(self, row: int) -> list[Segment]:
        """Row ``row``'s segments as drawn (by request: that lane's alone, cut when asked)."""
        rows = self._row_segments
        return rows[row] if rows is not None else self._cut_lane(row)

    def segment_at(self, row: int, ns: int) -> Segment | None:
        """The segment drawn at ``ns`` in ``row``."""
        if not 0 <= row < len(self):
            return None
        segs = self.segments_of(row)
        i = bisect.bisect_right([s.start_ns for s in segs], ns) - 1
        if i >= 0 and segs[i].end_ns >= ns:
            return segs[i]
        return None
