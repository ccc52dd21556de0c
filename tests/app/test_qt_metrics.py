"""The metrics panel and its two plots, as a teacher would read them off the screen.

Each widget is handed a :class:`~app.session.figures.Figures` (the session's, in the
window) and draws what it shows: a test sets what is shown with ``figures.show``."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPalette
from PySide6.QtWidgets import QLabel

from app.session.figures import Figures
from app.theme import DARK, apply_theme
from app.widgets.metrics_panel import (
    QtInFlightPlot,
    QtLatencyHistogram,
    QtMetrics,
    format_count,
    format_ms,
)
from simulator.metrics.summary import summarize
from simulator.trace import Lane, Segment, Trace

MS = 1_000_000


def make_lane(i: int, sent_ms: float, done_ms: float, status: str = "ok") -> Lane:
    sent, done = round(sent_ms * MS), round(done_ms * MS)
    return Lane(
        request_id=i,
        view="sync_io",
        status=status,
        status_code={"ok": 200, "error": 500}.get(status),
        error="boom" if status == "error" else None,
        sent_ns=sent,
        done_ns=done,
        segments=(Segment("io_blocking", sent, done, "worker-1"),),
    )


def make_trace(*spans: tuple[float, float] | tuple[float, float, str], **kwargs) -> Trace:
    """A trace from ``(sent_ms, done_ms[, status])`` spans, starting at 0."""
    return Trace(0, tuple(make_lane(i, *span) for i, span in enumerate(spans)), **kwargs)


@pytest.fixture
def figures() -> Figures:
    """What the widgets of a test show (no session: set with ``figures.show``)."""
    return Figures()


@pytest.fixture
def make_view(qtbot, figures):
    """Build a widget on ``figures``, showing ``trace`` if given, at a known size; qtbot
    closes it."""

    def make(cls, trace=None, size=(600, 300)):
        if trace is not None:
            figures.show(trace)
        view = cls(figures)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def highlight_rows(image: QImage, x: int, color: QColor) -> int:
    """How many pixels of column ``x`` have exactly ``color``."""
    return sum(image.pixelColor(x, y) == color for y in range(image.height()))


def bar_near(image: QImage, x: float, color: QColor, reach: int = 3) -> bool:
    """Is there a bar (a run of ``color`` pixels) in some column within ``reach`` of ``x``?"""
    return any(highlight_rows(image, round(x) + dx, color) >= 5 for dx in range(-reach, reach + 1))


def highlight_of(widget) -> QColor:
    return widget.palette().color(QPalette.ColorRole.Highlight)


# -- the panel --------------------------------------------------------------------------------


def test_makespan_switches_from_ms_to_s_when_the_run_changes(make_view, figures):
    trace = make_trace((0, 100), (0, 214))
    metrics = make_view(QtMetrics, trace, size=(420, 800))
    assert metrics.value_text("makespan_ms") == "214 ms"
    assert metrics.value_text("throughput_rps") == "9.35 req/s"

    figures.show(make_trace((0, 900), (500, 1620)))
    assert metrics.value_text("makespan_ms") == "1.62 s"
    assert metrics.value_text("max") == "1.12 s"


def test_a_real_run_shows_its_own_figures(make_view, figures, run):
    result = run(view="async_io", requests=5, io_ms=20)
    metrics = make_view(QtMetrics, size=(420, 800))
    assert metrics.value_text("makespan_ms") == "—"

    figures.show(result.trace, result.summary)
    assert result.summary.makespan_ms < 1000
    assert metrics.value_text("makespan_ms") == format_ms(result.summary.makespan_ms)
    assert metrics.value_text("makespan_ms").endswith(" ms")
    assert metrics.value_text("ok") == "5"
    assert metrics.value_text("failed") == "0"
    assert metrics.value_text("peak_in_flight") == str(result.summary.peak_in_flight)
    assert metrics.value_text("loop_blocked_ms") != "no loop"  # ASGI has an event loop
    assert metrics.histogram.bins().answered == 5


def test_a_given_summary_is_shown_rather_than_recomputed(make_view, figures):
    trace = make_trace((0, 100))
    metrics = make_view(QtMetrics, size=(420, 800))
    figures.show(trace, dataclasses.replace(summarize(trace), makespan_ms=5000.0))
    assert metrics.value_text("makespan_ms") == "5.00 s"


def test_an_all_failed_run_shows_its_failures_in_red(make_view, figures):
    metrics = make_view(QtMetrics, size=(420, 800))
    figures.show(make_trace((0, 50, "error"), (0, 60, "error"), (0, 70, "error")))
    failed = metrics.findChild(QLabel, "value_failed")
    ok = metrics.findChild(QLabel, "value_ok")
    assert failed.text() == "3"
    assert ok.text() == "0"
    red = failed.palette().color(QPalette.ColorRole.WindowText)
    assert red != ok.palette().color(QPalette.ColorRole.WindowText)
    assert red.red() > 200 and red.green() < 120

    figures.show(make_trace((0, 50), (0, 60)))
    assert failed.text() == "0"
    assert failed.palette().color(QPalette.ColorRole.WindowText) == ok.palette().color(
        QPalette.ColorRole.WindowText
    )


def test_a_run_none_of_whose_requests_was_answered_shows_no_answer_rate(make_view, figures):
    # Refused at connect (a --url where nothing listens): failed, with no HTTP status.
    refused = [
        dataclasses.replace(make_lane(i, 0, 1.7 + i / 10, "error"), status_code=None)
        for i in range(20)
    ]
    metrics = make_view(QtMetrics, Trace(0, tuple(refused)), size=(420, 800))
    for key in ("makespan_ms", "throughput_rps", "p50", "p95", "p99", "max"):
        assert metrics.value_text(key) == "—", key
    assert (metrics.value_text("answered"), metrics.value_text("failed")) == ("0", "20")
    assert metrics.histogram.bins() is None
    assert metrics.histogram._title == "Latency: no request was answered"


def test_a_live_run_s_running_count_does_not_widen_the_panel(qtbot, figures):
    # 10,000 requests, one answered: "10 000 (9 999 in flight)" in the values' large type
    # once pushed the panel's right column out of a 1280×720 window's dock.
    running = make_trace((0, 50), *[(0, 300, "running")] * 9_999)
    finished = make_trace(*[(0, 50)] * 10_000)
    panel = QtMetrics(figures)
    qtbot.addWidget(panel)
    widths = []
    for trace in (finished, running):
        figures.show(trace)
        panel.layout().activate()
        widths.append(panel.minimumSizeHint().width())
    assert widths[1] <= widths[0]
    assert f"({format_count(9_999)} in flight)" in panel.caption_text("requests")


def test_live_runs_count_requests_in_flight_and_cancelled_apart(make_view):
    """Those not answered yet are "in flight", queued or running: "7 running" read as seven
    at work beside the lanes' "6 queued" and one busy worker (lesson 1 at 1080p)."""
    trace = make_trace((0, 100), (0, 110), (0, 300, "running"), (0, 200, "cancelled"))
    metrics = make_view(QtMetrics, trace, size=(420, 800))
    assert metrics.value_text("requests") == "4"
    assert metrics.caption_text("requests") == "Requests (1 in flight)"
    assert metrics.value_text("cancelled") == "1"
    assert metrics.value_text("ok") == "2"
    assert metrics.histogram.bins().answered == 2
    assert metrics.histogram.bins().hi_ms < 200  # the running lane's 300 ms is no latency


