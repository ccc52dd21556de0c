"""A failed request's error is written in room no bar takes: lesson 12's four short lanes
were hidden under their own error boxes (each box moved left to fit the lanes), and in the
thread view #1's box covered the loop's later requests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter

from app.theme import LIGHT
from app.timeline.error_label import NARROWEST, error_room
from app.timeline.paint import paint_timeline
from app.timeline.rows import TimelineRows
from embedded_site.lesson_views import LESSON_VIEWS
from simulator.trace import Kind, Lane, Segment, Trace

from .answered_lanes import answered
from .kind_pixels import looks_like

MS = 1_000_000
LOOP = "asgi-loop"
ERROR = next(view.expected_error for view in LESSON_VIEWS if view.name == "missing_await_bug")


def _lesson_12_like(n: int = 4) -> Trace:
    """``n`` requests run on the loop one after another (1 ms each) and fail with Django's
    long unawaited-coroutine error; Django tidies up after each at 5 ms (a faint tail)."""
    lanes = []
    for i in range(n):
        tidy = (50 + 2 * i) * MS // 10
        segs = (
            Segment(Kind.FRAMEWORK, i * MS, (i + 1) * MS, LOOP),
            Segment(Kind.FRAMEWORK, tidy, tidy + MS // 10, LOOP),
        )
        lanes.append(Lane(i, "v", "error", 500, ERROR, 0, (i + 1) * MS, segs))
    return Trace(0, tuple(lanes), LOOP)


def _paint(rows: TimelineRows, width: int = 900, height: int = 400):
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(16)
    painter.setFont(font)
    geo = paint_timeline(
        painter, QRectF(0, 0, width, height), rows, LIGHT, t_from_ns=0, t_to_ns=10 * MS, font=font
    )
    painter.end()
    return image, geo


def _bar_middles(rows: TimelineRows, geo):
    """Each work bar (not a faint tail) as ``(row, x of its middle, y of its row's middle)``."""
    for items in rows.per_kind.values():
        for row, s, e in items:
            yield row, geo.x_of((s + e) // 2), geo.row_top(row) + geo.row_px / 2


@pytest.mark.parametrize("by", ["requests", "workers"])
def test_the_bars_an_error_labels_still_show_under_it(qapp, by):
    rows = TimelineRows(_lesson_12_like(), by=by)
    image, geo = _paint(rows)
    assert geo.notes, "no error written at all"
    assert all(" failed: ValueError: " in note.text for note in geo.notes)
    if by == "requests":  # too long to fit whole beside a lane: once, under them, named
        assert [note.row for note in geo.notes] == [None]
        assert geo.notes[0].text.startswith("#1, #2, #3 and #4 failed: ValueError: ")
        assert geo.notes[0].text.endswith("…")  # its start whole, its end given up
    for row, x, y in _bar_middles(rows, geo):
        # What the class sees where each request ran on the loop: its bar, not a white box.
        assert looks_like(image.pixelColor(round(x), round(y)), Kind.FRAMEWORK), (by, row, x)
    for note in geo.notes:
        for row, s, e in (item for items in rows.per_kind.values() for item in items):
            if row == note.row:
                assert not note.rect.intersects(
                    QRectF(geo.x_of(s), note.rect.top(), geo.x_of(e) - geo.x_of(s), 1)
                ), (note.text, s, e)
        assert note.rect.right() <= geo.lanes_left + geo.lanes_width + 0.5


def test_errors_with_no_room_beside_their_lanes_are_written_under_them_once(qapp):
    """Lanes that take the whole axis (lesson 11: every request fails at the end) leave no
    room beside them: their error is written once under the last lane, naming each request,
    and no bar is covered."""
    lanes = tuple(
        Lane(i, "v", "error", 500, ERROR, 0, 10 * MS, (Segment(Kind.CPU, 0, 10 * MS, LOOP),))
        for i in range(3)
    )
    rows = TimelineRows(Trace(0, lanes, LOOP), by="requests")
    image, geo = _paint(rows)
    assert [note.text.split(": ")[0] for note in geo.notes] == ["#1, #2 and #3 failed"]
    (note,) = geo.notes
    assert note.rect.top() >= geo.row_top(3)
    assert note.rect.bottom() <= geo.lanes_top + geo.lanes_height
    x = round(geo.x_of(5 * MS))
    for row in range(3):
        assert looks_like(image.pixelColor(x, round(geo.row_top(row) + geo.row_px / 2)), Kind.CPU)


def test_the_note_on_django_s_clean_up_is_not_written_over_the_lanes(qapp):
    """Lesson 11: the lanes run to the right edge and Django tidies up long after; the note
    saying so goes lower down, where no bar is, not over the last lanes' ends."""
    lanes = tuple(
        answered(
            i,
            0,
            10 * MS,
            Segment(Kind.CPU, 0, 10 * MS, LOOP),
            Segment(Kind.FRAMEWORK, 10 * MS, 19 * MS, LOOP),
        )
        for i in range(4)
    )
    rows = TimelineRows(Trace(0, lanes, LOOP), by="requests")
    image, geo = _paint(rows)
    (note,) = [note for note in geo.notes if "clean-up" in note.text]
    assert note.rect.top() >= geo.row_top(4) - 0.5
    x = round(geo.x_of(9 * MS))
    for row in range(4):
        assert looks_like(image.pixelColor(x, round(geo.row_top(row) + geo.row_px / 2)), Kind.CPU)


def test_the_room_for_an_error_is_after_its_lane_else_the_widest_clear_one(qapp):
    fm = QFontMetricsF(QFont())
    least = fm.horizontalAdvance(NARROWEST) + 10
    # Room after the lane's end, up to the next bar.
    assert error_room(fm, [(0, 100), (100 + 3 * least, 900)], 0, 1000, 100) == (
        102,
        100 + 3 * least - 1,
    )
    # Too little after it: the widest room on the row, wherever it is.
    assert least < 500
    room = error_room(fm, [(0, 100), (110, 200), (300, 400)], 0, 1000, 100)
    assert room == (401, 1000)
    # No room anywhere.
    assert error_room(fm, [(0, 1000)], 0, 1000, 1000) is None


def test_the_line_under_the_lanes_names_who_failed(qapp):
    from app.timeline.notes import _who

    assert _who(["#1"]) == "#1"
    assert _who(["#1", "#2"]) == "#1 and #2"
    assert _who(["#1", "#2", "#3", "#4"]) == "#1, #2, #3 and #4"
    assert _who([f"#{i}" for i in range(1, 13)]) == "#1, #2, #3 and 9 more"


def test_an_error_cut_to_less_than_its_exception_goes_whole_under_the_lanes(qapp):
    """Lesson 11 at 720p: "#1 failed: …sync_to_async." beside #1 lost the very name the
    lesson is about; with room under the lanes, it is written there, named."""
    error = (
        "SynchronousOnlyOperation: You cannot call this from an async context - use a thread"
        " or sync_to_async."
    )
    segs = (Segment(Kind.FRAMEWORK, 0, 6 * MS, LOOP),)
    rows = TimelineRows(Trace(0, (Lane(0, "v", "error", 500, error, 0, 6 * MS, segs),), LOOP))
    image, geo = _paint(rows)
    (note,) = geo.notes
    assert note.row is None and note.rect.top() >= geo.row_top(1)
    assert note.text.startswith("#1 failed: SynchronousOnlyOperation: ")


def test_an_error_that_fits_beside_its_lane_is_written_there(qapp):
    segs = (Segment(Kind.FRAMEWORK, 0, 2 * MS, LOOP),)
    lanes = tuple(Lane(i, "v", "error", 500, "HTTP 500", 0, 2 * MS, segs) for i in range(2))
    image, geo = _paint(TimelineRows(Trace(0, lanes, LOOP)))
    assert [(note.row, note.text) for note in geo.notes] == [
        (0, "#1 failed: HTTP 500"),
        (1, "#2 failed: HTTP 500"),
    ]
    assert all(note.rect.left() > geo.x_of(2 * MS) for note in geo.notes)


def test_the_note_on_django_s_clean_up_is_written_over_many_lanes_where_only_tails_are(qapp):
    """10,000 requests share each pixel row: the note still goes where, row by row, no bar
    of work is (here over the first lanes' faint tails), never over the others' bars."""

    def lane(i: int, answered_ms: int) -> Lane:
        cpu = Segment(Kind.CPU, 0, answered_ms * MS, LOOP)
        tidy = Segment(Kind.FRAMEWORK, answered_ms * MS, 19 * MS, LOOP)
        return Lane(i, "v", "ok", 200, None, 0, answered_ms * MS, (cpu, tidy))

    lanes = tuple(lane(i, 4 if i < 1000 else 10) for i in range(2000))
    rows = TimelineRows(Trace(0, lanes, LOOP), by="requests")
    image, geo = _paint(rows)
    assert geo.group > 1
    (note,) = [note for note in geo.notes if "clean-up" in note.text]
    assert note.rect.bottom() <= geo.row_top(1000) + 0.5
    x = round(geo.x_of(9 * MS))
    assert looks_like(image.pixelColor(x, round(geo.row_top(1500))), Kind.CPU)


def test_the_clean_up_note_takes_its_short_wording_where_only_that_finds_room(qapp):
    """Lesson 9 in presentation mode: every row has work near the right edge but the first,
    free for its last 3 ms only; the long note had no room and nothing was written, the
    replay's clock running past the axis unexplained. The short one goes there."""

    def lane(i: int, answered_ms: int) -> Lane:
        cpu = Segment(Kind.CPU, 0, answered_ms * MS, LOOP)
        tidy = Segment(Kind.FRAMEWORK, answered_ms * MS, 19 * MS, LOOP)
        return Lane(i, "v", "ok", 200, None, 0, answered_ms * MS, (cpu, tidy))

    lanes = tuple(lane(i, 7 if i == 0 else 10) for i in range(12))
    rows = TimelineRows(Trace(0, lanes, LOOP), by="requests")
    image, geo = _paint(rows)
    (note,) = [note for note in geo.notes if "clean-up" in note.text]
    assert note.text == "clean-up to 19 ms →"
    assert note.rect.bottom() <= geo.row_top(1) + 0.5 and note.rect.left() >= geo.x_of(7 * MS)
    x = round(geo.x_of(9 * MS))
    assert looks_like(image.pixelColor(x, round(geo.row_top(1) + geo.row_px / 2)), Kind.CPU)


def test_an_error_too_long_for_its_line_under_the_lanes_takes_two_where_there_is_room(qapp):
    """Lesson 12 at 1280×720, its error under its four lanes cut in the middle to one line,
    read "ValueError: The view … an unawaited coroutine instead", without "didn't return an
    HttpResponse object", the part its answer echoes, over a screen of empty room."""
    rows = TimelineRows(_lesson_12_like())
    _, geo = _paint(rows, width=900)
    (note,) = geo.notes
    first, second = note.text.split("\n")
    assert first.startswith("#1, #2, #3 and #4 failed: ValueError: The view"), note.text
    assert "didn't return an HttpResponse object" in note.text, note.text
    assert "unawaited coroutine" in note.text, note.text
    fm = QFontMetricsF(_font())
    assert max(fm.horizontalAdvance(first), fm.horizontalAdvance(second)) <= note.rect.width()
    assert note.rect.height() >= 2 * fm.height()
    # With room for one line only under the lanes, one line, cut as before.
    _, low = _paint(rows, width=900, height=290)
    (one,) = low.notes
    assert one.row is None and "\n" not in one.text and one.text.endswith("…"), one.text


def _font() -> QFont:
    font = QFont()
    font.setPixelSize(16)
    return font
