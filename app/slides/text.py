"""Every line of text on a slide of one run, or of runs A and B side by side.

The first of a slide's three steps (text, :mod:`app.slides.layout`, :mod:`app.slides.paint`):
the title, the dials, one line of key figures per run (named and written as
:mod:`simulator.metrics.figures` says) and, for two runs, the verdict of
:func:`simulator.metrics.verdict.verdict`. No Qt: a test reads it as plain strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.session.close_call import RunNumber
from app.timeline.spans import longest_tail_ns
from simulator.catalog import lesson_views
from simulator.errors import LanesError
from simulator.metrics.comparison import median_run
from simulator.metrics.figures import FIGURE, after_answer_note, lesson_first, loop_not_watched
from simulator.metrics.summary import SERVER_THREAD_FIGURES
from simulator.metrics.verdict import verdict
from simulator.trace import Kind, Run
from simulator.trace.kinds import split_server_thread

__all__ = ["LETTERS", "TAIL_NOTE", "SlideText", "checked_runs", "metrics_line", "slide_text"]

#: The names of the runs of a comparison, in order.
LETTERS = "AB"


@dataclass(frozen=True)
class SlideText:
    """Every line of text on the slide.

    Attributes
    ----------
    title
        The slide's title.
    subtitle
        The line under it: the dials (or, when the title already is the dials, what the view
        does); for a comparison, the dials both runs share.
    headings
        One per timeline: ``"A: <dials>"``, ``"B: <dials>"``; empty for a single run.
    metrics
        One line of key figures per run.
    verdict
        The one-line verdict of a comparison; ``None`` for a single run.
    note
        A line under the colour key for what the key cannot show (thin bars), or ``None``.
    """

    title: str
    subtitle: str | None
    headings: tuple[str, ...]
    metrics: tuple[str, ...]
    verdict: str | None
    note: str | None = None


#: The figures a slide's line gives every run, in order (the threads used and, in brackets,
#: how many were held at once).
SLIDE_FIGURES = (
    "makespan_ms",
    "p95",
    "throughput_rps",
    "peak_in_flight",
    "threads_used",
    "loop_blocked_ms",
    "framework_ms_per_request",
)


def metrics_line(run: Run, figure: str | None = None) -> str:
    """The key figures of ``run`` on one line, e.g. ``makespan 1.61 s · p95 1.54 s · ...``;
    with a lesson's ``figure``, that figure first (``p50 317 ms · makespan 545 ms · ...``),
    by the window's figure line's rule (:func:`~simulator.metrics.figures.lesson_first`).

    Names, values and units come from :data:`~simulator.metrics.figures.FIGURE`; the slide
    only picks which figures fit on a line.
    """
    s = run.summary
    keys = lesson_first(figure, SLIDE_FIGURES)

    def named(key: str, name: str | None = None) -> str:
        return f"{name or FIGURE[key].name} {FIGURE[key].text(s)}"

    def part(key: str) -> str | None:
        if key == "throughput_rps":
            return FIGURE[key].text(s)
        if key in ("failed", "cancelled"):
            return f"{FIGURE[key].text(s)} {FIGURE[key].name}"
        if key in SERVER_THREAD_FIGURES and not s.server_threads_known:
            # A site that said nothing of its threads: said once, never a made-up 0.
            return "threads and framework — (no per-thread data)" if key == "threads_used" else None
        if key == "threads_used":
            # "threads used", its own name: "threads 31" beside "threads held 0" (lesson 9's
            # A) read as 31 threads held.
            if "threads_held_peak" in keys:  # the lesson's own figure leads the line
                return named(key)
            held = FIGURE["threads_held_peak"].text(s)
            return f"{named(key)} ({held} held at once)"
        if key == "loop_blocked_ms" and not run.trace.loop_thread:
            return loop_not_watched(run.scenario).line
        if key == "framework_ms_per_request":
            return f"{named(key)}/req{after_answer_note(s)}"
        return named(key)

    # Failures only if some request failed (or the lesson asks for them: it leads then).
    keys += tuple(k for k in ("failed", "cancelled") if k not in keys and FIGURE[k].value(s))
    parts = [text for key in keys if (text := part(key)) is not None]
    if s.client_paced and s.server_span_ms is not None:
        parts.append(f"client set the pace (server {FIGURE['server_span_ms'].text(s)})")
    if run.stopped:
        parts.append("stopped early")
    return " · ".join(parts)


def _label(run: Run) -> str:
    return run.scenario.label


def slide_text(
    runs: Sequence[Run],
    *,
    title: str | None = None,
    subtitle: str | None = None,
    verdict_text: str | None = None,
    figure: str | None = None,
    every_run: Sequence[Sequence[Run]] | None = None,
) -> SlideText:
    """The slide's text for one run, or for runs A and B.

    A lesson's slide gives its own ``subtitle`` (the question and the answer),
    ``verdict_text`` (the noise-aware verdict on the figure it is about) and that ``figure``,
    which leads each run's line of figures. ``every_run``: each side's runs, where a close
    call ran them several times: the heading of a side drawn from several says which one it
    is ("run 2 of 3, the median"), as the window's title does (lesson 8's reveal showed a
    162 ms run to a class that had watched one of 194 ms)."""
    text = _slide_text(runs, title=title, figure=figure)
    if every_run is not None and text.headings:
        text = replace(text, headings=_run_numbers(text.headings, runs, every_run, figure))
    if subtitle is not None:
        text = replace(text, subtitle=subtitle)
    if verdict_text is not None:
        text = replace(text, verdict=verdict_text)
    return text


def _slide_text(
    runs: Sequence[Run], *, title: str | None = None, figure: str | None = None
) -> SlideText:
    runs = checked_runs(runs)
    if len(runs) == 1:
        (run,) = runs
        subtitle: str | None
        if title:
            subtitle = _label(run)
        else:
            title = _label(run)
            subtitle = (
                own_site_subtitle(run)
                if run.scenario.url is not None
                else lesson_views()[run.scenario.view].description
            )
        return SlideText(title, subtitle, (), (metrics_line(run, figure),), None, _note(runs))
    a, b = runs
    parts_a, parts_b = _label(a).split(" · "), _label(b).split(" · ")
    shared = [p for p in parts_a if p in parts_b]
    only_a = [p for p in parts_a if p not in shared]
    only_b = [p for p in parts_b if p not in shared]
    if only_a or only_b:
        title = title or f"{' · '.join(only_a or parts_a)}  vs  {' · '.join(only_b or parts_b)}"
        subtitle = f"Both: {' · '.join(shared)}" if shared else None
    else:  # the same dials twice: how much do two runs of one scenario differ?
        title = title or f"{_label(a)}, run twice"
        subtitle = "A and B have the same dials"
    return SlideText(
        title,
        subtitle,
        tuple(f"{letter}: {_label(run)}" for letter, run in zip(LETTERS, runs, strict=False)),
        tuple(
            f"{letter}: {metrics_line(run, figure)}"
            for letter, run in zip(LETTERS, runs, strict=False)
        ),
        verdict(a, b),
        _note(runs),
    )


def _run_numbers(
    headings: tuple[str, ...],
    runs: Sequence[Run],
    every_run: Sequence[Sequence[Run]],
    figure: str | None,
) -> tuple[str, ...]:
    """Each heading of a side drawn from several runs, with which of them it is."""
    said = []
    for heading, run, side in zip(headings, runs, every_run, strict=False):
        number = next((i + 1 for i, r in enumerate(side) if r is run), None)
        if number is not None and len(side) > 1:
            median = figure is not None and median_run(figure, side) is run
            heading = f"{heading} — {RunNumber(number, len(side), median=median).words}"
        said.append(heading)
    return (*said, *headings[len(said) :])


#: Under the key when some lane has a thin bar (see ``TimelineRows.tail_per_kind``).
TAIL_NOTE = (
    "Thin faint bars: Django's clean-up for a request after its answer was sent "
    "(no client waits for it)."
)


def own_site_subtitle(run: Run) -> str:
    """What a ``--url`` run was: the site, its path, the answers' status codes and what the
    server said of its own time (not a lesson view's description: the site is not ours)."""
    from collections import Counter
    from urllib.parse import urlsplit

    parts = urlsplit(run.scenario.url or "")
    codes = Counter(lane.status_code for lane in run.trace.lanes if lane.status_code)
    answers = ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items())) or "no answer"
    kinds = {seg.kind for lane in run.trace.lanes for seg in lane.segments}
    if Kind.SERVER_TIMING in kinds:
        said = "its own Server-Timing: durations only, order and overlap not known"
    elif any(split_server_thread(seg.thread) for lane in run.trace.lanes for seg in lane.segments):
        said = "the lanes middleware's Server-Timing"
    else:
        said = "no timings: the wait is one span at the server (queue and view together)"
    return f"Your site {parts.netloc} · path {parts.path or '/'} · answers {answers} · {said}"


#: Under the key of a run whose server said nothing of its threads.
NO_THREADS_NOTE = (
    "No per-thread data: the site sends no lanes timings. To see its threads, copy "
    "embedded_site/server_timing.py into it, first in MIDDLEWARE."
)


def _note(runs: Sequence[Run]) -> str | None:
    """:data:`NO_THREADS_NOTE` for a site without per-thread data; else :data:`TAIL_NOTE`
    if some thin bar is long enough to see (1/700 of the time axis): Django held a thread or
    the loop for a request after its answer."""
    if any(run.trace.lanes and not run.summary.server_threads_known for run in runs):
        return NO_THREADS_NOTE
    span = max((run.trace.last_ns - run.trace.t0_ns for run in runs), default=0)
    visible = any(longest_tail_ns(run.trace) * 700 >= span for run in runs)
    return TAIL_NOTE if span > 0 and visible else None


def checked_runs(runs: Sequence[Run]) -> list[Run]:
    """``runs`` as a list, if it is one run or two (A and B)."""
    runs = list(runs)
    if len(runs) not in (1, 2):
        raise LanesError(f"a picture shows one run or two (A and B), not {len(runs)}")
    return runs
