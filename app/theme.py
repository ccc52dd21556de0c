"""Colours, patterns and fonts of the window, in a light and a dark theme.

The segment colours are the Okabe-Ito palette, chosen so that the common forms of colour
blindness still tell the kinds apart; ``io_blocking`` also carries a hatch, so "holds a
thread while waiting" reads even in greyscale or on a washed-out projector.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from simulator.trace import FAILED_LABEL, Kind
from simulator.trace import KIND_LABELS as SEGMENT_LABELS

__all__ = ["KIND_LABELS", "LEGEND_KINDS", "Theme", "DARK", "LIGHT", "apply_theme"]

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

_OKABE_ITO: dict[str, str] = {
    Kind.QUEUED: "#BBBBBB",
    Kind.FRAMEWORK: "#CC79A7",
    Kind.CPU: "#E69F00",
    Kind.IO_WAIT: "#56B4E9",
    Kind.IO_BLOCKING: "#0072B2",
    Kind.THREAD_HOP: "#F0E442",
    FAILED: "#D55E00",
    Kind.CANCELLED: "#999999",
}


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
    kinds: dict[str, str] = field(default_factory=lambda: dict(_OKABE_ITO))

    def color(self, kind: str) -> QColor:
        return QColor(self.kinds.get(kind, self.muted))

    def brush(self, kind: str) -> QBrush:
        """The fill of a segment: hatched where a thread or the loop is held while waiting."""
        if kind == "io_blocking":
            return QBrush(QColor(self.kinds[kind]), Qt.BrushStyle.SolidPattern)
        if kind == "cancelled":
            return QBrush(QColor(self.kinds[kind]), Qt.BrushStyle.BDiagPattern)
        return QBrush(self.color(kind))

    def hatch(self, kind: str) -> QBrush | None:
        """A pattern drawn over the fill, or None."""
        if kind == "io_blocking":
            return QBrush(QColor(255, 255, 255, 150), Qt.BrushStyle.BDiagPattern)
        return None


LIGHT = Theme(
    name="light",
    dark=False,
    background="#FFFFFF",
    foreground="#1A1A1A",
    grid="#E3E3E3",
    muted="#6B6B6B",
    blocked="#B2182B",
    kinds={**_OKABE_ITO, "queued": "#C8C8C8"},
)
DARK = Theme(
    name="dark",
    dark=True,
    background="#1E1F22",
    foreground="#EDEDED",
    grid="#3A3B3F",
    muted="#A0A0A0",
    blocked="#FF6B6B",
    kinds={**_OKABE_ITO, "queued": "#5C5C5C", "cancelled": "#7A7A7A"},
)


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
