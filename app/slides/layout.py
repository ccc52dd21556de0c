"""Where everything on a slide goes, in logical pixels of its size.

The second of a slide's three steps: :func:`layout_slide` places the text of
:mod:`app.slides.text`, each run's timeline (two runs share one time axis, so the faster one
visibly ends sooner), the colour key and the figures. Fonts are sized for a 1600×900 slide
and scale with it. ``timelines[i].geometry`` is what the timeline painter uses, so a test
can find any lane's pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QGuiApplication, QImage, QPainter

from app.headless import ensure_gui_application
from app.slides.text import SlideText, checked_runs, slide_text
from app.theme import LIGHT, Theme
from app.timeline.drawn import hairlines_of
from app.timeline.figure_bar import FigureBar, figure_bars
from app.timeline.geometry import label_width
from app.timeline.grouping import fit_rows, grouped_words
from app.timeline.labels import named_row_px
from app.timeline.legend import Marks, legend_kinds, marks_shown
from app.timeline.notes import errors_fit_under, errors_under_height
from app.timeline.paint import MAX_ROW_PX, TimelineGeometry, TimelineRows, draw_legend, layout
from app.timeline.painted import painted
from app.timeline.rows import by_value, picture_end_ns
from simulator.errors import LanesError
from simulator.trace import Run

__all__ = [
    "BASE_H",
    "BASE_W",
    "WRAP",
    "SlideFonts",
    "SlideLayout",
    "TimelineBlock",
    "layout_slide",
    "wrapped_height",
]

#: The slide every size is measured against: at 1600×900 the title is 28 px, body text 16-18 px.
BASE_W, BASE_H = 1600, 900

WRAP = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


def wrapped_height(font: QFont, text: str, width: float) -> float:
    box = QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 100_000), WRAP, text)
    return max(box.height(), QFontMetricsF(font).height())


@dataclass(frozen=True)
class SlideFonts:
    title: QFont
    subtitle: QFont
    heading: QFont
    body: QFont
    metrics: QFont
    verdict: QFont


def _family() -> str:
    families = QFontDatabase.families()
    for name in ("DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Helvetica"):
        if name in families:
            return name
    return QGuiApplication.font().family()


def _fonts(k: float) -> SlideFonts:
    family = _family()

    def font(px: float, bold: bool = False) -> QFont:
        f = QFont(family)
        f.setPixelSize(max(6, round(px * k)))
        f.setBold(bold)
        return f

    return SlideFonts(
        title=font(28, True),
        subtitle=font(18),
        heading=font(18, True),
        body=font(16),
        metrics=font(17),
        verdict=font(22, True),
    )


@dataclass(frozen=True)
class TimelineBlock:
    """One run's part of the slide: its heading and its timeline."""

    run: Run
    rows: TimelineRows
    heading: str | None
    heading_rect: QRectF | None
    rect: QRectF
    geometry: TimelineGeometry
    end_label_rect: QRectF
    #: The lesson's figure of this run as a bar at the right of its heading, or ``None``.
    bar: FigureBar | None = None
    #: The rows are laid out for this many (``paint_timeline``'s ``rows_room``): more than
    #: there are where the failed requests' errors are written under the last lane.
    rows_room: int = 0


@dataclass(frozen=True)
class SlideLayout:
    """Where everything goes, in logical pixels of a ``size`` slide.

    ``timelines[i].geometry`` is what :func:`~app.timeline.paint.paint_timeline` uses to
    place run ``i``'s lanes, so a test can find any lane's pixels.
    """

    size: QSize
    text: SlideText
    fonts: SlideFonts
    t_span_ns: int
    #: The label column's width, shared by A and B so one instant sits at one x in both.
    label_px: float
    kinds: tuple[str, ...]
    #: Of them, those the lanes draw only as hairlines (the key says so).
    hairlines: frozenset[str]
    #: The marks the legend explains besides the kinds (the loop-blocked strip's red, the
    #: mark where a lane got its answer).
    marks: Marks
    title_rect: QRectF
    subtitle_rect: QRectF | None
    timelines: tuple[TimelineBlock, ...]
    legend_rect: QRectF
    note_rect: QRectF | None
    metrics_rects: tuple[QRectF, ...]
    verdict_rect: QRectF | None