def test_loop_blocked_time_and_its_absence_under_wsgi(make_view, figures):
    asgi = make_trace((0, 100), loop_thread="asgi-loop", loop_blocked=((0, 12 * MS),))
    metrics = make_view(QtMetrics, asgi, size=(420, 800))
    assert metrics.value_text("loop_blocked_ms") == "12.0 ms"

    figures.show(make_trace((0, 100)))
    assert metrics.value_text("loop_blocked_ms") == "not watched"  # dials not known


def test_a_run_with_no_loop_watched_says_why_as_its_slide_does(make_view, figures):
    """Lesson 24's B (uvicorn) read "Event loop blocked: no loop" although uvicorn runs
    Django on one event loop in its worker; its slide said "loops not watched (other
    processes)". The window now says what the slide says, and WSGI that it has no loop."""
    from simulator.scenario import Scenario

    dials = {"shown": Scenario(mode="uvicorn")}
    metrics = QtMetrics(figures, scenario_of=lambda shown: dials["shown"])
    make_view(lambda _: metrics, make_trace((0, 100)), size=(420, 800))
    value = metrics.findChild(QLabel, "value_loop_blocked_ms")
    assert metrics.value_text("loop_blocked_ms") == "not watched"  # in a value cell's room
    assert value.toolTip().startswith("loops not watched (other processes). ")
    dials["shown"] = Scenario(mode="gunicorn")
    figures.show(make_trace((0, 90)))
    assert metrics.value_text("loop_blocked_ms") == "no loop"
    assert value.toolTip().startswith("no event loop (WSGI). ")


