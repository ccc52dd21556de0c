"""A run, or two runs side by side, as one picture for a slide: PNG, SVG or PDF.

The picture is a slide a teacher can project: a title, the dials of each run, each run's
timeline (two runs share one time axis, so the faster one visibly ends sooner), the colour key,
the key figures of each run, and for two runs the verdict of
:func:`simulator.metrics.verdict.verdict`.
The timelines are painted by :mod:`app.timeline_paint`, the painter behind the window.

Three steps, each usable on its own (the tests use the first two):

- :func:`slide_text` decides every line of text;
- :func:`layout_slide` decides where everything goes, in logical pixels of ``size``;
- :func:`paint_slide` paints it with any ``QPainter``.

:func:`export_picture` does all three for a file, choosing the format by the file's suffix.
In an SVG, each request lane is one group, ``<g id="lane-N" class="lane">`` (``a-lane-N`` and
``b-lane-N`` in a comparison), so a slide tool or a script can pick lanes apart.
"""

from __future__ import annotations

import math
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from simulator.catalog import lesson_views
from simulator.errors import LanesError
from simulator.metrics.verdict import verdict
from simulator.trace import Run

from .theme import LEGEND_KINDS, LIGHT, Theme
from .timeline_paint import (
    MAX_ROW_PX,
    TimelineGeometry,
    TimelineRows,
    draw_legend,
    format_ms,
    layout,
    paint_timeline,
)

__all__ = [
    "FORMATS",
    "TAIL_NOTE",
    "SlideLayout",
    "SlideText",
    "TimelineBlock",
    "ensure_gui_application",
    "export_picture",
    "layout_slide",
    "metrics_line",
    "paint_slide",
    "slide_text",
]

#: The suffixes :func:`export_picture` writes.
FORMATS = (".png", ".svg", ".pdf")

#: The slide every size is measured against: at 1600×900 the title is 28 px, body text 16-18 px.
_BASE_W, _BASE_H = 1600, 900
_SVG_NS = "http://www.w3.org/2000/svg"
_LANE_TAG = "lanes-export-lane-"  # a font family no font has: marks each lane in the SVG
_LETTERS = "AB"

_app: QGuiApplication | None = None  # kept alive for the process when we had to make one


# --- text ------------------------------------------------------------------------------------


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


def _ms(ms: float) -> str:
    return "0 ms" if ms == 0 else format_ms(ms)


def _rate(rps: float) -> str:
    return f"{rps:.0f}" if rps >= 100 else f"{rps:#.3g}".rstrip(".")  # 2.00, 19.1, 0.500


def metrics_line(run: Run) -> str:
    """The key figures of ``run`` on one line, e.g. ``makespan 1.61 s · p95 1.54 s · ...``."""
    s = run.summary
    parts = [
        f"makespan {_ms(s.makespan_ms)}",
        f"p95 {_ms(s.latency_ms['p95'])}",
        f"{_rate(s.throughput_rps)} req/s",
        f"peak in flight {s.peak_in_flight}",
        f"threads {s.threads_used}",
        f"loop blocked {_ms(s.loop_blocked_ms)}",
        f"framework {_ms(s.framework_ms_per_request)}/req",
    ]
    if s.failed:
        parts.append(f"{s.failed} failed")
    if s.cancelled:
        parts.append(f"{s.cancelled} cancelled")
    if run.stopped:
        parts.append("stopped early")
    return " · ".join(parts)


def _label(run: Run) -> str:
    return run.scenario.label


def slide_text(runs: Sequence[Run], *, title: str | None = None) -> SlideText:
    """The slide's text for one run, or for runs A and B."""
    runs = _checked_runs(runs)
    if len(runs) == 1:
        (run,) = runs
        if title:
            subtitle = _label(run)
        else:
            title = _label(run)
            subtitle = lesson_views()[run.scenario.view].description
        return SlideText(title, subtitle, (), (metrics_line(run),), None, _note(runs))
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
        tuple(f"{letter}: {_label(run)}" for letter, run in zip(_LETTERS, runs, strict=False)),
        tuple(
            f"{letter}: {metrics_line(run)}" for letter, run in zip(_LETTERS, runs, strict=False)
        ),
        verdict(a, b),
        _note(runs),
    )


#: Under the key when some lane has a thin bar (see ``TimelineRows.tail_per_kind``).
TAIL_NOTE = "Thin bars: Django still at work for a request after its answer was sent."


