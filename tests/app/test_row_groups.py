"""Rows grouped to a floor (presentation mode), and labels that never overlap, on lessons'
recorded runs (tests/app/recorded) and a made-up staircase."""

from __future__ import annotations

from dataclasses import fields, replace

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF

from app.timeline.geometry import layout
from app.timeline.grouping import (
    GroupedRows,
    GroupPlan,
    RowGroup,
    fit_rows,
    group_label,
    plan_groups,
    regroup,
)
from app.timeline.labels import label_font, labels_of, place_labels
from app.timeline.rows import TimelineRows
from simulator.trace import Kind, Lane, Segment, Trace
from tests.app.recorded_runs import load_runs, run_from_data


def _rows(lesson: int, side: int, by: str) -> TimelineRows:
    _, runs = load_runs(lesson)
    return TimelineRows(run_from_data(runs[side], 0).trace, by=by)


def _lane(i: int, start_ms: float, io_ms: float) -> Lane:
    ms = 1_000_000
    start, end = round(start_ms * ms), round((start_ms + io_ms) * ms)
    segments = (Segment(Kind.QUEUED, 0, start, "queue"), Segment(Kind.IO_BLOCKING, start, end, "w"))
    return Lane(
        request_id=i,
        view="sync_io",
        status="ok",
        status_code=200,
        error=None,
        sent_ns=0,
        done_ns=end,
        segments=segments,
    )


def test_rows_that_fit_are_left_alone():
    rows = _rows(9, 1, "workers")
    assert fit_rows(rows, len(rows)) is rows


def test_alike_requests_share_a_row_that_says_so_and_draws_what_each_did():
    # Lesson 13, A: eight requests; most of them did the same thing at the same time.
    rows = _rows(13, 0, "requests")
    groups = plan_groups(rows, 4)
    assert len(groups) <= 4
    assert [(g.first, g.last) for g in groups][0][0] == 0 and groups[-1].last == len(rows) - 1
    grouped = [g for g in groups if g.size > 1]
    assert grouped and all(g.alike and g.label.endswith("alike") for g in grouped)
    fitted = fit_rows(rows, 4)
    assert fitted.labels == [g.label for g in groups]
    # Every member's segments are on its group's row: nothing drawn is lost.
    for kind, items in rows.per_kind.items():
        assert len(fitted.per_kind[kind]) == len(items)
        for (row, s, e), (group_row, gs, ge) in zip(items, fitted.per_kind[kind], strict=True):
            g = groups[group_row]
            assert g.first <= row <= g.last and (s, e) == (gs, ge)


def test_a_staircase_is_never_called_alike():
    # Ten requests, each 100 ms of blocking I/O after the one before: none did what another did.
    lanes = tuple(_lane(i, 100 * i, 100) for i in range(10))
    rows = TimelineRows(Trace(0, lanes), by="requests")
    groups = plan_groups(rows, 5)
    assert len(groups) == 5
    assert all(not g.alike and g.label.endswith("overlaid") for g in groups)
    assert groups[0].label == "requests 1–2 overlaid"
    # Ten that did the same at the same time are one row, alike.
    same = TimelineRows(Trace(0, tuple(_lane(i, 0, 100) for i in range(10))), by="requests")
    assert [g.label for g in plan_groups(same, 5)] == ["requests 1–10 alike"]


def test_the_event_loop_and_the_bands_keep_their_own_rows():
    # Lesson 9, B: 30 threads each held around an async view, beside the loop.
    rows = _rows(9, 1, "workers")
    fitted = fit_rows(rows, 6)
    assert len(fitted) == 6
    assert fitted.labels[:3] == ["waiting", "event loop", "awaiting on the loop"]
    assert fitted.loop_row == 1 and fitted.kept_rows == frozenset({0, 1, 2})
    assert all(label.startswith("threads ") for label in fitted.labels[3:])
    assert fitted.bar_texts == [t for t in fitted.bar_texts if t[0] < 3]  # no "#7" on a group