def _legend_height(
    width: float,
    theme: Theme,
    font: QFont,
    kinds: Sequence[str],
    marks: Marks,
    thin: frozenset[str],
) -> float:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    rect = QRectF(0, 0, width, 10_000)
    height = draw_legend(painter, rect, theme, font, kinds, marks=marks, thin=thin)
    painter.end()
    return height


def _lanes_shares(
    room: float, need: list[float], all_rows: list[TimelineRows], named: float
) -> list[float]:
    """How tall each timeline's lanes are when all of them do not fit at full rows: in
    proportion to their rows, but a timeline of a few rows gets rows tall enough to be named
    (``named``) where that takes at most its half of the room. Lesson 9's A (four rows: the
    queue, the loop, the await band, Django's threads) got the 12 px rows of B's 33 threads,
    and its labels could not all be written in a readable size; B gives up a few pixels."""
    shares = [room * n / sum(need) for n in need]
    floor = [len(rows) * named for rows in all_rows]
    raised = [
        i
        for i, (share, low) in enumerate(zip(shares, floor, strict=True))
        if share < low <= room / len(shares)
    ]
    if not raised or len(raised) == len(shares):
        return shares
    left = room - sum(floor[i] for i in raised)
    rest = sum(n for i, n in enumerate(need) if i not in raised)
    return [floor[i] if i in raised else left * n / rest for i, n in enumerate(need)]