def _note(runs: Sequence[Run]) -> str | None:
    """:data:`TAIL_NOTE` if some thin bar is long enough to see (1/700 of the time axis)."""
    span = max((run.trace.last_ns - run.trace.t0_ns for run in runs), default=0)
    visible = any(
        (lane.end_ns - lane.done_ns) * 700 >= span
        for run in runs
        for lane in run.trace.lanes
        if lane.segments
    )
    return TAIL_NOTE if span > 0 and visible else None


def _checked_runs(runs: Sequence[Run]) -> list[Run]:
    runs = list(runs)
    if len(runs) not in (1, 2):
        raise LanesError(f"a picture shows one run or two (A and B), not {len(runs)}")
    return runs


# --- layout ----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SlideLayout:
    """Where everything goes, in logical pixels of a ``size`` slide.

    ``timelines[i].geometry`` is what :func:`~app.timeline_paint.paint_timeline` uses to
    place run ``i``'s lanes, so a test can find any lane's pixels.
    """

    size: QSize
    text: SlideText
    fonts: SlideFonts
    t_span_ns: int
    kinds: tuple[str, ...]
    title_rect: QRectF
    subtitle_rect: QRectF | None
    timelines: tuple[TimelineBlock, ...]
    legend_rect: QRectF
    note_rect: QRectF | None
    metrics_rects: tuple[QRectF, ...]
    verdict_rect: QRectF | None


def _kinds_shown(runs: Sequence[Run]) -> tuple[str, ...]:
    """The legend's kinds: those some lane shows, in legend order."""
    seen = {seg.kind for run in runs for lane in run.trace.lanes for seg in lane.segments}
    if any(lane.status == "error" for run in runs for lane in run.trace.lanes):
        seen.add("error")
    return tuple(kind for kind in LEGEND_KINDS if kind in seen) or LEGEND_KINDS


def _legend_height(width: float, theme: Theme, font: QFont, kinds: Sequence[str]) -> float:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    height = draw_legend(painter, QRectF(0, 0, width, 10_000), theme, font, kinds)
    painter.end()
    return height


def layout_slide(
    runs: Sequence[Run],
    *,
    title: str | None = None,
    size: tuple[int, int] = (_BASE_W, _BASE_H),
    theme: Theme = LIGHT,
) -> SlideLayout:
    """Decide where the title, timelines, legend, figures and verdict go."""
    runs = _checked_runs(runs)
    ensure_gui_application()
    width, height = size
    if width < 100 or height < 60:
        raise LanesError(f"a picture must be at least 100×60 pixels, not {width}×{height}")
    k = min(width / _BASE_W, height / _BASE_H)
    fonts = _fonts(k)
    text = slide_text(runs, title=title)
    left, right = 44 * k, width - 44 * k
    inner = right - left

    def line(font: QFont) -> float:
        return QFontMetricsF(font).height()

    def lines(font: QFont, content: str) -> float:
        """The height of ``content`` wrapped at word boundaries to the slide's width."""
        return _wrapped_height(font, content, inner)

    y = 28 * k
    title_rect = QRectF(left, y, inner, lines(fonts.title, text.title))
    y = title_rect.bottom() + 2 * k
    subtitle_rect = None
    if text.subtitle:
        subtitle_rect = QRectF(left, y, inner, lines(fonts.subtitle, text.subtitle))
        y = subtitle_rect.bottom()
    y += 16 * k

    kinds = _kinds_shown(runs)
    legend_h = _legend_height(inner, theme, fonts.body, kinds)
    metric_gap = line(fonts.metrics) * 0.3
    metric_hs = [lines(fonts.metrics, m) + metric_gap for m in text.metrics]
    verdict_h = lines(fonts.verdict, text.verdict) + 8 * k if text.verdict else 0.0
    note_h = line(fonts.body) + 2 * k if text.note else 0.0
    footer_h = 8 * k + legend_h + note_h + 10 * k + sum(metric_hs) + verdict_h
    bottom = height - 24 * k

    # The timelines share what is left: each wants full-height rows, and gets less if it must.
    span = max(max(run.trace.last_ns - run.trace.t0_ns for run in runs), 10_000_000)
    span = int(span * 1.03)
    all_rows = [TimelineRows(run.trace, by="requests") for run in runs]
    heading_h = line(fonts.heading) + 4 * k if text.headings else 0.0
    end_label_h = line(fonts.body) + 4 * k  # "last answer 5.02 s", under the lanes
    gap = 16 * k
    fixed = []
    for run, rows in zip(runs, all_rows, strict=True):
        probe = layout(
            QRectF(left, 0, inner, 10_000),
            rows,
            fonts.body,
            run.trace.t0_ns,
            run.trace.t0_ns + span,
        )
        fixed.append(probe.lanes_top)
    row_px = MAX_ROW_PX * min(k, 1.0)
    wanted = [f + max(1, len(rows)) * row_px for f, rows in zip(fixed, all_rows, strict=True)]
    room = bottom - y - footer_h - len(runs) * (heading_h + end_label_h) - gap * (len(runs) - 1)
    if sum(wanted) <= room:
        heights = wanted
    else:
        lanes_room = max(0.0, room - sum(fixed))
        need = [w - f for w, f in zip(wanted, fixed, strict=True)]
        heights = [f + lanes_room * n / sum(need) for f, n in zip(fixed, need, strict=True)]
        for i, (run, rows) in enumerate(zip(runs, all_rows, strict=True)):
            geometry = layout(
                QRectF(left, 0, inner, heights[i]),
                rows,
                fonts.body,
                run.trace.t0_ns,
                run.trace.t0_ns + span,
            )
            if geometry.group > 1:
                # Rows share pixel rows, so the lanes take fewer pixels than they were given.
                lanes_px = math.ceil(geometry.rows / geometry.group)
                heights[i] = geometry.lanes_top + lanes_px + 1e-3  # 1e-3: no rounding down
    # White to spare: a little above the lanes, the rest below everything.
    y += min(max(0.0, room - sum(heights)) * 0.3, 48 * k)
    blocks = []
    for i, (run, rows) in enumerate(zip(runs, all_rows, strict=True)):
        heading = text.headings[i] if text.headings else None
        heading_rect = None
        if heading:
            heading_rect = QRectF(left, y, inner, line(fonts.heading))
            y += heading_h
        rect = QRectF(left, y, inner, heights[i])
        geometry = layout(rect, rows, fonts.body, run.trace.t0_ns, run.trace.t0_ns + span)
        end_label_rect = QRectF(left, rect.bottom() + 2 * k, inner, line(fonts.body))
        blocks.append(
            TimelineBlock(run, rows, heading, heading_rect, rect, geometry, end_label_rect)
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
        kinds=kinds,
        title_rect=title_rect,
        subtitle_rect=subtitle_rect,
        timelines=tuple(blocks),
        legend_rect=legend_rect,
        note_rect=note_rect,
        metrics_rects=tuple(metrics_rects),
        verdict_rect=verdict_rect,
    )


