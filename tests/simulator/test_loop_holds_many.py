"""The holds on the loop of a whole run, read into arrays without a tuple a step (a final
trace of thousands of requests reads a hundred thousand steps), are what reading them as
tuples, sorting and merging them gives: the same intervals and types."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedded_site.instrumentation import RawSegment, RequestProbe
from simulator.trace import IntervalSet, loop_holding_intervals
from simulator.trace.intervals import RESUME_SLACK_NS, STEP_SLACK_NS
from simulator.trace.kinds import HOLDS_THREAD

L, T = "asgi-loop", "ThreadPoolExecutor-1_0"

_span = st.tuples(st.integers(0, 50_000_000), st.integers(0, 3_000_000)).map(
    lambda p: (p[0], p[0] + p[1])
)
_segment = st.tuples(st.sampled_from(("cpu", "io_blocking", "io_wait")), _span, st.booleans())
_probe = st.tuples(st.lists(_span, max_size=40), st.lists(_segment, max_size=4))


def _by_tuples(probes: list[RequestProbe]) -> IntervalSet:
    """The holds as read before: a tuple per step, sorted as tuples sort."""
    holds = [
        (seg.start_ns, seg.end_ns)
        for probe in probes
        for seg in probe.segments
        if seg.thread == L and seg.kind in HOLDS_THREAD
    ]
    own = sorted((s, e) for probe in probes for s, e in probe.loop_steps)
    if not own:
        return IntervalSet.of(holds, slack=RESUME_SLACK_NS)
    busy = IntervalSet.of(holds + own, slack=STEP_SLACK_NS)
    busy.stepped = True
    return busy


def _probes(made: list[tuple[list[tuple[int, int]], list[tuple[str, tuple[int, int], bool]]]]):
    probes = []
    for i, (steps, segments) in enumerate(made):
        probe = RequestProbe(i, "v", sent_ns=0)
        probe.loop_steps = list(steps)
        probe.segments = [
            RawSegment(kind, s, e, L if on_loop else T) for kind, (s, e), on_loop in segments
        ]
        probes.append(probe)
    return probes


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.lists(_probe, max_size=12))
def test_a_few_holds_are_those_read_as_tuples(made):
    _check(_probes(made))


@pytest.mark.parametrize("seed", range(4))
def test_many_holds_are_those_read_as_tuples(seed):
    """Past a few hundred, the holds and steps are merged in numpy."""
    rnd = random.Random(seed)

    def span(most: int) -> tuple[int, int]:
        start = rnd.randint(0, 50_000_000)
        return start, start + rnd.randint(0, most)

    made = [
        (
            [span(400_000) for _ in range(rnd.randint(0, 30))],
            [(rnd.choice(("cpu", "io_wait")), span(3_000_000), rnd.random() < 0.7)],
        )
        for _ in range(60)
    ]
    made.append(([], []))  # a request the loop never ran
    _check(_probes(made))


def _check(probes: list[RequestProbe]) -> None:
    got, want = loop_holding_intervals(probes, L), _by_tuples(probes)
    assert (got.starts, got.ends, got.stepped) == (want.starts, want.ends, want.stepped)
    assert all(type(n) is int for n in got.starts + got.ends)  # bisect, repr and the JSON as before
