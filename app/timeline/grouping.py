"""Rows grouped so that none is thinner than a floor: alike rows share one labelled row.

A projector at 1280×720 gives 30 requests' lanes 2–3 px each: a smear nobody can point at.
Presentation mode asks for rows of at least :data:`ROW_FLOOR_PX`; when a run has more rows
than fit, :func:`fit_rows` puts rows that did the same thing on one row labelled for all of
them ("requests 9–30 alike", "threads 3–28 alike").

**Alike** is decided from what the rows show: the run is cut into :data:`SLICES` equal
slices, and each slice of a row is the kind that holds most of it (or nothing). Two rows are
alike when their slices differ in at most ``n`` of them, ``n`` out of :data:`TOLERANCES`
(1 %, then 2, 4, 8 % of the run), the smallest that fits the rows on screen. Only rows next
to each other group (so a label is a range), and each is compared with its group's first,
so no drift along a staircase. A group's row draws every member's segments over each other:
within the tolerance, that is what each member did. If even 8 % does not fit, neighbours are
put together in even blocks, labelled "requests 9–16 overlaid" rather than "alike": the row
then shows what the block did between them, not what each did. When a coarser tolerance
leaves fewer groups than there is room for, they are cut again to fill it (:class:`GroupPlan`).

The event loop, the by-worker layout's bands and its "Django only" row (``kept_rows``) always
keep a row of their own, and their labels.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

import numpy as np

from app.timeline.rows import Int64s, TimelineRows, segment_columns
from simulator.trace import Segment

__all__ = [
    "ALIKE",
    "OVERLAID",
    "ROW_FLOOR_PX",
    "SLICES",
    "TOLERANCES",
    "GroupPlan",
    "RowGroup",
    "fit_rows",
    "grouped_words",
    "plan_groups",
]

#: The thinnest a row is drawn in presentation mode (at 1280×720 and up).
ROW_FLOOR_PX = 12.0
#: Slices of the run each row is compared in.
SLICES = 100
#: How many slices alike rows may differ in, tried in turn until the rows fit.
TOLERANCES = (1, 2, 4, 8)
#: Past this many rows, comparing them costs more than a frame: blocks at once.
MOST_COMPARED = 3000


#: The words a group's label ends with (:func:`group_label`), which the key explains
#: (``app.timeline.legend``'s entries of the same names).
ALIKE = "alike"
OVERLAID = "overlaid"


@dataclass(frozen=True, slots=True)
class RowGroup:
    """Rows ``first``..``last`` (inclusive, of the full layout) drawn as one row."""

    first: int
    last: int
    label: str
    #: Whether the members are alike (within the tolerance), or only neighbours in a block.
    alike: bool = True

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def _slices(rows: TimelineRows) -> np.ndarray:
    """Per row, per slice of the run, the code of the kind holding most of it (0: nothing):
    each bar (not the thin after-answer tails) spread over the slices it touches."""
    spans = rows.spans
    t0, t1 = rows.trace.t0_ns, max(rows.trace.last_ns, rows.trace.t0_ns + 1)
    keep = ~spans.tail & (spans.end > spans.start)
    a = (spans.start[keep] - t0) * (SLICES / (t1 - t0))
    b = (spans.end[keep] - t0) * (SLICES / (t1 - t0))
    first = np.clip(np.floor(a).astype(np.int64), 0, SLICES - 1)
    last = np.clip(np.floor(b).astype(np.int64), 0, SLICES - 1)
    touched = np.maximum(last - first + 1, 1)
    which = np.repeat(np.arange(len(a)), touched)  # one entry per (bar, slice it touches)
    step = np.arange(len(which)) - np.repeat(np.cumsum(touched) - touched, touched)
    slice_ = first[which] + step
    share = np.clip(np.minimum(b[which], slice_ + 1) - np.maximum(a[which], slice_), 0, 1)
    codes = np.max(spans.kind) + 1 if len(spans) else 1
    cover = np.zeros((len(rows), SLICES, int(codes) + 1))
    np.add.at(cover, (spans.row[keep][which], slice_, spans.kind[keep][which] + 1), share)
    held = cover.max(axis=2)
    kinds = cover.argmax(axis=2)
    # A row of specks only (lesson 18: a 2 ms request in a 730 ms run) keeps its strongest
    # slice, or thirty such rows 25 ms apart would all read as empty, and alike.
    faint = np.flatnonzero((held.max(axis=1) < 0.3) & (held.max(axis=1) > 0))
    strongest = held[faint].argmax(axis=1)
    kept = kinds[faint, strongest]
    kinds[held < 0.3] = 0  # a speck in a slice is not what the slice shows
    kinds[faint, strongest] = kept
    return kinds


def _runs_of(free: list[int]) -> list[list[int]]:
    """``free`` rows split where they are not next to each other."""
    runs: list[list[int]] = []
    for row in free:
        if runs and runs[-1][-1] == row - 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _alike(codes: np.ndarray, run: list[int], tolerance: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    head = run[0]
    for row in run[1:]:
        if int(np.count_nonzero(codes[row] != codes[head])) > tolerance:
            spans.append((head, row - 1))
            head = row
    spans.append((head, run[-1]))
    return spans


def _blocks(run: list[int], rows_left: int) -> list[tuple[int, int]]:
    size = math.ceil(len(run) / max(1, rows_left))
    return [(run[i], run[min(i + size, len(run)) - 1]) for i in range(0, len(run), size)]


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def group_label(labels: list[str], alike: bool) -> str:
    """ "requests 9–30 alike" for ``#9``…``#30``; "threads 3–5 alike" for "thread 3"…;
    "process 7 · threads 1–4 alike"; otherwise the first and the last."""
    word = ALIKE if alike else OVERLAID
    if len(labels) == 1:
        return labels[0]
    first, last = labels[0], labels[-1]
    if first.startswith("#") and last.startswith("#"):
        return f"requests {first[1:]}–{last[1:]} {word}"
    a, b = _NUMBERED.match(first), _NUMBERED.match(last)
    if a and b and a.group(1) == b.group(1):
        head = a.group(1).rstrip()
        *before, noun = head.rsplit(" ", 1) if " " in head else ("", head)
        prefix = f"{before[0]} " if before and before[0] else ""
        return f"{prefix}{noun}s {a.group(2)}–{b.group(2)} {word}"
    return f"{first} … {last} {word}"


class GroupPlan:
    """How one layout's rows group, for any room: worked out once per rows and reused, since
    the window asks for several rooms (two compared timelines try splits of their height,
    :mod:`app.window.stage_split`) and the painter for the one it has.

    The first tolerance whose alike groups fit the room is used. When a coarser tolerance
    joined rows a finer one kept apart (lesson 18: thirty 2 ms bars 25 ms apart are specks in
    their slices, so "alike" at 2 %, one row for thirty), the groups are cut evenly again to
    fill the room: the rows the class is given show the arrivals' staircase instead of one
    comb of bars over an empty half-screen. What the content needs (:meth:`needed`) is
    counted before that filling.
    """

    def __init__(self, rows: TimelineRows) -> None:
        self.rows = rows
        self._kept = sorted(rows.kept_rows)
        self._runs: list[list[int]] | None = None  # when first asked: a live frame never does
        self._codes: np.ndarray | None = None
        self._alike: dict[int, list[tuple[int, int]]] = {}

    @property
    def _free_runs(self) -> list[list[int]]:
        """The rows not kept apart, in runs of neighbours."""
        if self._runs is None:
            kept = self.rows.kept_rows
            self._runs = _runs_of([row for row in range(len(self.rows)) if row not in kept])
        return self._runs

    def _spans_at(self, index: int) -> list[tuple[int, int]]:
        if index not in self._alike:
            if self._codes is None:
                self._codes = _slices(self.rows)
            tolerance = TOLERANCES[index]
            self._alike[index] = [
                s for run in self._free_runs for s in _alike(self._codes, run, tolerance)
            ]
        return self._alike[index]

    def _room(self, max_rows: int) -> int:
        return max(len(self._free_runs), max_rows - len(self._kept))

    def _alike_index(self, room: int) -> int | None:
        """The first tolerance whose alike groups fit ``room`` (None: none does)."""
        if len(self.rows) > MOST_COMPARED:
            return None
        for index in range(len(TOLERANCES)):
            if len(self._spans_at(index)) <= room:
                return index
        return None

    def needed(self, max_rows: int) -> int:
        """How many rows the content needs within ``max_rows``: every row while they fit;
        else the rows that differ at the finest tolerance (alike ones as one) and the kept
        rows, whatever the room (past :data:`MOST_COMPARED` rows, every row)."""
        if len(self.rows) <= max_rows or len(self.rows) > MOST_COMPARED:
            return len(self.rows)
        return len(self._spans_at(0)) + len(self._kept)

    def _block_spans(self, room: int) -> list[tuple[int, int]]:
        total = sum(len(run) for run in self._free_runs)
        return [
            s
            for run in self._free_runs
            for s in _blocks(run, max(1, round(room * len(run) / total)))
        ]

    def groups(self, max_rows: int, fill: int | None = None) -> list[RowGroup]:
        """The rows to draw so that at most ``max_rows`` are drawn (when the kept rows
        allow): each row alone while they fit, else alike neighbours together; groups cut
        again to fill the room fill at most ``fill`` rows (rows whose labels are full size,
        not the smallest that fits)."""
        rows = self.rows
        if len(rows) <= max_rows:
            return [RowGroup(row, row, rows.labels[row]) for row in range(len(rows))]
        room = self._room(max_rows)
        index = self._alike_index(room)
        alike = index is not None
        if index is None:
            spans = self._block_spans(room)
        elif index == 0:
            spans = self._spans_at(0)
        else:
            fill_room = room if fill is None else min(room, fill - len(self._kept))
            spans = _fill(self._spans_at(index), self._spans_at(index - 1), fill_room)
        groups = [
            RowGroup(a, b, group_label(rows.labels[a : b + 1], alike or a == b), alike or a == b)
            for a, b in spans
        ]
        groups += [RowGroup(row, row, rows.labels[row]) for row in self._kept]
        return sorted(groups, key=lambda group: group.first)


def _fill(
    spans: list[tuple[int, int]], finer: list[tuple[int, int]], room: int
) -> list[tuple[int, int]]:
    """``spans`` cut into even blocks, ``room`` in all where they allow: each as far as the
    ``finer`` groups inside it allow (identical rows, one finer group, are never cut), the
    cuts shared out by how far apart each span's rows are (largest remainders first), so
    two compared sides of equal room draw as many rows, as tall."""
    # Where a finer group starts inside a span (after its first row): each span's rows are
    # compared with its own first, not the finer groups' (the spans need not be made of
    # whole finer groups: one may lie inside a finer group, with nowhere to be cut).
    starts = [a for a, _ in finer]
    apart = [bisect_right(starts, b) - bisect_right(starts, a) for a, b in spans]
    extra, total = min(room - len(spans), sum(apart)), sum(apart)
    if extra <= 0:
        return spans
    wanted = [extra * more / total for more in apart]
    cuts = [min(more, math.floor(w)) for more, w in zip(apart, wanted, strict=True)]
    by_remainder = sorted(range(len(spans)), key=lambda k: cuts[k] - wanted[k])
    left = extra - sum(cuts)
    for k in by_remainder:
        if left <= 0:
            break
        if cuts[k] < apart[k]:
            cuts[k] += 1
            left -= 1
    filled: list[tuple[int, int]] = []
    for (a, b), cut in zip(spans, cuts, strict=True):
        size, longer = divmod(b - a + 1, cut + 1)  # cut + 1 blocks, sizes apart by one
        for n in range(cut + 1):
            end = a + size + (n < longer)
            filled.append((a, end - 1))
            a = end
    return filled


def plan_groups(rows: TimelineRows, max_rows: int) -> list[RowGroup]:
    """The rows to draw so that at most ``max_rows`` are drawn (:meth:`GroupPlan.groups`)."""
    return GroupPlan(rows).groups(max_rows)


def fit_rows(
    rows: TimelineRows, max_rows: int, plan: GroupPlan | None = None, fill: int | None = None
) -> TimelineRows:
    """``rows`` drawn in at most ``max_rows`` rows (see :func:`plan_groups`; ``plan``: the
    rows' plan already made; ``fill``: :meth:`GroupPlan.groups`): ``rows`` itself when they
    fit, else a copy whose rows are the groups, each drawing all its members."""
    plan = plan if plan is not None and plan.rows is rows else GroupPlan(rows)
    groups = plan.groups(max_rows, fill)
    if len(groups) == len(rows):
        return rows
    return regroup(rows, groups)


@dataclass
class GroupedRows(TimelineRows):
    """Rows of groups (:func:`regroup`): each row draws its members' bars, and its segments
    (what the pointer finds) are its members' in :attr:`base`, the rows it groups."""

    #: The full layout whose rows these group.
    base: TimelineRows = field(kw_only=True)
    #: The words its rows of several members are labelled with (:data:`ALIKE`,
    #: :data:`OVERLAID`): what the key explains (teacher46 found both on one screen, and
    #: neither said anywhere).
    words: frozenset[str] = field(default=frozenset(), kw_only=True)

    def __post_init__(self) -> None:
        """Nothing to lay out: :func:`regroup` hands over what the full layout computed."""

    def _cut_lane(self, row: int) -> list[Segment]:
        if row not in self._cut:
            first, last = self.members[row]
            members = (seg for m in range(first, last + 1) for seg in self.base.segments_of(m))
            self._cut[row] = sorted(members, key=lambda seg: seg.start_ns)
        return self._cut[row]

    def member_at(self, row: int, ns: int) -> tuple[int, Segment] | None:
        """The first member of group ``row`` with a segment drawn at ``ns`` (its row in
        :attr:`base`), and that segment: whose bar the pointer is on, found by member rather
        than by comparing segments (two requests can have equal ones)."""
        if not 0 <= row < len(self):
            return None
        first, last = self.members[row]
        for member in range(first, last + 1):
            seg = self.base.segment_at(member, ns)
            if seg is not None:
                return member, seg
        return None

    def row_kinds(self, row: int) -> tuple[Int64s, Int64s, Int64s]:
        """Group ``row``'s segments (its members', in time order) as columns."""
        return segment_columns(self.segments_of(row))

    def segment_at(self, row: int, ns: int) -> Segment | None:
        """The segment drawn at ``ns`` in group ``row``: its first member's there. (Members'
        segments overlap, so the latest to start before ``ns`` may have ended while an
        earlier one is still drawn.)"""
        found = self.member_at(row, ns)
        return found[1] if found is not None else None


def regroup(rows: TimelineRows, groups: list[RowGroup]) -> TimelineRows:
    """A copy of ``rows`` with one row per group; what each member drew, on its group's row.
    The caches of what is drawn (per kind, each row's segments, the merged pixel rows)
    start empty: they are made from the grouped spans when first asked."""
    to_group = np.zeros(len(rows), dtype=np.int32)
    for index, group in enumerate(groups):
        to_group[group.first : group.last + 1] = index
    where = to_group.tolist()
    spans = rows.spans
    single = {index for index, group in enumerate(groups) if group.size == 1}
    seen_errors: set[int] = set()
    error_texts = []
    for r, end, text in rows.error_texts:
        if where[r] not in seen_errors:  # one error written per row: the first
            seen_errors.add(where[r])
            error_texts.append((where[r], end, text))
    return GroupedRows(
        trace=rows.trace,
        by=rows.by,
        labels=[group.label for group in groups],
        failed_rows=[(where[r], end) for r, end in rows.failed_rows],
        answered=[(where[r], end) for r, end in rows.answered],
        # A request's number on a bar says whose it is: on a group's row there are many.
        bar_texts=[
            (where[r], s, e, k, t) for r, s, e, k, t in rows.bar_texts if where[r] in single
        ],
        error_texts=error_texts,
        _names=rows._names,
        # The same bars on their groups' rows (no segment index: a row is no one lane).
        _spans=replace(spans, row=to_group[spans.row], index=np.full(len(spans), -1, np.int32)),
        # Each group's segments are its members', gathered when first asked (the pointer):
        # cutting 10,000 lanes up front would cost seconds.
        row_lanes=[rows.row_lanes[g.first] if g.size == 1 else None for g in groups],
        django_only=rows.django_only,
        loop_row=where[rows.loop_row] if rows.loop_row is not None else None,
        kept_rows=frozenset(where[row] for row in rows.kept_rows),
        members=[(g.first, g.last) for g in groups],
        base=rows,
        words=frozenset(ALIKE if g.alike else OVERLAID for g in groups if g.size > 1),
    )


def grouped_words(rows: TimelineRows) -> frozenset[str]:
    """The words of ``rows``' labels that say a row stands for several (none if each row
    is its own)."""
    return rows.words if isinstance(rows, GroupedRows) else frozenset()