def test_every_figure_explains_itself_in_a_tooltip(make_view):
    metrics = make_view(QtMetrics, make_trace((0, 100)), size=(420, 800))
    threads = metrics.findChild(QLabel, "caption_threads_used")
    assert "distinct os threads" in threads.toolTip().lower()
    for key in (
        "makespan_ms",
        "throughput_rps",
        "p50",
        "p95",
        "p99",
        "max",
        "peak_in_flight",
        "threads_used",
        "loop_blocked_ms",
        "framework_ms_per_request",
        "ok",
        "failed",
        "cancelled",
    ):
        assert metrics.findChild(QLabel, f"caption_{key}").toolTip().endswith(".")
        assert metrics.findChild(QLabel, f"value_{key}").toolTip()


def test_clear_empties_figures_and_plots(make_view, figures):
    metrics = make_view(QtMetrics, make_trace((0, 100), (0, 120)), size=(420, 800))
    figures.show(None)
    assert metrics.value_text("makespan_ms") == "—"
    assert metrics.value_text("failed") == "—"
    image = metrics.histogram.grab().toImage()
    color = highlight_of(metrics.histogram)
    assert not any(highlight_rows(image, x, color) for x in range(0, image.width(), 4))


def test_values_grow_with_the_font_presentation_mode_sets(make_view, qtbot):
    metrics = make_view(QtMetrics, make_trace((0, 100)), size=(420, 800))
    value = metrics.findChild(QLabel, "value_makespan_ms")
    before = (value.font().pointSizeF(), metrics.histogram.minimumSizeHint().height())
    big = QFont(metrics.font())
    big.setPointSizeF(big.pointSizeF() * 2)
    metrics.setFont(big)
    qtbot.waitUntil(lambda: value.height() >= value.sizeHint().height())
    assert value.font().pointSizeF() > before[0] * 1.5
    assert value.font().pointSizeF() > metrics.font().pointSizeF()  # still bigger than text
    assert metrics.histogram.minimumSizeHint().height() > before[1]


def test_ten_thousand_lanes_draw_what_they_hold(make_view, figures):
    # A request sent every 0.1 ms, each answered after 20 to 26 ms: about 230 in flight.
    trace = make_trace(*[(i * 0.1, i * 0.1 + 20 + i % 7) for i in range(10_000)])
    metrics = make_view(QtMetrics, size=(420, 800))
    figures.show(trace)
    assert metrics.value_text("requests") == "10\u2009000"
    assert metrics.value_text("peak_in_flight") == format_count(
        figures.shown.summary.peak_in_flight
    )

    histogram = metrics.histogram
    image = histogram.grab().toImage()
    color = highlight_of(histogram)
    assert histogram.bins().answered == 10_000
    assert bar_near(image, histogram.x_for(23), color)
    assert not any(  # no request was faster than 20 ms
        highlight_rows(image, x, color)
        for x in range(round(histogram.x_for(0)) + 2, round(histogram.x_for(18)))
    )

    plot = metrics.in_flight
    steps = plot.steps()
    assert steps.peak == figures.shown.summary.peak_in_flight > 200
    image = plot.grab().toImage()
    # Thousands of steps drawn a few per pixel: the peak is still drawn, at its moment.
    x, y = round(plot.x_for(steps.peak_ms)), round(plot.y_for(steps.peak))
    assert any(
        image.pixelColor(x + dx, y + dy) == highlight_of(plot)
        for dx in (-1, 0, 1)
        for dy in (-2, -1, 0, 1, 2)
    )


