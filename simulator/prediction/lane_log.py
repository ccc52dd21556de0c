"""One predicted request's life as it happens, and the lane it becomes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from simulator.trace import Kind, Lane, Segment

__all__ = ["RequestLog"]


@dataclass(slots=True)
class RequestLog:
    """One request's predicted life, recorded as it happens.

    ``db_events`` are ``(ns, +1)`` where its database connection opened and ``(ns, -1)``
    where it closed, as the lesson site's backend notes them on a measured lane.
    """

    rid: int
    sent: int
    thread: str  # its own thread under ASGI
    segments: list[Segment] = field(default_factory=list)
    done: int | None = None
    db_events: list[tuple[int, int]] = field(default_factory=list)

    def log(self, kind: Kind, start: int, end: int, thread: str) -> None:
        if end > start:
            self.segments.append(Segment(kind, start, end, thread))

    def lane(self, view: str, error: str | None) -> Lane:
        merged: list[Segment] = []
        for seg in self.segments:
            last = merged[-1] if merged else None
            # Separate waits stay separate (the fan-out's calls); anything else touching joins.
            if (
                last
                and (last.kind, last.thread, last.end_ns) == (seg.kind, seg.thread, seg.start_ns)
                and seg.kind not in (Kind.IO_WAIT, Kind.IO_BLOCKING)
            ):
                merged[-1] = replace(last, end_ns=seg.end_ns)
            else:
                merged.append(seg)
        done = self.done if self.done is not None else self.sent
        return Lane(
            self.rid,
            view,
            "error" if error else "ok",
            500 if error else 200,
            error,
            self.sent,
            done,
            tuple(merged),
            db_events=tuple(self.db_events),
        )
