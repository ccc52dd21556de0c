"""The thread view's layout (one row per worker): a band of requests waiting in the queue,
a real server's requests not answered yet (at the server: queued or running, not known
which until the answer's Server-Timing comes), the event loop, a band of requests awaiting
on the loop, then one row per thread, with each request's number on its bars; read from
the trace's numpy columns.

A 10,000-request run has hundreds of thousands of segments: asked one object at a time, with
a list per row and a Python loop over every event of the bands, this layout took seconds
before the thread view's first frame. Here it is a handful of array operations over the
columns (:attr:`~simulator.trace.Trace.columns`); Python loops are left only over the threads,
the failed requests and the texts written on bars. A row's :class:`Segment` objects (what
the pointer finds) are gathered when first asked, one row at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from app.timeline.bar_texts import BarTexts
from app.timeline.error_label import error_text
from app.timeline.names import thread_names
from app.timeline.spans import TAIL_KIND, RowSpans, drawn_parts, split_at_answers
from app.timeline.worker_answers import answers_on_rows
from simulator.trace import (
    CLIENT_THREAD,
    HOLDS_THREAD,
    NOT_HELD_BY_VIEW,
    QUEUE_THREAD,
    Kind,
    Segment,
    Trace,
    split_server_thread,
)
from simulator.trace.columns import KIND_CODE, STATUS_CODE

__all__ = [
    "AT_SERVER_BAND",
    "AWAITING_BAND",
    "DJANGO_ONLY_ROW",
    "DJANGO_ONLY_LABEL",
    "Holds",
    "QUEUE_BAND",
    "ROW_KINDS",
    "WorkerLayout",
    "drawn_kinds",
    "worker_threads",
]

#: The labels of the by-worker layout's bands.
QUEUE_BAND = "queue"
AWAITING_BAND = "awaiting"
#: A real server's requests sent and not answered yet: where they are, queued or on which
#: worker, comes with the answer. Left off, a live frame's waiting band read "2 queued" where
#: the finished run showed 8, six of them not answered yet (lesson 23).
AT_SERVER_BAND = "at server"
#: The key of the by-worker layout's row for threads that ran only Django's own code.
DJANGO_ONLY_ROW = "django-only"


#: The name of the row of the threads no view held: each ran Django's own sync code for a
#: moment (its request_started/request_finished receivers, closing the connection, handed over
#: by sync_to_async). No count in it: "8 threads: Django only", then "brief Django work (8
#: threads)", beside "threads held 0" and lesson 13's answer "8 and 0" read as 8 threads held
#: (a teacher's walk, twice); how many threads Django used is the panel's "threads used", and
#: the hover names each thread.
DJANGO_ONLY_LABEL = "Django's own brief work"


#: A request's holds of one thread closer than this share one number on the bar.
JOIN_NS = 2_000_000
#: What a thread's row draws of a request: what holds the thread, a plain site's view (over
#: sockets: its I/O and CPU as one span) and a hand-off (on the thread it hands to). Besides
#: these, the bands draw the queue and the loop's awaits, and a real server's process row its
#: awaits; a client's own time is on no thread of the server and is drawn nowhere.
ROW_KINDS = (*HOLDS_THREAD, Kind.VIEW, Kind.THREAD_HOP)

Int64s = npt.NDArray[np.int64]
#: A row's holds: ``(row, start, end)`` of each (:func:`_holds`).
Holds = tuple[Int64s, Int64s, Int64s]


def _natural(text: str) -> list[str | int]:
    """``"wsgi-worker-9"`` before ``"wsgi-worker-16"``: numbers compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _codes(*kinds: str) -> list[int]:
    return [KIND_CODE[Kind(kind)] for kind in kinds]


def _thread_rows(trace: Trace) -> tuple[list[str], list[str]]:
    """The threads of the by-worker layout: those with rows of their own, in order (a real
    server's per process, WSGI workers by number, the rest by first use), and those no view
    held (they ran only Django's own code, its signal receivers under ASGI, as "threads held
    at once" counts): one row shows them all.
    """
    loop = trace.loop_thread
    threads = [t for t in trace.threads() if t != loop]
    cols = trace.columns
    # As "threads held at once" counts them.
    held_codes = np.unique(cols.thread[~np.isin(cols.kind, _codes(*NOT_HELD_BY_VIEW))])
    held = {cols.threads[code] for code in held_codes.tolist()}

    def own_row(thread: str) -> bool:
        return bool(
            split_server_thread(thread) or thread.startswith("wsgi-worker-") or thread in held
        )

    def key(thread: str) -> tuple[list[str | int], list[str | int]]:
        server = split_server_thread(thread)
        if server is not None:
            return _natural(server[0]), []
        return [], _natural(thread) if thread.startswith("wsgi-worker-") else []

    own = [own_row(t) for t in threads]
    shown = sorted((t for t, o in zip(threads, own, strict=True) if o), key=key)  # else first use
    return shown, [t for t, o in zip(threads, own, strict=True) if not o]