def test_group_labels_read_as_ranges():
    assert group_label(["#9", "#10", "#30"], alike=True) == "requests 9–30 alike"
    assert group_label(["thread 3", "thread 4"], alike=True) == "threads 3–4 alike"
    assert group_label(["worker 1", "worker 2"], alike=False) == "workers 1–2 overlaid"
    assert (
        group_label(["process 7 · thread 1", "process 7 · thread 4"], alike=True)
        == "process 7 · threads 1–4 alike"
    )


def test_labels_of_thin_rows_never_overlap_and_the_event_loop_is_always_named(qapp):
    rows = _rows(9, 1, "workers")  # 33 rows
    font = QFont()
    font.setPixelSize(16)
    for height in (90, 160, 300, 700):
        geo = layout(QRectF(0, 0, 1200, height), rows, font, 0, 1)
        placed = place_labels(geo, rows, QFontMetricsF(label_font(font, geo, rows)))
        texts = [label.text for label in placed]
        assert "event loop" in texts and "loop blocked" in texts, (height, texts)
        for i, a in enumerate(placed):
            for b in placed[i + 1 :]:
                inter = a.rect.intersected(b.rect)
                assert inter.width() <= 0.5 or inter.height() <= 0.5, (height, a.text, b.text)
        loop = next(label for label in placed if label.text == "event loop")
        # At its row, not wherever there was room.
        assert abs(loop.rect.center().y() - (geo.row_top(1) + geo.row_px / 2)) <= geo.row_px


def test_each_label_sits_level_with_its_own_row_when_rows_are_thinner_than_a_line(qapp):
    """Lesson 9's slide: rows of 12 px under labels of 14 px. Each label was centred on its
    row's top, so "event loop" sat level with the queue band, "awaiting on the loop" with
    the loop's pink bars and "Django's own brief work" with the blue await; a class reads a
    label as the row beside it."""
    rows = _rows(9, 1, "workers")  # 33 rows
    font = QFont()
    font.setPixelSize(16)
    for height in (440, 500, 600):  # rows from half a line to a line and more
        geo = layout(QRectF(0, 0, 1200, height), rows, font, 0, 1)
        fm = QFontMetricsF(label_font(font, geo, rows))
        assert geo.row_px >= fm.height() / 2
        placed = place_labels(geo, rows, fm)
        assert "event loop" in [label.text for label in placed]
        for label in placed:
            if label.row is None:
                continue
            middle = geo.row_top(label.row) + geo.row_px / 2
            off = abs(label.rect.center().y() - middle)
            assert off < geo.row_px / 2 - 0.5, (height, label.text, off, geo.row_px)


def test_the_window_groups_rows_to_its_floor_and_hover_names_the_request(qtbot):
    from PySide6.QtCore import QPoint

    from app.widgets.timeline import QtTimeline

    timeline = QtTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(900, 160)
    lanes = tuple(_lane(i, 0, 100) for i in range(20))  # twenty alike requests
    timeline.set_trace(Trace(0, lanes))
    assert len(timeline.rows) == 20  # no floor: a row each (thinner than 12 px)
    timeline.set_row_floor(12.0)
    rows = timeline.rows
    assert rows.labels == ["requests 1–20 alike"]
    timeline.grab()  # painted: the geometry the pointer is read against
    geo = timeline._geometry
    assert geo.row_px >= 12
    x, y = geo.x_of(50_000_000), geo.row_top(0) + geo.row_px / 2
    text = timeline.describe_at(QPoint(round(x), round(y)))
    assert text.startswith("requests 1–20 alike · request #1 · ")
    timeline.set_row_floor(0.0)
    assert len(timeline.rows) == 20


