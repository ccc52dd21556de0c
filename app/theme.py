"""Colours, patterns and fonts of the window and the slides: a light and a dark palette,
both made for projectors.

The segment colours are Okabe-Ito hues (so the common forms of colour blindness still tell
the kinds apart), darkened or lightened until every one has at least 3:1 contrast with its
background and text at least 4.5:1 (WCAG); every kind also has a pattern of its own
(:data:`PATTERNS`), so the lanes read in greyscale and on a washed-out projector.

The contrasts the lessons are about get hues far apart, not two shades of one hue (which a
projector merges): awaiting I/O is sky blue and blocking I/O red (the red of "loop
blocked": held, nothing else runs), CPU orange and waiting for the GIL green. A failed
request's mark is purple, so it stands out at the end of a red blocking bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette, QTransform
from PySide6.QtWidgets import QApplication

from simulator.trace import FAILED_LABEL, KINDS, Kind, Trace
from simulator.trace import KIND_LABELS as SEGMENT_LABELS

__all__ = [
    "DARK",
    "KIND_LABELS",
    "LEGEND_KINDS",
    "LIGHT",
    "PATTERNS",
    "THEMES",
    "Theme",
    "apply_theme",
    "contrast_ratio",
    "kinds_shown",
]

#: The legend's key for a failed request's end mark (a colour, not a segment kind).
FAILED = "error"

#: What the legend calls each kind, in legend order (the labels are the trace's own,
#: :data:`simulator.trace.KIND_LABELS`; a failed request's mark goes before ``cancelled``).
KIND_LABELS: dict[str, str] = {
    **{kind: label for kind, label in SEGMENT_LABELS.items() if kind is not Kind.CANCELLED},
    FAILED: FAILED_LABEL,
    Kind.CANCELLED: SEGMENT_LABELS[Kind.CANCELLED],
}
LEGEND_KINDS = tuple(KIND_LABELS)

#: Every kind's non-colour cue: a pattern over its fill, so the lanes read in greyscale, on a
#: washed-out projector and for colour-blind students (``None``: plain, which is a cue too,
#: since only CPU is plain). The failed mark is a block with the error written beside it.
PATTERNS: dict[str, Qt.BrushStyle | tuple[Qt.BrushStyle, float] | None] = {
    Kind.QUEUED: Qt.BrushStyle.HorPattern,  # lines: waiting in line
    Kind.FRAMEWORK: Qt.BrushStyle.Dense6Pattern,  # dots
    Kind.CPU: None,
    Kind.GIL_WAIT: Qt.BrushStyle.Dense5Pattern,
    Kind.CORE_WAIT: Qt.BrushStyle.Dense7Pattern,
    Kind.IO_WAIT: Qt.BrushStyle.FDiagPattern,
    Kind.IO_BLOCKING: Qt.BrushStyle.DiagCrossPattern,  # crossed: held while waiting
    Kind.THREAD_HOP: Qt.BrushStyle.VerPattern,
    Kind.CLIENT: Qt.BrushStyle.Dense3Pattern,  # dense dots: outside the server
    # Lines, as queued (it may be waiting in line), but three times as far apart.
    Kind.AT_SERVER: (Qt.BrushStyle.HorPattern, 4.5),
    Kind.VIEW: Qt.BrushStyle.CrossPattern,
    Kind.SQL: Qt.BrushStyle.Dense1Pattern,
    Kind.SERVER_TIMING: Qt.BrushStyle.Dense2Pattern,
    Kind.CANCELLED: Qt.BrushStyle.BDiagPattern,
    FAILED: Qt.BrushStyle.Dense4Pattern,
}

#: The light projector palette (the default: daylit rooms wash out dark screens). Okabe-Ito
#: hues, darkened until each has at least 3:1 contrast with the white background.
_LIGHT_KINDS: dict[str, str] = {
    Kind.QUEUED: "#858585",
    Kind.FRAMEWORK: "#AA3377",
    Kind.CPU: "#B35C00",
    Kind.GIL_WAIT: "#1E8C1E",
    Kind.CORE_WAIT: "#6F6552",
    Kind.IO_WAIT: "#2B86C5",
    Kind.IO_BLOCKING: "#A50F15",
    Kind.THREAD_HOP: "#857400",
    Kind.CLIENT: "#3F7F5F",
    Kind.AT_SERVER: "#6E6287",
    Kind.VIEW: "#6A3D9A",
    Kind.SQL: "#007A70",
    Kind.SERVER_TIMING: "#4B5DA8",
    FAILED: "#7B2CBF",
    Kind.CANCELLED: "#545454",
}
#: The dark palette: Okabe-Ito hues, lightened where needed for 3:1 on the dark background.
_DARK_KINDS: dict[str, str] = {
    Kind.QUEUED: "#8E8E8E",
    Kind.FRAMEWORK: "#CC79A7",
    Kind.CPU: "#E69F00",
    Kind.GIL_WAIT: "#5CC85C",
    Kind.CORE_WAIT: "#B8AB94",
    Kind.IO_WAIT: "#8FD3FA",
    Kind.IO_BLOCKING: "#F25C66",
    Kind.THREAD_HOP: "#F0E442",
    Kind.CLIENT: "#7FC97F",
    Kind.AT_SERVER: "#ABA0C8",
    Kind.VIEW: "#B49AE0",
    Kind.SQL: "#2EC4B6",
    Kind.SERVER_TIMING: "#9FB0F0",
    FAILED: "#D58CFF",
    Kind.CANCELLED: "#BDBDBD",
}


def kinds_shown(traces: Sequence[Trace]) -> tuple[str, ...]:
    """The legend's kinds for ``traces``: those some lane shows, in legend order (all of
    them when there is nothing to show yet). Read from the traces' columns: a live frame of
    10,000 lanes has them already (the figures'), and a loop over its segments took 30 ms."""
    seen: set[str] = {
        KINDS[code]
        for trace in traces
        for code in np.flatnonzero(np.bincount(trace.columns.kind, minlength=len(KINDS))).tolist()
    }
    if any(trace.lane_columns.is_status("error").any() for trace in traces):
        seen.add(FAILED)
    return tuple(kind for kind in LEGEND_KINDS if kind in seen) or LEGEND_KINDS


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Theme:
    """Everything the painters need to know about looks."""

    name: str
    dark: bool
    background: str
    foreground: str
    grid: str
    muted: str
    blocked: str
    kinds: dict[str, str] = field(default_factory=lambda: dict(_LIGHT_KINDS))

    def color(self, kind: str) -> QColor:
        return QColor(self.kinds.get(kind, self.muted))

    def brush(self, kind: str) -> QBrush:
        """The fill of a segment (its pattern is :meth:`hatch`, drawn over it)."""
        return QBrush(self.color(kind))

    def hatch(self, kind: str) -> QBrush | None:
        """The kind's pattern, drawn over the fill in a colour that stands out from it."""
        pattern = PATTERNS.get(kind)
        if pattern is None:
            return None
        # Lines that survive a projector: 1.5 times Qt's, or as the kind asks.
        style, scale = pattern if isinstance(pattern, tuple) else (pattern, 1.5)
        ink = QColor(self.text_on(kind))
        ink.setAlpha(150)
        brush = QBrush(ink, style)
        brush.setTransform(QTransform.fromScale(scale, scale))
        return brush

    def text_on(self, kind: str) -> str:
        """Black or white, whichever reads better on ``kind``'s colour."""
        colour = self.kinds.get(kind, self.muted)
        black, white = "#000000", "#FFFFFF"
        return black if contrast_ratio(colour, black) >= contrast_ratio(colour, white) else white


LIGHT = Theme(
    name="light",
    dark=False,
    background="#FFFFFF",
    foreground="#1A1A1A",
    grid="#E3E3E3",
    muted="#595959",
    blocked="#B2182B",
    kinds=dict(_LIGHT_KINDS),
)
DARK = Theme(
    name="dark",
    dark=True,
    background="#1E1F22",
    foreground="#EDEDED",
    grid="#3A3B3F",
    muted="#A8A8A8",
    blocked="#FF6B6B",
    kinds=dict(_DARK_KINDS),
)
THEMES = (LIGHT, DARK)


def apply_theme(app: QApplication, theme: Theme, *, point_size: float | None = None) -> None:
    """Apply ``theme`` to the whole application (Fusion style, which honours palettes)."""
    app.setStyle("Fusion")
    palette = QPalette()
    bg, fg = QColor(theme.background), QColor(theme.foreground)
    base = bg.darker(110) if theme.dark else QColor("#FFFFFF")
    window = QColor("#2B2D31") if theme.dark else QColor("#F3F3F3")
    for role, colour in {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: fg,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.Text: fg,
        QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: fg,
        QPalette.ColorRole.ToolTipBase: QColor("#FFFFE1") if not theme.dark else QColor("#3C3F41"),
        QPalette.ColorRole.ToolTipText: QColor("#000000") if not theme.dark else fg,
        QPalette.ColorRole.Highlight: QColor("#009E73"),  # not a lane colour: plots stay distinct
        QPalette.ColorRole.HighlightedText: QColor("#FFFFFF"),
        QPalette.ColorRole.Mid: QColor(theme.grid),
        QPalette.ColorRole.PlaceholderText: QColor(theme.muted),
    }.items():
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    palette.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted)
    )
    app.setPalette(palette)
    if point_size is not None:
        font = app.font()
        font.setPointSizeF(point_size)
        app.setFont(font)