def worker_threads(trace: Trace) -> tuple[list[str], list[str], dict[str, str]]:
    """The threads with rows of their own, those of the one "Django only" row, and what
    the rows call every thread."""
    loop = trace.loop_thread
    shown, django_only = _thread_rows(trace)
    threads = shown + django_only  # the rows' threads numbered first, in row order
    return shown, django_only, thread_names([loop, *threads] if loop else threads, loop)


def _servers(trace: Trace) -> npt.NDArray[np.bool_]:
    """Per thread of the columns (and one past them, for no thread): whether it is a real
    server's, whose awaits are drawn on its process's row."""
    names = trace.columns.threads
    return np.array([bool(split_server_thread(name)) for name in names] + [False])


def drawn_kinds(trace: Trace) -> frozenset[str]:
    """The kinds of segment the thread view of ``trace`` draws (:meth:`WorkerLayout.of`'s
    rule), what its key may name: lesson 23's named "client and network" over two processes'
    rows, which draw no client's time. After an answer, as one lane per request draws it:
    each kind before, :data:`~app.timeline.spans.TAIL_KIND` for the tails."""
    cols = trace.columns
    answer = trace.lane_columns.answer_ns()[cols.lane]
    before, tail = drawn_parts(cols.kind, cols.start_ns, cols.end_ns, answer)
    present = np.bincount(cols.kind[before], minlength=len(KIND_CODE)) > 0
    bands = (Kind.QUEUED, Kind.AT_SERVER)
    kinds = {kind for kind in (*bands, *ROW_KINDS) if present[KIND_CODE[kind]]}
    if present[KIND_CODE[Kind.IO_WAIT]]:  # on the loop's band, or a real server's row
        on = cols.thread[before & (cols.kind == KIND_CODE[Kind.IO_WAIT])]
        if (on == cols.thread_code(trace.loop_thread)).any() or _servers(trace)[on].any():
            kinds.add(Kind.IO_WAIT)
    if tail.any():  # (drawn on a row: a thread's or the loop's)
        kinds.add(TAIL_KIND)
    return frozenset(kinds)


def count_bands(start: Int64s, end: Int64s) -> tuple[Int64s, Int64s, Int64s]:
    """Where the spans ``start``–``end`` overlap, as steps of one count: ``(start, end,
    count)`` of each, in time order, neighbours of one count joined."""
    keep = end > start
    times, where = np.unique(np.concatenate([start[keep], end[keep]]), return_inverse=True)
    n = int(keep.sum())
    delta = np.concatenate([np.ones(n, np.int64), -np.ones(n, np.int64)])
    level = np.cumsum(np.bincount(where, delta, minlength=len(times)).round().astype(np.int64))
    steps = np.flatnonzero(level[:-1] > 0)  # from one event's time to the next, while some
    begin, stop, count = times[steps], times[steps + 1], level[steps]
    first = np.ones(len(steps), np.bool_)
    first[1:] = (count[1:] != count[:-1]) | (begin[1:] != stop[:-1])
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(steps))[: len(starts)] - 1
    return begin[starts], stop[ends], count[starts]


def _answered(trace: Trace) -> Int64s:
    """Per lane, when its request got its answer (or was cancelled); running: its end."""
    lanes = trace.lane_columns
    return np.where(lanes.status != STATUS_CODE["running"], lanes.done_ns, lanes.end_ns)