def test_rows_grouped_one_each_say_all_that_the_full_layout_says():
    # A field added to the layout and forgotten by regroup would be lost on a grouped row.
    for lesson, side, by in ((9, 1, "workers"), (13, 0, "requests"), (19, 0, "workers")):
        rows = _rows(lesson, side, by)
        alone = regroup(rows, [RowGroup(r, r, rows.labels[r]) for r in range(len(rows))])
        assert isinstance(alone, GroupedRows) and alone.base is rows
        for f in fields(TimelineRows):
            if not f.name.startswith("_") and f.name != "members":
                assert getattr(alone, f.name) == getattr(rows, f.name), (lesson, f.name)
        assert alone.members == [(r, r) for r in range(len(rows))]
        for kind, items in rows.per_kind.items():
            assert alone.per_kind[kind] == items, (lesson, kind)


def _failed(lane: Lane, error: str) -> Lane:
    return replace(lane, status="error", status_code=500, error=error)


def test_the_pointer_on_a_group_finds_the_member_whose_bar_is_there():
    ms = 1_000_000
    long = _lane(0, 0, 100)  # #1 holds its worker 0–100 ms
    short = _failed(_lane(1, 10, 10), "boom")  # #2 only 10–20 ms, and failed
    rows = TimelineRows(Trace(0, (long, short)), by="requests")
    grouped = regroup(rows, [RowGroup(0, 1, "requests 1–2 overlaid", alike=False)])
    assert isinstance(grouped, GroupedRows)
    # #2's bar started last but is over at 50 ms: #1's is still drawn there.
    found = grouped.member_at(0, 50 * ms)
    assert found is not None and found[0] == 0 and found[1] is long.segments[1]
    assert grouped.segment_at(0, 50 * ms) is long.segments[1]
    assert grouped.member_at(0, 150 * ms) is None and grouped.segment_at(0, 150 * ms) is None


def test_hover_on_a_worker_names_the_request_whose_segment_it_is_not_an_equal_one(qtbot):
    from PySide6.QtCore import QPoint

    from app.widgets.timeline import QtTimeline

    # Two requests awaiting on one server process's loop over the same nanoseconds: their
    # segments are equal; the pointer finds the second's, so the tooltip names #2 (and its
    # error), not #1 whose segment merely compares equal.
    ms = 1_000_000
    loop = "pid 7 · MainThread"

    def lane(i: int) -> Lane:
        run = Segment(Kind.CPU, 5 * i * ms, 5 * (i + 1) * ms, loop)  # each starts in turn
        wait = Segment(Kind.IO_WAIT, 10 * ms, 90 * ms, loop)
        return Lane(i, "async_io", "ok", 200, None, 0, 100 * ms, (run, wait))

    first, second = lane(0), _failed(lane(1), "boom")
    assert first.segments[1] == second.segments[1]
    timeline = QtTimeline()
    qtbot.addWidget(timeline)
    timeline.resize(900, 300)
    timeline.set_by("workers")
    timeline.set_trace(Trace(0, (first, second)))
    rows = timeline.rows
    row = rows.labels.index(rows.thread_name(loop))
    seg = rows.segment_at(row, 50 * ms)
    assert seg is second.segments[1]  # the later of two equal starts
    timeline.grab()
    geo = timeline._geometry
    text = timeline.describe_at(QPoint(round(geo.x_of(50 * ms)), round(geo.row_top(row) + 2)))
    assert text is not None and "request #2" in text and "failed: boom" in text, text


def _short(i: int, start_ms: float) -> Lane:
    """A request like lesson 18's: 2 ms of Django at ``start_ms``, answered."""
    ms = 1_000_000
    start, end = round(start_ms * ms), round((start_ms + 2) * ms)
    return Lane(
        i, "async_io", "ok", 200, None, start, end, (Segment(Kind.FRAMEWORK, start, end, "loop"),)
    )