# --- painting --------------------------------------------------------------------------------


_WRAP = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


def _wrapped_height(font: QFont, text: str, width: float) -> float:
    box = QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 100_000), _WRAP, text)
    return max(box.height(), QFontMetricsF(font).height())


def _draw_line(painter: QPainter, rect: QRectF, font: QFont, colour: QColor, text: str) -> None:
    """Draw ``text`` in ``rect``, wrapped at words if it is longer than a line."""
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(rect, _WRAP, text)


def paint_slide(
    painter: QPainter,
    slide: SlideLayout,
    theme: Theme = LIGHT,
    *,
    lanes_apart: bool = False,
) -> None:
    """Paint ``slide`` in logical pixels; ``lanes_apart`` marks each lane (for SVG groups)."""
    fg, muted = QColor(theme.foreground), QColor(theme.muted)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(
        QRectF(0, 0, slide.size.width(), slide.size.height()), QColor(theme.background)
    )
    text = slide.text
    _draw_line(painter, slide.title_rect, slide.fonts.title, fg, text.title)
    if slide.subtitle_rect is not None and text.subtitle:
        _draw_line(painter, slide.subtitle_rect, slide.fonts.subtitle, muted, text.subtitle)
    for index, block in enumerate(slide.timelines):
        if block.heading_rect is not None and block.heading:
            painter.setFont(slide.fonts.heading)
            painter.setPen(fg)
            shown = QFontMetricsF(slide.fonts.heading).elidedText(
                block.heading, Qt.TextElideMode.ElideRight, block.heading_rect.width()
            )
            painter.drawText(block.heading_rect, Qt.AlignmentFlag.AlignLeft, shown)
        t0 = block.run.trace.t0_ns
        common = dict(t_from_ns=t0, t_to_ns=t0 + slide.t_span_ns, font=slide.fonts.body)
        marker = None
        if lanes_apart:
            prefix = "" if len(slide.timelines) == 1 else f"{_LETTERS[index].lower()}-"
            marker = _lane_marker(painter, slide.fonts.body, prefix)
        paint_timeline(painter, block.rect, block.rows, theme, before_lane=marker, **common)
        _paint_end_marker(painter, block, slide.fonts.body, theme)
    draw_legend(painter, slide.legend_rect, theme, slide.fonts.body, slide.kinds)
    if slide.note_rect is not None and text.note:
        _draw_line(painter, slide.note_rect, slide.fonts.body, muted, text.note)
    for rect, line in zip(slide.metrics_rects, text.metrics, strict=True):
        _draw_line(painter, rect, slide.fonts.metrics, fg, line)
    if slide.verdict_rect is not None and text.verdict:
        _draw_line(painter, slide.verdict_rect, slide.fonts.verdict, fg, text.verdict)
    painter.restore()