def _joined(
    lane: npt.NDArray[np.int32], row: Int64s, start: Int64s, end: Int64s
) -> tuple[Int64s, Int64s, Int64s, Int64s]:
    """A request's holds of one row, in the order a lane's segments come, joined where
    less than :data:`JOIN_NS` apart: ``(lane, row, start, end)`` of each, by lane, then by
    the row's first hold in the lane, then in time."""
    if not len(start):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    rows = int(row.max()) + 1
    group = lane.astype(np.int64) * rows + row
    _, first_seen, which = np.unique(group, return_index=True, return_inverse=True)
    order = np.argsort(first_seen[which], kind="stable")  # a lane's rows as first held
    group, start, end = group[order], start[order], end[order]
    # The end of the holds so far in the same group: one joined span's end, since a span
    # begins only after all before it ended (from the run's start: no overflow).
    t0 = int(min(start.min(), end.min()))
    span = int(max(start.max(), end.max())) - t0 + 1
    if (int(group.max()) + 1) * span < 2**62:
        reach = np.maximum.accumulate(group * span + (end - t0)) - group * span + t0
    else:  # a run too long to number this way: group by group
        reach = end.copy()
        for i in range(1, len(end)):
            if group[i] == group[i - 1]:
                reach[i] = max(reach[i], reach[i - 1])
    new = np.ones(len(start), np.bool_)
    new[1:] = (group[1:] != group[:-1]) | (start[1:] - reach[:-1] >= JOIN_NS)
    firsts = np.flatnonzero(new)
    lasts = np.append(firsts[1:], len(start)) - 1
    return group[firsts] // rows, group[firsts] % rows, start[firsts], reach[lasts]


