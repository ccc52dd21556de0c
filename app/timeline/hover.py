"""What the timeline says where the pointer is: the bar under it, or the loop block."""

from __future__ import annotations

from app.timeline.axis import format_ms
from app.timeline.bar_texts import text_at
from app.timeline.geometry import TimelineGeometry
from app.timeline.grouping import GroupedRows
from app.timeline.marks import shown_blocks
from app.timeline.rows import TimelineRows
from app.timeline.spans import answered_ns
from simulator.trace import CLIENT_THREAD, KIND_LABELS, QUEUE_THREAD

#: What a band's count is of, by its kind: "3 queued (waiting for a worker)".
_BANDS = {
    "queued": "waiting for a worker",
    "server": "queued or running: known at the answer",
    "io_wait": "awaiting on the loop",
}

__all__ = ["Hovered", "hover_text"]

#: The view and line of views.py of the bar hovered (``None, None``: none with a line).
Hovered = tuple[str | None, int | None]


def hover_text(
    geo: TimelineGeometry,
    rows: TimelineRows,
    by: str,
    cutoff_ns: int | None,
    x: float,
    y: float,
) -> tuple[str | None, Hovered]:
    """The hover text at ``x``, ``y`` of ``rows`` drawn in ``geo`` (``by``: ``"requests"``
    or ``"workers"``; nothing after ``cutoff_ns``), and what it is over."""
    trace = rows.trace
    nothing: Hovered = (None, None)
    if x < geo.lanes_left:
        return None, nothing
    if geo.strip_height and geo.strip_top <= y <= geo.strip_top + geo.strip_height:
        ns = geo.ns_at(x)
        starts, ends = shown_blocks(trace, cutoff_ns=cutoff_ns)  # (as the strip draws them)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if start <= ns <= end:
                return (
                    f"Event loop blocked for {format_ms((end - start) / 1e6)}\n"
                    f"from {format_ms(trace.ms(start))}: "
                    "no other request on the loop could run"
                ), nothing
        return None, nothing
    row = geo.row_at(y)
    if row is None:
        return None, nothing
    ns = geo.ns_at(x)
    if cutoff_ns is not None and ns > cutoff_ns:
        return None, nothing
    seg = rows.segment_at(row, ns)
    if seg is None:
        return None, nothing
    if rows.row_lanes[row] is None and seg.thread in (
        QUEUE_THREAD,
        CLIENT_THREAD,
        trace.loop_thread,
    ):
        band = text_at(rows.bar_texts, row, ns)
        if band is not None and seg.kind in _BANDS:  # a band, not a lane
            where = _BANDS[seg.kind]
            return (
                f"{band} ({where}) from {format_ms(trace.ms(seg.start_ns))}"
                f" for {format_ms(seg.duration_ns / 1e6)}"
            ), nothing
    thread = rows.thread_name(seg.thread)
    where = (
        ""
        if seg.thread == QUEUE_THREAD
        else f"\nthread: {thread}" + (f" ({seg.thread})" if thread != seg.thread else "")
    )
    head = rows.labels[row]
    lane = rows.row_lanes[row]
    if by == "workers":
        # By identity: two requests' segments can be equal (same kind, times, thread).
        owner = next((ln for ln in trace.lanes if any(s is seg for s in ln.segments)), None)
        head = f"{head} · request #{owner.request_id + 1}" if owner else head
        lane = owner
    elif lane is None and isinstance(rows, GroupedRows):
        # A row of alike requests (presentation's row floor): whose bar the pointer is on.
        found = rows.member_at(row, ns)
        lane = rows.base.row_lanes[found[0]] if found is not None else None
        head = f"{head} · request #{lane.request_id + 1}" if lane else head
    else:
        head = f"Request {head}"
    text = (
        f"{head} · {KIND_LABELS.get(seg.kind, seg.kind)}\n"
        f"start {format_ms(trace.ms(seg.start_ns))}"
        f" · lasts {format_ms(seg.duration_ns / 1e6)}"
        f"{where}"
    )
    if lane is not None and answered_ns(lane) < min(ns, lane.end_ns):
        # Drawn in the clean-up's one colour (``spans.TAIL_KIND``), named as what it was
        # (the thread view finds the segment whole, one lane per request its tail).
        text += "\nafter the answer: Django's clean-up (drawn thin and faint; no one waits)"
    if seg.name is not None:
        text += f"\n{seg.name}: durations from the site's header; order and overlap not known"
    if lane is not None and lane.notes:
        text += "\nin the header without a duration: " + ", ".join(lane.notes)
    hovered = (lane.view, seg.line) if lane is not None else nothing
    if lane is not None and lane.error:
        text += f"\nfailed: {lane.error}"
    elif lane is not None and lane.status == "cancelled":
        text += "\ncancelled by Stop"
    return text, hovered