# -- the latency histogram ----------------------------------------------------------------------


def test_histogram_bar_stands_where_the_latencies_are_and_moves_with_them(make_view, figures):
    slow = make_trace(*[(0, 100)] * 5, (0, 100.5))
    histogram = make_view(QtLatencyHistogram, slow)
    color = highlight_of(histogram)
    image = histogram.grab().toImage()
    # The p50 and p95 lines (WindowText) sit on the bar at 100 ms; 97 ms is the same bin.
    assert bar_near(image, histogram.x_for(97), color)
    assert not any(
        highlight_rows(image, x, color)
        for x in range(round(histogram.x_for(0)) + 2, round(histogram.x_for(85)))
    )

    figures.show(make_trace(*[(0, 30)] * 4))
    image = histogram.grab().toImage()
    assert bar_near(image, histogram.x_for(30), color)
    assert not any(
        highlight_rows(image, x, color)
        for x in range(round(histogram.x_for(0)) + 2, round(histogram.x_for(20)))
    )


def test_histogram_marks_p50_and_p95(make_view):
    trace = make_trace(*[(0, ms) for ms in range(10, 210, 10)])  # 10, 20, ... 200 ms
    histogram = make_view(QtLatencyHistogram, trace)
    bins = histogram.bins()
    assert bins.p50_ms == pytest.approx(105)
    assert bins.p95_ms == pytest.approx(190.5)
    image = histogram.grab().toImage()
    text = histogram.palette().color(QPalette.ColorRole.WindowText)
    # A dashed line crosses the empty space above the bars at p50.
    column = [
        image.pixelColor(x, y)
        for x in (round(histogram.x_for(105)) + d for d in (-1, 0, 1))
        for y in range(image.height())
    ]
    assert sum(c == text for c in column) > 20


