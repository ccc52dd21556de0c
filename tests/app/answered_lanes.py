"""One way for a picture's test to make a request's lane: view "v", answered 200 at its end."""

from __future__ import annotations

from simulator.trace import Lane, Segment


def answered(request_id: int, sent_ns: int, done_ns: int, *segments: Segment) -> Lane:
    """Request ``request_id``'s lane, sent at ``sent_ns`` and answered (200) at ``done_ns``,
    made of ``segments``."""
    return Lane(request_id, "v", "ok", 200, None, sent_ns, done_ns, segments)
