"""A wait during which a request's own state does not change is one piece of its lane.

Fifty async views awaiting 100 ms under ASGI share the loop and Django's one thread for
signal receivers: each request waits for both, again and again, while the others' steps run.
Drawn truthfully, each wait is one ``queued`` stretch, not a sliver per other request's step
(which read as Django working for it, and made runs of thousands hold hundreds of pieces a
lane).
"""

from __future__ import annotations

import itertools

import pytest


@pytest.mark.slow
def test_fifty_async_views_under_asgi_have_few_pieces_each(run):
    result = run(view="async_io", mode="asgi", requests=50, io_ms=100)
    lanes = result.trace.lanes
    assert len(lanes) == 50
    for lane in lanes:
        # Sent; about ten steps of its own on the loop (Django's ASGI handler: receive, the
        # request_started hand-off, the middleware, the view's resume, start and body of the
        # answer, response.close()'s hand-off), each after a wait; the await; the receivers'
        # thread: whatever the load (it was 20 to 30 at 50 requests, hundreds at 3,000).
        assert len(lane.segments) <= 30, [(s.kind, s.thread) for s in lane.segments]
        for a, b in itertools.pairwise(lane.segments):
            assert not (a.kind == b.kind and a.thread == b.thread), (a, b)