@dataclass(frozen=True)
class WorkerLayout:
    """The thread view of one trace (see the module's text), as
    :class:`~app.timeline.rows.TimelineRows` takes it over."""

    labels: list[str]
    spans: RowSpans
    bar_texts: BarTexts
    failed_rows: list[tuple[int, int]]
    error_texts: list[tuple[int, int, str]]
    answered: list[tuple[int, int]]  # each answer's mark (:mod:`.worker_answers`)
    django_only: tuple[str, ...]
    loop_row: int | None
    kept_rows: frozenset[int]
    #: Per band row: its kind, its thread, and where each step of one count starts and ends.
    band_steps: dict[int, tuple[str, str, Int64s, Int64s]]
    #: For each lane segment drawn: its row, and its place in the trace's columns.
    drawn_row: Int64s
    drawn_at: Int64s
    #: Each row's holds (:func:`_holds`): ``(row, start, end)``, by row, then in time.
    holds: Holds
    #: Per row asked by the pointer: its segments' starts, ends and places, in time order.
    _index: dict[int, tuple[Int64s, Int64s, Int64s]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, trace: Trace) -> WorkerLayout:
        loop = trace.loop_thread
        threads, django_only = _thread_rows(trace)
        # The rows' names (the threads of the "Django only" row are numbered after them,
        # and named when the pointer asks: thousands under ASGI).
        names = thread_names([loop, *threads] if loop else threads, loop)
        cols = trace.columns
        at_server = cols.kind == KIND_CODE[Kind.AT_SERVER]
        order: list[tuple[str, str]] = [(QUEUE_BAND, "waiting")]
        if at_server.any():
            order.append((AT_SERVER_BAND, "at the server"))
        if loop is not None:
            order += [(loop, "event loop"), (AWAITING_BAND, "awaiting on the loop")]
        order += [(t, names[t]) for t in threads]
        if django_only:
            order.append((DJANGO_ONLY_ROW, DJANGO_ONLY_LABEL))
        index = {key: row for row, (key, _) in enumerate(order)}
        for thread in django_only:  # one row for them all
            index[thread] = index[DJANGO_ONLY_ROW]
        row_of = np.array([index.get(name, -1) for name in cols.threads] + [-1], np.int64)
        server = _servers(trace)
        row = row_of[cols.thread]
        # Only requests still waiting: once answered, a request waiting for the loop to
        # tidy it up is nobody's wait (its clean-up is drawn on the loop's row when it
        # runs, thin and faint).
        answered = _answered(trace)[cols.lane]
        band_spans: list[RowSpans] = []
        band_steps: dict[int, tuple[str, str, Int64s, Int64s]] = {}
        bar_texts = BarTexts()
        for band_row, key, which, kind, noun in (
            (0, QUEUE_THREAD, cols.kind == KIND_CODE[Kind.QUEUED], Kind.QUEUED, "queued"),
            (index.get(AT_SERVER_BAND), CLIENT_THREAD, at_server, Kind.AT_SERVER, "at the server"),
            (
                index.get(AWAITING_BAND),
                loop,
                (cols.kind == KIND_CODE[Kind.IO_WAIT]) & (cols.thread == cols.thread_code(loop)),
                Kind.IO_WAIT,
                "awaiting",
            ),
        ):
            if band_row is None or key is None:
                continue
            start, end = cols.start_ns[which], np.minimum(cols.end_ns[which], answered[which])
            begins, ends, counts = count_bands(start, end)
            codes = np.full(len(begins), KIND_CODE[kind], np.uint8)
            band_spans.append(_spans(np.full(len(begins), band_row), codes, begins, ends))
            band_steps[band_row] = (kind, key, begins, ends)
            rows_of = np.full(len(begins), band_row, np.int64)
            bar_texts += BarTexts.of(rows_of, begins, ends, counts, kind, "{} " + noun)
        # A real server's process has a loop of its own, unwatched: its awaits are drawn on
        # its row (under what holds it), so a process with requests waiting does not look
        # idle. A plain site's view (the copied middleware: I/O and CPU as one span) is
        # drawn on its process's row too, or a worker looks idle while it serves.
        placed = row >= 0
        awaits = placed & (cols.kind == KIND_CODE[Kind.IO_WAIT]) & server[cols.thread]
        # A hand-off is drawn on the thread it hands to: the thread is the request's from then
        # on (it counts as held), waiting to run it; left off, the request was drawn nowhere.
        holds = placed & np.isin(cols.kind, _codes(*ROW_KINDS))
        drawn = np.flatnonzero(awaits | holds)
        # After its request's answer, a thread's (or the loop's) work for it is Django's
        # clean-up, which no client waits for: drawn thin and faint in the key's one colour
        # and numbered nowhere, as one lane per request draws it (``spans.drawn_parts``).
        # Drawn whole, lesson 15's loop row read "#2" on 30 ms of waiting for the GIL long
        # after #2's answer: "#2 still being served" (a teacher's walk).
        answer = trace.lane_columns.answer_ns()[cols.lane]
        split = split_at_answers(
            row[drawn].astype(np.int32),
            cols.kind[drawn],
            cols.start_ns[drawn],
            cols.end_ns[drawn],
            np.arange(len(drawn), dtype=np.int32),
            answer[drawn],
        )
        lane_of = cols.lane[drawn].astype(np.int64)[split.index]
        split = replace(split, index=np.full(len(split), -1, np.int32))
        spans = RowSpans.concat([*band_spans, split])
        numbered = np.flatnonzero(holds & (cols.start_ns < answer))
        if django_only:  # specks of Django's receivers: no room for numbers
            numbered = numbered[row[numbered] != index[DJANGO_ONLY_ROW]]
        lane, on, start, end = _joined(
            cols.lane[numbered],
            row[numbered],
            cols.start_ns[numbered],
            np.minimum(cols.end_ns[numbered], answer[numbered]),
        )
        marked = answers_on_rows(trace, lane, on, end)
        ids = np.fromiter((ln.request_id for ln in trace.lanes), np.int64, len(trace.lanes))
        bar_texts += BarTexts.of(on, start, end, ids[lane] + 1, Kind.FRAMEWORK, "#{}")
        failed_rows: list[tuple[int, int]] = []
        error_texts: list[tuple[int, int, str]] = []
        for i in np.flatnonzero(trace.lane_columns.status == STATUS_CODE["error"]).tolist():
            failed = trace.lanes[i]
            rows_held = (index[s.thread] for s in reversed(failed.segments) if s.thread in index)
            last = next(rows_held, 0)
            failed_rows.append((last, failed.done_ns))
            error_texts.append((last, failed.done_ns, error_text(failed)))
        return cls(
            labels=[label for _, label in order],
            spans=spans,
            bar_texts=bar_texts,
            failed_rows=failed_rows,
            error_texts=error_texts,
            answered=marked,
            django_only=tuple(django_only),
            loop_row=index.get(loop) if loop is not None else None,
            kept_rows=frozenset(
                index[key]
                for key in (QUEUE_BAND, AT_SERVER_BAND, loop, AWAITING_BAND, DJANGO_ONLY_ROW)
                if key in index
            ),
            band_steps=band_steps,
            drawn_row=row[drawn],
            drawn_at=drawn.astype(np.int64),
            holds=_holds(spans, np.concatenate([-1 - np.arange(len(spans) - len(split)), lane_of])),
        )

    def segment_at(self, trace: Trace, row: int, ns: int) -> Segment | None:
        """The segment of row ``row`` drawn at ``ns`` (the latest to start at or before it,
        if it still runs then), as :meth:`segments_of` would find it, without making the
        row's other segments (a band of 10,000 requests has some 100,000)."""
        starts, ends, at = self._row_index(trace, row)
        i = int(np.searchsorted(starts, ns, side="right")) - 1
        if i < 0 or ends[i] < ns:
            return None
        place = int(at[i])
        if place < 0:  # a band's step
            kind, key, begins, stops = self.band_steps[row]
            step = -place - 1
            return Segment(Kind(kind), int(begins[step]), int(stops[step]), key)
        cols = trace.columns
        lane = int(cols.lane[place])
        return trace.lanes[lane].segments[place - int(cols.offsets[lane])]

    def _row_index(self, trace: Trace, row: int) -> tuple[Int64s, Int64s, Int64s]:
        """Row ``row``'s segments in time order (a band's steps first among equals): their
        starts, ends, and places (a lane segment's in the columns; a band's step ``-1 - i``)."""
        known = self._index.get(row)
        if known is None:
            cols = trace.columns
            at = self.drawn_at[self.drawn_row == row]
            starts, ends = cols.start_ns[at], cols.end_ns[at]
            if row in self.band_steps:
                _, _, begins, stops = self.band_steps[row]
                steps = -1 - np.arange(len(begins), dtype=np.int64)
                at, starts, ends = (
                    np.concatenate(pair) for pair in ((steps, at), (begins, starts), (stops, ends))
                )
            order = np.argsort(starts, kind="stable")
            known = self._index[row] = (starts[order], ends[order], at[order])
        return known

    def row_kinds(self, trace: Trace, row: int) -> tuple[Int64s, Int64s, Int64s]:
        """Row ``row``'s segments in time order: starts, ends and kinds (their codes in
        ``KINDS``), from the columns, without making a segment (a loop's row: 100,000)."""
        starts, ends, at = self._row_index(trace, row)
        codes = trace.columns.kind[np.maximum(at, 0)].astype(np.int64)
        if row in self.band_steps:
            codes[at < 0] = KIND_CODE[Kind(self.band_steps[row][0])]
        return starts, ends, codes

    def segments_of(self, trace: Trace, row: int) -> list[Segment]:
        """Row ``row``'s segments as drawn, in time order: its band's, then the lanes'."""
        cols = trace.columns
        at = self.drawn_at[self.drawn_row == row]
        lanes = cols.lane[at]
        places = at - cols.offsets[lanes]
        segs = []
        if row in self.band_steps:
            kind, key, begins, ends = self.band_steps[row]
            band = Kind(kind)
            segs = [
                Segment(band, s, e, key)
                for s, e in zip(begins.tolist(), ends.tolist(), strict=True)
            ]
        segs += [
            trace.lanes[lane].segments[place]
            for lane, place in zip(lanes.tolist(), places.tolist(), strict=True)
        ]
        segs.sort(key=lambda s: s.start_ns)
        return segs


def _holds(spans: RowSpans, owner: Int64s) -> Holds:
    """A row's bars of one ``owner`` (a request's lane; each band's step its own) one after
    the other in time, as one hold: ``(row, start, end)`` of each, by row, then in time. A
    worker's hairline goes where its next request starts
    (:func:`~app.timeline.overlay.request_boundaries`), not between one stream's chunks."""
    row, start = spans.row.astype(np.int64), spans.start
    order = np.lexsort((start, row))
    row, owner, start, end = row[order], owner[order], start[order], spans.end[order]
    new = np.ones(len(row), np.bool_)
    new[1:] = (row[1:] != row[:-1]) | (owner[1:] != owner[:-1])
    firsts = np.flatnonzero(new)
    ends = np.maximum.reduceat(end, firsts) if len(firsts) else end[:0]
    return row[firsts], start[firsts], ends


def _spans(row: Int64s, kind: npt.NDArray[np.uint8], start: Int64s, end: Int64s) -> RowSpans:
    n = len(start)
    return RowSpans(
        row=np.asarray(row, np.int32),
        kind=kind,
        start=np.asarray(start, np.int64),
        end=np.asarray(end, np.int64),
        tail=np.zeros(n, np.bool_),
        index=np.full(n, -1, np.int32),
    )