def _paint_end_marker(painter: QPainter, block: TimelineBlock, font: QFont, theme: Theme) -> None:
    """A dashed line where the last answer came back, labelled under the lanes."""
    geo = block.geometry
    trace = block.run.trace
    if not trace.lanes:
        return
    x = geo.x_of(trace.end_ns)
    label_rect = block.end_label_rect
    painter.save()
    pen = QPen(QColor(theme.foreground), 1.5, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawLine(QPointF(x, geo.lanes_top), QPointF(x, label_rect.top()))
    label = f"last answer {_ms(block.run.summary.makespan_ms)}"
    fm = QFontMetricsF(font)
    width = fm.horizontalAdvance(label)
    right = geo.lanes_left + geo.lanes_width
    tx = min(max(x - width / 2, geo.lanes_left), right - width)
    painter.setFont(font)
    painter.setPen(QColor(theme.foreground))
    painter.drawText(QPointF(tx, label_rect.top() + fm.ascent()), label)
    painter.restore()


def _lane_marker(painter: QPainter, font: QFont, prefix: str) -> Callable[[int], None]:
    """Tag lane ``row``'s painter state with a font family of its own
    (see :func:`_group_svg_lanes`)."""

    def mark(row: int) -> None:
        tagged = QFont(font)
        tagged.setFamily(f"{_LANE_TAG}{prefix}{row}")
        painter.setFont(tagged)

    return mark


# --- files -----------------------------------------------------------------------------------


def ensure_gui_application() -> QGuiApplication:
    """The running ``QGuiApplication``, or a new one (offscreen when there is no display)."""
    global _app
    app = QGuiApplication.instance()
    if app is not None:
        if not isinstance(app, QGuiApplication):
            raise LanesError("pictures need a QGuiApplication, and a plain QCoreApplication runs")
        return app
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["async-lanes"])
    return _app