def test_short_requests_in_turn_fill_the_room_as_a_staircase_not_one_comb():
    # Thirty 2 ms requests 25 ms apart: each a speck in its slice of the run. They were
    # "requests 1–30 alike", one row of thirty bars over an empty half-screen.
    rows = TimelineRows(Trace(0, tuple(_short(i, 25 * i) for i in range(30))), by="requests")
    plan = GroupPlan(rows)
    assert plan.needed(10) == 30  # none did what another did when it did
    groups = plan.groups(10)
    assert len(groups) == 10
    assert [(g.first, g.last) for g in groups] == [(3 * k, 3 * k + 2) for k in range(10)]
    assert groups[0].label == "requests 1–3 alike"
    # All the room, in blocks apart by one row at most (A and B of lesson 18: as many rows).
    for room in (7, 13, 29):
        sizes = [g.size for g in plan.groups(room)]
        assert len(sizes) == room and max(sizes) - min(sizes) <= 1, (room, sizes)
    # Requests that did the same at the same time stay one row however much room there is.
    same = TimelineRows(Trace(0, tuple(_short(i, 0) for i in range(30))), by="requests")
    assert GroupPlan(same).needed(10) == 1 and GroupPlan(same).needed(30) == 30
    assert [g.label for g in plan_groups(same, 10)] == ["requests 1–30 alike"]