def _named_rows(rows: TimelineRows, lanes_h: float, named: float) -> TimelineRows:
    """``rows`` as drawn in ``lanes_h`` pixels: all of them where each gets ``named``
    pixels (a line of the smallest label), else alike neighbours sharing rows
    (:func:`~app.timeline.grouping.fit_rows`, the window's rule in presentation mode)."""
    room = max(1, int(lanes_h // named))
    return rows if len(rows) <= room else fit_rows(rows, room)


def _room_for_errors(
    rect: QRectF, rows: TimelineRows, font: QFont, span: tuple[int, int], label_px: float
) -> tuple[TimelineGeometry, int]:
    """The timeline's geometry in ``rect``, its rows laid out for as many more as leave its
    failed requests' errors room under the last lane (:func:`~app.timeline.notes.
    errors_fit_under`), and that many; its rows alone where even a few more leave none."""
    fm = QFontMetricsF(font)
    geometry = layout(rect, rows, font, *span, label_px=label_px)
    if not rows.error_texts or errors_fit_under(fm, geometry, rows):
        return geometry, 0
    for room in range(len(rows) + 1, 2 * len(rows) + 9):
        wider = layout(rect, rows, font, *span, label_px=label_px, room=room)
        if errors_fit_under(fm, wider, rows):
            return wider, room
    return geometry, 0


#: Layouts tried at most for a key that names what the lanes' pixels show (a key of fewer
#: kinds may take fewer lines, and the rows the room it leaves: two, nearly always).
_LAYOUTS = 4


def layout_slide(
    runs: Sequence[Run],
    *,
    title: str | None = None,
    size: tuple[int, int] = (BASE_W, BASE_H),
    theme: Theme = LIGHT,
    by: str = "requests",
    subtitle: str | None = None,
    verdict_text: str | None = None,
    figure: str | None = None,
    every_run: Sequence[Sequence[Run]] | None = None,
) -> SlideLayout:
    """Decide where the title, timelines, legend, figures and verdict go; ``by`` lays the
    lanes out per request or per worker (see :class:`~app.timeline.rows.TimelineRows`);
    a lesson's ``figure`` leads each line of figures. ``every_run``: each side's runs (the
    one drawn among them) where a side was measured several times, so its figure bar writes
    the median and the range, as the verdict and the window do; by default each side's one.

    The key names the kinds the lanes' pixels show as laid out (:func:`~app.timeline.
    painted.painted`, the window's rule): lesson 21's key named "waiting for the GIL"
    for a 0.56 ms sliver the next bar was painted over; and says which of them are drawn
    only as hairlines (the window's rule too). It is laid out again with that key (its
    lines give the rows their room) until the two agree."""
    runs = checked_runs(runs)
    traces = [run.trace for run in runs]
    all_rows = [TimelineRows(run.trace, by=by) for run in runs]
    kinds = legend_kinds(traces, by)  # what the lanes hold: the first layout's key
    thin: frozenset[str] = frozenset()
    for _ in range(_LAYOUTS):
        slide = _layout(
            runs,
            all_rows,
            (kinds, thin),
            title=title,
            size=size,
            theme=theme,
            by=by,
            subtitle=subtitle,
            verdict_text=verdict_text,
            figure=figure,
            every_run=every_run,
        )
        drawn = [painted(b.rows, b.geometry) for b in slide.timelines]
        kinds = legend_kinds(traces, by, frozenset().union(*(d.kinds() for d in drawn)))
        thin = hairlines_of(((d.hairlines(), d.wide()) for d in drawn), kinds)
        if (kinds, thin) == (slide.kinds, slide.hairlines):
            break
    return slide


def _layout(
    runs: Sequence[Run],
    all_rows: list[TimelineRows],
    key: tuple[tuple[str, ...], frozenset[str]],
    *,
    title: str | None,
    size: tuple[int, int],
    theme: Theme,
    by: str,
    subtitle: str | None,
    verdict_text: str | None,
    figure: str | None,
    every_run: Sequence[Sequence[Run]] | None,
) -> SlideLayout:
    """:func:`layout_slide` with the key's kinds (and of them those drawn only as
    hairlines) and the runs' rows given."""
    kinds, thin = key
    sides = [list(side) for side in every_run] if every_run is not None else [[r] for r in runs]
    if len(sides) != len(runs) or not all(sides):
        raise LanesError(f"{len(runs)} runs drawn, but the runs of {len(sides)} sides given")
    ensure_gui_application()
    width, height = size
    if width < 100 or height < 60:
        raise LanesError(f"a picture must be at least 100×60 pixels, not {width}×{height}")
    k = min(width / BASE_W, height / BASE_H)
    fonts = _fonts(k)
    text = slide_text(
        runs,
        title=title,
        subtitle=subtitle,
        verdict_text=verdict_text,
        figure=figure,
        every_run=every_run,
    )
    left, right = 44 * k, width - 44 * k
    inner = right - left

    def line(font: QFont) -> float:
        return QFontMetricsF(font).height()

    def lines(font: QFont, content: str) -> float:
        """The height of ``content`` wrapped at word boundaries to the slide's width."""
        return wrapped_height(font, content, inner)

    y = 28 * k
    title_rect = QRectF(left, y, inner, lines(fonts.title, text.title))
    y = title_rect.bottom() + 2 * k
    subtitle_rect = None
    if text.subtitle:
        subtitle_rect = QRectF(left, y, inner, lines(fonts.subtitle, text.subtitle))
        y = subtitle_rect.bottom()
    y += 16 * k

    marks = marks_shown([run.trace for run in runs], by_value(by) == "requests", False)
    legend_h = _legend_height(inner, theme, fonts.body, kinds, marks, thin)
    metric_gap = line(fonts.metrics) * 0.3
    metric_hs = [lines(fonts.metrics, m) + metric_gap for m in text.metrics]
    verdict_h = lines(fonts.verdict, text.verdict) + 8 * k if text.verdict else 0.0
    note_h = line(fonts.body) + 2 * k if text.note else 0.0
    footer_h = 8 * k + legend_h + note_h + 10 * k + sum(metric_hs) + verdict_h
    bottom = height - 24 * k

    # The timelines share what is left: each wants full-height rows, and gets less if it must.
    span = max(max(picture_end_ns(run.trace) - run.trace.t0_ns for run in runs), 10_000_000)
    span = int(span * 1.03)
    label_px = max(label_width(rows, fonts.body) for rows in all_rows)
    heading_h = line(fonts.heading) + 4 * k if text.headings else 0.0
    end_label_h = line(fonts.body) + 4 * k  # "last answer 5.02 s", under the lanes
    gap = 16 * k
    fixed, widths = [], []
    for run, rows in zip(runs, all_rows, strict=True):
        probe = layout(
            QRectF(left, 0, inner, 10_000),
            rows,
            fonts.body,
            run.trace.t0_ns,
            run.trace.t0_ns + span,
            label_px=label_px,
        )
        fixed.append(probe.lanes_top)
        widths.append(probe.lanes_width)
    row_px = MAX_ROW_PX * min(k, 1.0)
    body = QFontMetricsF(fonts.body)
    wanted = [
        f + max(1, len(rows)) * row_px + errors_under_height(body, rows, row_px, width)
        for f, rows, width in zip(fixed, all_rows, widths, strict=True)
    ]
    room = bottom - y - footer_h - len(runs) * (heading_h + end_label_h) - gap * (len(runs) - 1)
    if sum(wanted) <= room:
        heights = wanted
    else:
        lanes_room = max(0.0, room - sum(fixed))
        need = [w - f for w, f in zip(wanted, fixed, strict=True)]
        shares = _lanes_shares(lanes_room, need, all_rows, named_row_px(fonts.body, 0.0))
        heights = [f + share for f, share in zip(fixed, shares, strict=True)]
    # Rows too thin to be named share one with their alike neighbours, as presentation
    # mode's do (lesson 9's 30 threads were named "thread 2, thread 4, …", each label
    # between two rows, its queue band unnamed), and the labels' column fits their names.
    named = named_row_px(fonts.body, 0.0)
    all_rows = [
        _named_rows(rows, h - f, named) for rows, h, f in zip(all_rows, heights, fixed, strict=True)
    ]
    label_px = max(label_width(rows, fonts.body) for rows in all_rows)
    # (The key explains the words of rows of several in the room it has: legend_layout.)
    marks = replace(marks, grouped=frozenset().union(*map(grouped_words, all_rows)))
    # White to spare: a little above the lanes, the rest below everything.
    y += min(max(0.0, room - sum(heights)) * 0.3, 48 * k)
    blocks = []
    summaries = [[run.summary for run in side] for side in sides]
    bars = figure_bars(summaries, figure) if text.headings else ()
    for i, (run, rows) in enumerate(zip(runs, all_rows, strict=True)):
        heading = text.headings[i] if text.headings else None
        heading_rect = None
        if heading:
            heading_rect = QRectF(left, y, inner, line(fonts.heading))
            y += heading_h
        rect = QRectF(left, y, inner, heights[i])
        geometry, rows_room = _room_for_errors(
            rect, rows, fonts.body, (run.trace.t0_ns, run.trace.t0_ns + span), label_px
        )
        end_label_rect = QRectF(left, rect.bottom() + 2 * k, inner, line(fonts.body))
        blocks.append(
            TimelineBlock(
                run,
                rows,
                heading,
                heading_rect,
                rect,
                geometry,
                end_label_rect,
                bars[i] if bars else None,
                rows_room,
            )
        )
        y = rect.bottom() + end_label_h + (gap if i + 1 < len(runs) else 0)
    y += 8 * k
    legend_rect = QRectF(left, y, inner, legend_h)
    y = legend_rect.bottom()
    note_rect = None
    if text.note:
        note_rect = QRectF(left, y, inner, line(fonts.body))
        y += note_h
    y += 10 * k
    metrics_rects = []
    for metric_h in metric_hs:
        metrics_rects.append(QRectF(left, y, inner, metric_h))
        y += metric_h
    verdict_rect = None
    if text.verdict:
        verdict_rect = QRectF(left, y + 8 * k, inner, lines(fonts.verdict, text.verdict))
    return SlideLayout(
        size=QSize(width, height),
        text=text,
        fonts=fonts,
        t_span_ns=span,
        label_px=label_px,
        kinds=kinds,
        hairlines=thin,
        marks=marks,
        title_rect=title_rect,
        subtitle_rect=subtitle_rect,
        timelines=tuple(blocks),
        legend_rect=legend_rect,
        note_rect=note_rect,
        metrics_rects=tuple(metrics_rects),
        verdict_rect=verdict_rect,
    )