def export_picture(
    path: str | Path,
    runs: Sequence[Run],
    *,
    title: str | None = None,
    scale: float = 1.0,
    theme: Theme = LIGHT,
    size: tuple[int, int] = (_BASE_W, _BASE_H),
) -> None:
    """Write one run, or runs A and B, as a slide: ``.png``, ``.svg`` or ``.pdf`` by suffix.

    Parameters
    ----------
    path
        Where to write; the suffix picks the format.
    runs
        One run, or two (A and B), which then share one time axis and get a verdict.
    title
        The slide's title; by default the run's dials, or what differs between A and B.
    scale
        PNG only: pixels per logical pixel (2 gives a 3200×1800 PNG of a 1600×900 slide).
    theme
        Colours (light or dark).
    size
        The slide in logical pixels; fonts are sized for 1600×900 and scale with it.

    Raises
    ------
    LanesError
        For an unknown suffix, a path that cannot be written, or a bad size or scale.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise LanesError(
            f"cannot export a picture to {path}: the name must end in .png, .svg or .pdf"
        )
    if not scale > 0 or scale > 8:
        raise LanesError(f"scale must be more than 0 and at most 8, not {scale:g}")
    slide = layout_slide(runs, title=title, size=size, theme=theme)
    if suffix == ".png":
        data = _png(slide, theme, scale)
    elif suffix == ".svg":
        data = _svg(slide, theme)
    else:
        data = _pdf(slide, theme)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise LanesError(f"cannot write {path}: {exc.strerror or exc}") from None


def _buffer() -> QBuffer:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer


def _begin(painter: QPainter, device) -> None:
    if not painter.begin(device):
        raise LanesError("could not start painting the picture")


def _png(slide: SlideLayout, theme: Theme, scale: float) -> bytes:
    w, h = slide.size.width(), slide.size.height()
    image = QImage(round(w * scale), round(h * scale), QImage.Format.Format_RGB32)
    if image.isNull():
        raise LanesError(f"a {w}×{h} picture at scale {scale:g} is too large to make")
    image.setDevicePixelRatio(scale)
    image.fill(QColor(theme.background))
    painter = QPainter()
    _begin(painter, image)
    paint_slide(painter, slide, theme)
    painter.end()
    buffer = _buffer()
    if not image.save(buffer, "PNG"):
        raise LanesError("could not encode the PNG")
    return bytes(buffer.data())


def _svg(slide: SlideLayout, theme: Theme) -> bytes:
    from PySide6.QtSvg import QSvgGenerator

    w, h = slide.size.width(), slide.size.height()
    buffer = _buffer()
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(w, h))
    generator.setViewBox(QRect(0, 0, w, h))
    generator.setResolution(96)
    generator.setTitle(slide.text.title)
    generator.setDescription("Django Async Lanes: one lane per request, time from the first send")
    painter = QPainter()
    _begin(painter, generator)
    paint_slide(painter, slide, theme, lanes_apart=True)
    painter.end()
    return _group_svg_lanes(bytes(buffer.data()), slide)


def _pdf(slide: SlideLayout, theme: Theme) -> bytes:
    w, h = slide.size.width(), slide.size.height()
    buffer = _buffer()
    writer = QPdfWriter(buffer)
    writer.setTitle(slide.text.title)
    writer.setCreator("Django Async Lanes")
    writer.setResolution(96)
    # A page the slide's shape, at 96 logical pixels to the inch (1600×900 → 1200×675 pt):
    # a portrait page size turned landscape, as printers and viewers expect of a wide page.
    short, long = sorted((w * 0.75, h * 0.75))
    page = QPageSize(
        QSizeF(short, long), QPageSize.Unit.Point, "slide", QPageSize.SizeMatchPolicy.ExactMatch
    )
    orientation = QPageLayout.Orientation.Landscape if w >= h else QPageLayout.Orientation.Portrait
    writer.setPageLayout(QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    _begin(painter, writer)
    device = painter.device()
    painter.scale(device.width() / w, device.height() / h)
    paint_slide(painter, slide, theme)
    painter.end()
    return bytes(buffer.data())


# --- SVG lane groups -------------------------------------------------------------------------


def _group_svg_lanes(data: bytes, slide: SlideLayout) -> bytes:
    """Wrap each lane's drawing in ``<g id="lane-N" class="lane">``.

    QSvgGenerator writes one flat ``<g>`` per painter state, not per ``save()``; each lane was
    painted with a font family of its own (``_LANE_TAG`` + lane), which lands on the groups
    that hold its rectangles. Runs of such groups become one lane group, and the marker font
    is dropped (a rectangle has no use for a font). Font families get a generic fallback so
    browsers without DejaVu still draw sans-serif text.
    """
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(data)
    g_tag = f"{{{_SVG_NS}}}g"
    labels = {}
    for index, block in enumerate(slide.timelines):
        prefix = "" if len(slide.timelines) == 1 else f"{_LETTERS[index].lower()}-"
        letter = "" if len(slide.timelines) == 1 else f"{_LETTERS[index]}: "
        for row, lane in enumerate(block.run.trace.lanes):
            labels[f"{prefix}{row}"] = f"{letter}request #{lane.request_id} ({lane.status})"

    def regroup(parent: ET.Element) -> None:
        children = list(parent)
        for child in children:
            parent.remove(child)
        current_key, current = None, None
        for child in children:
            family = child.get("font-family", "")
            if child.tag == g_tag and family.startswith(_LANE_TAG):
                if len(child) == 0:
                    continue  # an empty state group: QSvgGenerator writes one per change
                key = family[len(_LANE_TAG) :]
                for attr in ("font-family", "font-size", "font-weight", "font-style"):
                    child.attrib.pop(attr, None)
                if key != current_key:
                    current_key = key
                    current = ET.SubElement(parent, g_tag, {"id": f"lane-{key}", "class": "lane"})
                    if "-" in key:
                        letter, _, row = key.partition("-")
                        current.set("id", f"{letter}-lane-{row}")
                    ET.SubElement(current, f"{{{_SVG_NS}}}title").text = labels.get(key, key)
                current.append(child)
                continue
            if child.tag == g_tag and len(child) == 0:
                continue
            current_key, current = None, None
            if child.tag == g_tag:
                regroup(child)
            parent.append(child)

    regroup(root)
    for element in root.iter():
        family = element.get("font-family")
        if family and not family.startswith(_LANE_TAG) and "sans-serif" not in family:
            element.set("font-family", f"'{family}', sans-serif")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