def test_a_staircase_cut_again_to_fill_the_room_draws_every_request_in_a_group():
    """Sixteen 20 ms waits sent 0.5 ms apart beside a 100 ms request, in eight rows: the
    coarser tolerance's groups are not whole groups of the finer one (each compared with
    its own first row), and the last one lies inside a finer group, with nowhere to cut
    it. It stays whole (it made the window's paint fail: a division by zero)."""
    ms = 1_000_000

    def one(i: int, kind: Kind, start: int, end: int) -> Lane:
        return Lane(i, "v", "ok", 200, None, start, end, (Segment(kind, start, end, "loop"),))

    lanes = [one(i, Kind.IO_WAIT, i * ms // 2, i * ms // 2 + 20 * ms) for i in range(16)]
    lanes.append(one(16, Kind.CPU, 0, 100 * ms))
    rows = TimelineRows(Trace(0, tuple(lanes), "loop"))
    for most in range(2, len(rows)):
        groups = GroupPlan(rows).groups(most)
        assert len(groups) <= most, most
        covered = [row for group in groups for row in range(group.first, group.last + 1)]
        assert covered == list(range(len(rows))), most


def test_an_empty_band_gives_way_to_the_threads_row_under_it_when_only_one_is_named(qapp):
    """Lesson 15's details at 1280×720: A's four rows in 13 px each, the bands named and not
    the one row of its eight computing threads, which sat under "awaiting on the loop", a
    band with nothing on it (its views are sync): a class read the threads as awaits."""
    rows = fit_rows(_rows(15, 0, "workers"), 4)
    assert rows.labels[2:] == ["awaiting on the loop", "threads 1–8 overlaid"]
    font = QFont()
    font.setPixelSize(16)
    geo = layout(QRectF(0, 0, 1200, 100), rows, font, 0, 1)
    assert geo.row_px < QFontMetricsF(font).height()
    named = [label.text for label in place_labels(geo, rows, QFontMetricsF(font))]
    assert "threads 1–8 overlaid" in named and "awaiting on the loop" not in named
    # With room for both, both are named: lesson 9's B points at its empty band.
    geo = layout(QRectF(0, 0, 1200, 140), rows, font, 0, 1)
    named = [label.text for label in place_labels(geo, rows, QFontMetricsF(font))]
    assert {"threads 1–8 overlaid", "awaiting on the loop"} <= set(named)


def test_the_labels_kept_for_rows_alike_follow_whether_a_band_draws_anything(qapp):
    """The labels placed last are reused for rows with the same labels and place (a live
    run's frames): once the empty band holds a bar, it is named before the threads again."""
    rows = fit_rows(_rows(15, 0, "workers"), 4)
    font = QFont()
    font.setPixelSize(16)
    geo = layout(QRectF(0, 0, 1200, 100), rows, font, 0, 1)
    bare = [label.text for label in labels_of(geo, rows, font)]
    band = rows.labels.index("awaiting on the loop")
    spans = rows.spans
    one = replace(spans, row=spans.row.copy())
    one.row[0] = band  # the same rows, but a bar on the band
    held = replace(rows, _spans=one)
    named = [label.text for label in labels_of(geo, held, font)]
    assert "threads 1–8 overlaid" in bare and "awaiting on the loop" not in bare
    assert "awaiting on the loop" in named


def test_the_words_of_rows_that_stand_for_several_are_what_the_key_explains(qapp):
    from app.timeline.grouping import grouped_words
    from app.timeline.legend import legend_layout, marks_shown, whole_label

    staircase = TimelineRows(Trace(0, tuple(_lane(i, 100 * i, 100) for i in range(10))))
    same = TimelineRows(Trace(0, tuple(_lane(i, 0, 100) for i in range(10))))
    assert grouped_words(fit_rows(staircase, 5)) == {"overlaid"}
    assert grouped_words(fit_rows(same, 5)) == {"alike"}
    assert grouped_words(fit_rows(same, 10)) == frozenset()  # a row each: nothing to say
    marks = marks_shown([same.trace], True, False, {"overlaid", "alike"})
    assert marks.shown()[-2:] == ["alike", "overlaid"]
    font = QFont()
    font.setPixelSize(16)
    plain = marks_shown([same.trace], True, False)
    kinds = ["queued", "io_blocking", "framework"]
    seen: dict[str, set[str]] = {"alike": set(), "overlaid": set()}
    for width in range(200, 2400, 40):
        rect = QRectF(0, 0, width, 200)
        placed, height = legend_layout(rect, font, kinds, marks=marks)
        # The words take no line of the lanes': the key is as tall with them as without
        # (a key that took a line for them, or lost one, flipped the lanes' rows, review47).
        assert height == legend_layout(rect, font, kinds, marks=plain)[1], width
        for what, label in placed:
            if what in seen:
                seen[what].add(label.text)
    # Whole where a line has room, short where only that fits; the two say different
    # things (both read "several in one row", teacher47).
    assert seen["alike"] >= {
        whole_label("alike"),
        "alike: did the same, one row",
    }
    assert whole_label("alike") == "alike: several that did about the same, in one row"
    assert seen["overlaid"] >= {
        "overlaid: several drawn over each other in one row",
        "overlaid: drawn over each other",
    }


def test_the_window_s_key_explains_the_word_of_its_rows_of_several(window, qtbot):
    from app.session import Side
    from app.session.state import Kept
    from simulator.metrics.summary import summarize
    from simulator.scenario import Scenario
    from simulator.trace import Run

    trace = Trace(0, tuple(_lane(i, 0, 100) for i in range(60)))  # sixty alike requests
    run = Run(Scenario(view="sync_io", requests=60), trace, summarize(trace))
    window.session.restore(
        Kept({Side.A: run, Side.B: None}, {Side.A: [], Side.B: []}, Side.A, None)
    )
    qtbot.waitUntil(lambda: window.timeline.drawn_kinds is not None)
    assert window.legend.marks.grouped == frozenset()  # at the desk, a row each
    for timeline in window.timelines.values():
        timeline.set_row_floor(12.0)  # (presentation mode's floor: the rows do not fit)
    qtbot.waitUntil(lambda: window.legend.marks.grouped == {"alike"}, timeout=3000)
    assert window.timeline.rows.labels[-1].endswith("alike")
    assert "alike: " in " ".join(label.text for label in window.legend.placed())


def test_a_slide_s_key_explains_the_word_of_its_rows_of_several(qapp):
    from app.slides.layout import layout_slide

    runs = [run_from_data(data, 0) for data in load_runs(9)[1]]  # A and B: B's thirty threads
    slide = layout_slide(runs, size=(1280, 720), by="workers")
    labels = [label for block in slide.timelines for label in block.rows.labels]
    words = {label.rsplit(" ", 1)[-1] for label in labels} & {"alike", "overlaid"}
    assert words and slide.marks.grouped == words
    # A's few rows, alone on a big slide: each its own, nothing to explain.
    alone = layout_slide(runs[:1], size=(1920, 1080), by="workers")
    assert not any(
        label.endswith(("alike", "overlaid")) for label in alone.timelines[0].rows.labels
    )
    assert alone.marks.grouped == frozenset()
