"""A trace laid out as rows to paint: one per request, or one per thread and the loop.

:class:`TimelineRows` is computed once per trace and kept by whoever paints it (the window's
timeline, the slide), since zooming and panning only change which part is drawn.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.timeline.bar_texts import BarText
from app.timeline.by_worker import Holds, WorkerLayout, worker_threads
from app.timeline.error_label import error_text
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
from simulator.trace import Lane, Segment, Trace
from simulator.trace.columns import KIND_CODE

__all__ = [
    "BY_CHOICES",
    "DRAW_ORDER",
    "Int64s",
    "TimelineRows",
    "by_value",
    "picture_end_ns",
    "segment_columns",
    "thread_label",
    "thread_names",
]

#: What ``--by`` and a scenario file's ``by`` key accept, and the layout each one means.
BY_CHOICES: dict[str, str] = {"request": "requests", "worker": "workers"}


def by_value(by: str) -> str:
    """A layout name (``"requests"``/``"workers"``) from either spelling, or a ValueError."""
    if by in BY_CHOICES.values():
        return by
    if by in BY_CHOICES:
        return BY_CHOICES[by]
    raise ValueError(f"by must be 'worker' or 'request', not {by!r}")


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


@dataclass
class TimelineRows:
    """A trace laid out as rows: per request (``by="requests"``) or per thread (``"workers"``).

    ``per_kind[kind]`` holds ``(row, start_ns, end_ns)`` for every segment drawn in that
    kind's colour; the by-worker layout keeps only segments that hold their thread.
    ``tail_per_kind`` holds what Django did for a request after its answer was sent
    (``response.close()``, its ``request_finished`` receivers): drawn thin and faint, in one
    colour whatever the work (:data:`~app.timeline.spans.TAIL_KIND`'s list), because the
    client no longer waits for it. Only work that held a thread or the loop is kept there: a
    request waiting for the loop to tidy it up is no client's wait, and drawn as a grey bar
    it read as every request ending with the last. ``answered`` says where each
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
    bar_texts: Sequence[BarText] = field(default_factory=list)
    #: A failed request's error, beside its lane: ``(row, end_ns, text)``.
    error_texts: list[tuple[int, int, str]] = field(default_factory=list)
    _names: dict[str, str] | None = field(default=None, repr=False)
    _row_segments: list[list[Segment]] | None = field(default=None, repr=False)
    _spans: RowSpans | None = field(default=None, repr=False)
    _cut: dict[int, list[Segment]] = field(default_factory=dict, repr=False)
    row_lanes: list[Lane | None] = field(default_factory=list)
    #: The threads of the by-worker layout's one "Django only" row: they ran nothing but
    #: Django's own code (its signal receivers, a moment a request), held by no view.
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

    _workers: WorkerLayout | None = field(default=None, repr=False)
    #: The last answer, the last segment's end, and whether every request is over, when
    #: known without a pass over the lanes (a live run's rows, kept between frames).
    known_ends: tuple[int, int, bool] | None = None
    _spans_of: Callable[[], RowSpans] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.by = by_value(self.by)
        if self.by == "workers":
            self._by_worker()
        elif self._spans_of is None:  # else laid out already (:meth:`laid_out`)
            self._by_request()

    @classmethod
    def laid_out(
        cls,
        trace: Trace,
        *,
        labels: list[str],
        answered: list[tuple[int, int]],
        failed_rows: list[tuple[int, int]],
        error_texts: list[tuple[int, int, str]],
        spans: Callable[[], RowSpans],
        ends: tuple[int, int, bool],
    ) -> TimelineRows:
        """The by-request rows of ``trace`` from facts kept per row elsewhere (a live run's,
        :mod:`app.timeline.live_spans`): what ``TimelineRows(trace)`` gives, without a pass
        over every lane. ``spans`` gives the bars when first asked."""
        return cls(
            trace,
            labels=labels,
            answered=answered,
            failed_rows=failed_rows,
            error_texts=error_texts,
            row_lanes=list(trace.lanes),
            known_ends=ends,
            _spans_of=spans,
        )

    @property
    def names(self) -> dict[str, str]:
        """Thread → what the rows call it (named when first asked: by request, on hover)."""
        if self._names is None:
            self._names = worker_threads(self.trace)[2]
        return self._names

    @property
    def spans(self) -> RowSpans:
        """Every bar as numpy columns: what the window's image painter reads."""
        if self._spans is None:
            if self._spans_of is not None:
                self._spans = self._spans_of()
            elif self.by == "requests":
                self._spans = request_spans(self.trace)
            else:
                self._spans = spans_of_lists(self.per_kind, self.tail_per_kind)  # of lists
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
        """Row ``row``'s segments as drawn, gathered once when first asked (hover): by
        request, its lane's cut at the answer; by worker, the band's or the lanes' there."""
        if row not in self._cut:
            workers = self._workers
            self._cut[row] = (
                workers.segments_of(self.trace, row)
                if workers is not None
                else shown_segments(self.spans, self.trace.lanes[row], row)
            )
        return self._cut[row]

    def _by_worker(self) -> None:
        """The thread view (:mod:`app.timeline.by_worker`), from the trace's columns."""
        workers = self._workers = WorkerLayout.of(self.trace)
        self.labels = workers.labels
        self.row_lanes = [None] * len(workers.labels)
        self._spans = workers.spans
        self.bar_texts = workers.bar_texts
        self.failed_rows = workers.failed_rows
        self.error_texts = workers.error_texts
        self.answered = workers.answered
        self.django_only = workers.django_only
        self.loop_row = workers.loop_row
        self.kept_rows = workers.kept_rows

    def _by_request(self) -> None:
        lanes = self.trace.lanes  # every live frame of 10,000 lanes: no call per lane to spare
        self.labels = [f"#{lane.request_id + 1}" for lane in lanes]  # screens count from 1
        self.row_lanes = list(lanes)
        for row, lane in enumerate(lanes):
            status = lane.status
            if status == "ok":
                self.answered.append((row, lane.done_ns))
            elif status == "error":
                self.failed_rows.append((row, answered_ns(lane)))
                self.error_texts.append((row, answered_ns(lane), error_text(lane)))

    @property
    def holds(self) -> Holds | None:
        """The thread view's holds, ``(row, start, end)``: a request's bars one after the
        other on a row, each band's step (:attr:`~app.timeline.by_worker.WorkerLayout.
        holds`); ``None`` by request."""
        return self._workers.holds if self._workers is not None else None

    def thread_name(self, thread: str) -> str:
        """What the rows call ``thread``."""
        return self.names.get(thread) or thread_label(thread, self.trace.loop_thread)

    def __len__(self) -> int:
        return len(self.labels)

    def grouped(self, group: int, tail: bool = False) -> dict[str, list[tuple[int, int, int]]]:
        """Segments with ``group`` rows sharing one pixel row: ``(pixel_row, start, end)``,
        overlapping ones of a kind merged. Computed once per group size and kept, since it
        does not depend on the time range shown: zooming and panning reuse it. The faint
        tails of one row are merged at every group size: painted one over another, their
        faintness added up (slide 9's alike thread rows drew several threads' clean-up as
        solid "Django framework").
        """
        source = self.tail_per_kind if tail else self.per_kind
        if group <= 1 and not tail:
            return source
        key = (max(group, 1), tail)
        cached = self._grouped.get(key)
        if cached is not None:
            return cached
        # Gaps narrower than ~1/8000 of the run vanish: below a pixel even on a 4K screen
        # when the whole run is shown (zooming in shows fewer lanes per pixel anyway). A
        # row of its own keeps its gaps: only its overlaps are merged.
        slack = max(1, (self.trace.last_ns - self.trace.t0_ns) // 8000) if group > 1 else 0
        group = max(group, 1)
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

    def row_kinds(self, row: int) -> tuple[Int64s, Int64s, Int64s]:
        """Row ``row``'s segments in time order: their starts, ends and kinds' codes (in
        ``KINDS``): what the numbers on bars ask of the bars under them."""
        if self._workers is not None and self._row_segments is None:
            return self._workers.row_kinds(self.trace, row)
        return segment_columns(self.segments_of(row))

    def segment_at(self, row: int, ns: int) -> Segment | None:
        """The segment drawn at ``ns`` in ``row``."""
        if not 0 <= row < len(self):
            return None
        if self._workers is not None and self._row_segments is None:
            return self._workers.segment_at(self.trace, row, ns)
        segs = self.segments_of(row)
        i = bisect.bisect_right([s.start_ns for s in segs], ns) - 1
        if i >= 0 and segs[i].end_ns >= ns:
            return segs[i]
        return None


Int64s = npt.NDArray[np.int64]


def segment_columns(segs: Sequence[Segment]) -> tuple[Int64s, Int64s, Int64s]:
    """``segs``' starts, ends and kinds' codes (in ``KINDS``), as columns."""
    n = len(segs)
    return (
        np.fromiter((seg.start_ns for seg in segs), np.int64, n),
        np.fromiter((seg.end_ns for seg in segs), np.int64, n),
        np.fromiter((KIND_CODE[seg.kind] for seg in segs), np.int64, n),
    )