def test_histogram_follows_the_palette(make_view):
    histogram = make_view(QtLatencyHistogram, make_trace(*[(0, 50)] * 3))
    palette = histogram.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#ff8800"))
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    histogram.setPalette(palette)
    image = histogram.grab().toImage()
    assert bar_near(image, histogram.x_for(50), QColor("#ff8800"), reach=6)
    assert image.pixelColor(2, image.height() // 2) == QColor("#202020")


@pytest.mark.parametrize(
    "trace",
    [
        Trace(0, ()),
        make_trace((0, 40)),
        make_trace((0, 40, "cancelled"), (0, 60, "running")),
        make_trace((0, 0)),
    ],
    ids=["empty", "one lane", "none finished", "zero latency"],
)
def test_histogram_draws_any_trace(make_view, trace):
    histogram = make_view(QtLatencyHistogram, trace)
    image = histogram.grab().toImage()
    finished = sum(lane.status in ("ok", "error") for lane in trace.lanes)
    has_bar = any(
        highlight_rows(image, x, highlight_of(histogram)) >= 5 for x in range(image.width())
    )
    assert has_bar == bool(finished)


def test_plots_follow_the_dark_theme(make_view, qapp, qtbot):
    histogram = make_view(QtLatencyHistogram, make_trace(*[(0, 50)] * 3))
    plot = make_view(QtInFlightPlot, make_trace((0, 50)))
    palette, style = qapp.palette(), qapp.style().name()
    try:
        apply_theme(qapp, DARK)
        for view in (histogram, plot):
            qtbot.waitUntil(
                lambda v=view: v.palette().color(QPalette.ColorRole.Window).value() < 80
            )
            image = view.grab().toImage()
            assert image.pixelColor(2, image.height() // 2) == view.palette().color(
                QPalette.ColorRole.Window
            )
            assert image.pixelColor(2, image.height() // 2).lightness() < 80
        assert bar_near(histogram.grab().toImage(), histogram.x_for(50), highlight_of(histogram))
    finally:
        qapp.setStyle(style)
        qapp.setPalette(palette)


# -- requests in flight ----------------------------------------------------------------------


def test_in_flight_step_reaches_the_top_at_the_peak(make_view, figures):
    # One long request; two more join at 10 and 20 ms and leave at 60 and 50 ms: peak 3.
    trace = make_trace((0, 100), (10, 60), (20, 50))
    plot = make_view(QtInFlightPlot, trace)
    assert plot.steps().peak == 3
    image = plot.grab().toImage()
    color = highlight_of(plot)

    def line_at(ms: float, level: int) -> bool:
        x, y = round(plot.x_for(ms)), round(plot.y_for(level))
        return any(image.pixelColor(x, y + dy) == color for dy in (-2, -1, 0, 1))

    assert line_at(35, 3)  # the top of the plot, during the peak
    assert not line_at(80, 3)
    assert line_at(80, 1)  # after the peak only the long request is left
    assert not line_at(5, 3)
    assert plot.y_for(3) < plot.y_for(1) < plot.y_for(0)

    figures.show(make_trace((0, 100), (60, 90)))
    image = plot.grab().toImage()
    assert plot.steps().peak == 2
    assert line_at(75, 2)
    assert not line_at(35, 2)


def test_in_flight_plot_spans_the_makespan(make_view):
    plot = make_view(QtInFlightPlot, make_trace((0, 100), (0, 1500)))
    assert plot.steps().end_ms == pytest.approx(1500)
    assert plot.x_for(1500) == pytest.approx(plot.x_for(0) + (plot.x_for(750) - plot.x_for(0)) * 2)


@pytest.mark.parametrize(
    "trace",
    [Trace(0, ()), make_trace((0, 40)), make_trace((0, 40, "error"), (0, 60, "running"))],
    ids=["empty", "one lane", "failed and running"],
)
def test_in_flight_plot_draws_any_trace(make_view, trace):
    plot = make_view(QtInFlightPlot, trace)
    image = plot.grab().toImage()
    has_line = any(highlight_rows(image, x, highlight_of(plot)) for x in range(image.width()))
    assert has_line == bool(trace.lanes)


def test_plots_ask_for_a_readable_minimum_size(make_view):
    for cls in (QtLatencyHistogram, QtInFlightPlot):
        hint = make_view(cls).minimumSizeHint()
        assert hint.width() >= 260 and hint.height() >= 140


def test_the_figure_line_names_what_to_watch_before_a_run(qapp, figures):
    from app.widgets.figure_strip import QtFigureStrip

    strip = QtFigureStrip(figures)
    assert strip.text() == "makespan <b>—</b> · p95 <b>—</b> · threads held <b>—</b>"
    figures.show(make_trace((0, 100), (0, 300)))
    assert strip.text().startswith("makespan <b>300 ms</b> · p95 <b>")
    figures.show(None)
    assert strip.text() == "makespan <b>—</b> · p95 <b>—</b> · threads held <b>—</b>"


def test_the_figure_line_leads_with_the_figure_the_lesson_asks_about(qapp, figures):
    # Lesson 6 asks which side has the lower p50: its line read makespan, p95, threads held
    # and loop blocked, and no p50.
    from app.widgets.figure_strip import QtFigureStrip

    strip = QtFigureStrip(figures, lesson_figure=lambda: "p50")
    assert strip.text() == "p50 <b>—</b> · makespan <b>—</b> · p95 <b>—</b> · threads held <b>—</b>"
    figures.show(make_trace((0, 100), (0, 300)))
    assert strip.text().startswith("p50 <b>")
    assert strip.text().count("p50") == 1 and "makespan <b>300 ms</b>" in strip.text()


@pytest.mark.parametrize("px", [13, 16, 24])
@pytest.mark.parametrize(
    "spans",
    [
        [(0, 200 * i + 20) for i in range(1, 9)],  # lesson 4's staircase: p95 at the right edge
        [(0, 100)] * 20 + [(0, 190)],  # one tall bar under both lines
        [(0, ms) for ms in range(10, 210, 10)],
        # lesson 18: most answers at ~3 ms, a few to 22: p50 near the left edge
        [(0, 2.7)] * 17 + [(0, 2.0)] * 4 + [(0, ms) for ms in (4, 4, 5, 6, 6, 7, 9.4, 9.5, 22)],
    ],
    ids=["staircase", "tall", "even", "fast"],
)
def test_histogram_labels_never_cover_a_bar(make_view, spans, px):
    histogram = make_view(QtLatencyHistogram, make_trace(*spans), size=(360, 220))
    font = QFont(histogram.font())
    font.setPixelSize(px)  # presentation mode's text at 720p and 1080p
    histogram.setFont(font)
    histogram.resize(360, 230)  # and a new size: the headroom follows it
    bins = histogram.bins()
    width_ms = bins.bin_ms * 0.9
    bars = [
        QRectF(
            QPointF(histogram.x_for(left + bins.bin_ms * 0.05), histogram._pixel(0, count).y()),
            QPointF(
                histogram.x_for(left + bins.bin_ms * 0.05 + width_ms), histogram._pixel(0, 0).y()
            ),
        )
        for left, count in zip(bins.lefts_ms, bins.counts, strict=True)
        if count
    ]
    labels = histogram.marker_label_rects()
    assert len(labels) == 2 and all(label.height() >= px for label in labels)
    box = histogram.mapFromScene(histogram.getPlotItem().getViewBox().sceneBoundingRect())
    plot = box.boundingRect().toRectF()
    for label in labels:
        assert label.top() >= 0, "a label above the plot"
        # The plot clips what is outside it: "p50 2.73 ms" read "3 ms".
        assert plot.left() <= label.left() and label.right() <= plot.right(), (label, plot)
        for bar in bars:
            assert not label.intersects(bar), (label, bar)
    assert not labels[0].intersects(labels[1])


def test_the_figure_line_names_the_side_whose_dashes_it_shows(qtbot, figures):
    from app.session import Side
    from app.widgets.figure_strip import QtFigureStrip

    strip = QtFigureStrip(figures)
    qtbot.addWidget(strip)
    assert strip.text().startswith("makespan <b>")
    figures.show(None, starting=Side.B)
    assert strip.text().startswith("<b>B</b>: makespan <b>")
    figures.show(make_trace((0, 100)))
    figures.show(None)
    assert strip.text().startswith("makespan <b>")


def test_a_live_run_s_makespan_and_latencies_say_so_far(qtbot, figures):
    """Three of eight answered: "Makespan 455 ms" read as the run's; live, the figures that
    only the answers make say "so far" (panel and presentation's line), the latencies of how
    many answers ("p95 of 3 answered": "p50 so far" read as the run's p50), and lose it at
    the end; the peaks (threads held at once, ...) say "so far" (lesson 19's "DB connections
    1" early in a run read as the class's wrong guess, teacher46); counts (requests,
    answered) are what they are at any moment."""
    from app.widgets.figure_strip import QtFigureStrip

    trace = make_trace((0, 100), (0, 200), (0, 455), *[(0, 500, "running")] * 5)
    panel, strip = QtMetrics(figures), QtFigureStrip(figures)
    qtbot.addWidget(panel)
    qtbot.addWidget(strip)
    figures.show(trace, live=True)
    assert panel.caption_text("makespan_ms") == "Makespan so far"
    assert panel.caption_text("p95") == "Latency p95 (answered)"  # (not the run's p95)
    assert panel.caption_text("throughput_rps") == "Throughput so far"
    # The peaks say "so far" on the figures' line (below); the panel's captions have no room
    # for it ("Database connections at o…" ran past the dock, review47).
    assert panel.caption_text("threads_held_peak") == "Threads held at once"
    assert "threads held so far <b>" in strip.text()
    assert panel.caption_text("answered") == "Answered"
    assert "makespan so far <b>500 ms</b>" in strip.text()  # up to now, as the lanes reach
    assert "p95 of 3 answered <b>" in strip.text()
    figures.show(trace)  # the same figures, the run over (a stopped run's)
    assert panel.caption_text("makespan_ms") == "Makespan"
    assert "so far" not in strip.text()
    # Every request the run sends answered, Django still tidying up: the figures are final
    # ("makespan so far · p95 of 10 answered" beside "10 of 10 requests answered" read as
    # still moving), though the run goes on; with more to send, still "so far".
    answered = make_trace((0, 100), (0, 200), (0, 455))
    figures.show(answered, live=True, requests=3)
    assert panel.caption_text("makespan_ms") == "Makespan"
    assert "so far" not in strip.text() and " answered" not in strip.text(), strip.text()
    figures.show(answered, live=True, requests=8)
    assert panel.caption_text("makespan_ms") == "Makespan so far"


def test_django_s_clean_up_after_the_answers_is_said_apart_and_alike_in_panel_and_cli(make_view):
    # 10,000 requests read "Framework / request" 3.1-12.7 ms run to run: Django's clean-up
    # after each answer (its thread ending amid thousands), which no client waits for.
    from app.cli.summary import format_summary
    from simulator.scenario import Scenario
    from simulator.trace import Run

    def lane(i: int) -> Lane:
        t = i * 10 * MS  # each on a thread of its own: 1 ms of Django's before the answer
        segments = (
            Segment("framework", t, t + MS, f"t-{i}"),
            Segment("io_wait", t + MS, t + 5 * MS, "asgi-loop"),
            Segment("framework", t + 5 * MS, t + 8 * MS, f"t-{i}"),  # 3 ms after it
        )
        return Lane(i, "async_io", "ok", 200, None, t, t + 5 * MS, segments)

    trace = Trace(0, tuple(lane(i) for i in range(4)), loop_thread="asgi-loop")
    metrics = make_view(QtMetrics, trace, size=(420, 900))
    assert metrics.value_text("framework_ms_per_request") == "4.00 ms"
    assert metrics.caption_text("framework_after_answer_ms_per_request") == "Of it after the answer"
    assert metrics.value_text("framework_after_answer_ms_per_request") == "3.00 ms"
    run = Run(Scenario(view="async_io", requests=4), trace, summarize(trace))
    line = next(x for x in format_summary(run).splitlines() if "framework" in x)
    assert line.split() == "framework 4.00 ms per request (3.00 ms of it after the answer)".split()


def test_one_side_s_figures_take_one_line_however_narrow(qtbot, figures):
    """Beside the reveal's text at 1024×768, one side's figures wrapped onto a second line
    and took it from the lanes (review47): like two sides', they are cut to the first that
    fit one line."""
    import re

    from PySide6.QtGui import QFont, QFontMetricsF

    from app.widgets.figure_strip import QtFigureStrip

    strip = QtFigureStrip(figures)
    qtbot.addWidget(strip)
    strip.resize(1400, 40)
    strip.show()
    figures.show(make_trace((0, 100), (0, 200), (0, 455)))
    whole = strip.text()
    strip.resize(260, 40)
    cut = strip.text()
    bold = QFont(strip.font())
    bold.setBold(True)
    plain = re.sub("<[^>]*>", "", cut)
    assert cut.count(" · ") < whole.count(" · ") and cut.startswith(whole.split(" · ")[0])
    assert QFontMetricsF(bold).horizontalAdvance(plain) <= strip.contentsRect().width()
