"""Painting a laid-out slide with any ``QPainter``: an image, an SVG generator, a PDF.

The last of a slide's three steps. The timelines are painted by
:func:`app.timeline.paint.paint_timeline`, the painter behind the window; with
``lanes_apart`` each lane is painted in a painter state of its own, tagged with a font family
no font has (:data:`LANE_TAG`), so that an SVG can group each lane's shapes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from app.slides.layout import WRAP, SlideLayout, TimelineBlock
from app.slides.text import LETTERS
from app.theme import LIGHT, Theme
from app.timeline.figure_bar import TITLE_ELIDE, bar_block_width, paint_figure_bar
from app.timeline.paint import draw_legend, paint_timeline
from simulator.metrics.figures import EMPTY, FIGURE
from simulator.metrics.summary import last_answer_ns

__all__ = ["LANE_TAG", "paint_slide"]

#: A font family no font has: marks each lane's painter state (see ``lanes_apart``).
LANE_TAG = "lanes-export-lane-"


def _draw_line(painter: QPainter, rect: QRectF, font: QFont, colour: QColor, text: str) -> None:
    """Draw ``text`` in ``rect``, wrapped at words if it is longer than a line."""
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(rect, WRAP, text)


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
            room = block.heading_rect.width()
            if block.bar is not None:  # the lesson's figure, at the heading's right
                paint_figure_bar(painter, block.heading_rect, block.bar, theme, slide.fonts.body)
                room -= bar_block_width(slide.fonts.body, block.bar) + 16
            painter.setFont(slide.fonts.heading)
            painter.setPen(fg)
            shown = QFontMetricsF(slide.fonts.heading).elidedText(
                block.heading, TITLE_ELIDE, max(1.0, room)
            )
            painter.drawText(block.heading_rect, Qt.AlignmentFlag.AlignLeft, shown)
        t0 = block.run.trace.t0_ns
        marker = None
        if lanes_apart:
            prefix = "" if len(slide.timelines) == 1 else f"{LETTERS[index].lower()}-"
            marker = _lane_marker(painter, slide.fonts.body, prefix)
        paint_timeline(
            painter,
            block.rect,
            block.rows,
            theme,
            t_from_ns=t0,
            t_to_ns=t0 + slide.t_span_ns,
            font=slide.fonts.body,
            before_lane=marker,
            label_px=slide.label_px,
            rows_room=block.rows_room,
        )
        _paint_end_marker(painter, block, slide.fonts.body, theme)
    draw_legend(
        painter,
        slide.legend_rect,
        theme,
        slide.fonts.body,
        slide.kinds,
        marks=slide.marks,
        thin=slide.hairlines,
    )
    if slide.note_rect is not None and text.note:
        _draw_line(painter, slide.note_rect, slide.fonts.body, muted, text.note)
    for rect, line in zip(slide.metrics_rects, text.metrics, strict=True):
        _draw_line(painter, rect, slide.fonts.metrics, fg, line)
    if slide.verdict_rect is not None and text.verdict:
        _draw_line(painter, slide.verdict_rect, slide.fonts.verdict, fg, text.verdict)
    painter.restore()


def _paint_end_marker(painter: QPainter, block: TimelineBlock, font: QFont, theme: Theme) -> None:
    """A dashed line where the last answer came back, labelled under the lanes (the line
    stops at the last lane where the errors are written under it, not through them)."""
    geo = block.geometry
    trace = block.run.trace
    if not trace.lanes:
        return
    last = last_answer_ns(trace)  # where the makespan ends; with none, the lanes' end
    x = geo.x_of(trace.end_ns if last is None else last)
    label_rect = block.end_label_rect
    painter.save()
    pen = QPen(QColor(theme.foreground), 1.5, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    # (At the last lane where errors may be written under it: through lesson 12's, it struck
    # "yo|ur view".)
    end = label_rect.top()
    if block.rows_room or block.rows.error_texts:
        end = geo.row_top(len(block.rows))
    painter.drawLine(QPointF(x, geo.lanes_top), QPointF(x, end))
    makespan = FIGURE["makespan_ms"].text(block.run.summary)  # a dash: none finished
    label = f"last answer {makespan}" if makespan != EMPTY else "no answer"
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
        tagged.setFamily(f"{LANE_TAG}{prefix}{row}")
        painter.setFont(tagged)

    return mark
