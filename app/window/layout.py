"""Where the main window's widgets sit: lanes in the centre, dials left, results right.

Given the widgets and the actions, not the window's class: the window hands in what to place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = ["Placed", "build_layout"]


@dataclass(frozen=True, slots=True)
class Placed:
    """What the layout made: the buttons under the dials, the results' tabs, the docks, and
    the centre's column (each step of a lesson shares its height out anew)."""

    run_button: QPushButton
    stop_button: QPushButton
    export_button: QPushButton
    side_tabs: QTabWidget
    docks: tuple[QDockWidget, QDockWidget]
    column: QVBoxLayout


def _button(text: str, tip: str, action: QAction) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(action.trigger)
    button.setMinimumHeight(int(button.sizeHint().height() * 1.4))
    return button


def build_layout(
    window: QMainWindow,
    *,
    column: Sequence[tuple[QWidget, int]],
    dials: QWidget,
    actions: Mapping[str, QAction],
    results: Sequence[tuple[QWidget, str]],
) -> Placed:
    """Place ``column`` (widget, stretch) in the centre, ``dials`` and the Run/Stop/Export
    buttons on the left, ``results`` (widget, tab title) as tabs on the right."""
    centre = QWidget()
    centre_column = QVBoxLayout(centre)
    centre_column.setContentsMargins(8, 6, 8, 4)
    centre_column.setSpacing(2)  # every pixel between the parts is one the lanes do not get
    for widget, stretch in column:
        centre_column.addWidget(widget, stretch)
    window.setCentralWidget(centre)

    dials_panel = QWidget()
    dials_column = QVBoxLayout(dials_panel)
    dials_column.addWidget(dials)
    buttons = QHBoxLayout()
    run = _button("▶  Run", "Send the requests (F5)", actions["run"])
    stop = _button("■  Stop", "Stop the run (Esc)", actions["stop"])
    export = _button(
        "Export…",
        "Save the timeline as a picture for slides, or the run as data (Ctrl+E)",
        actions["export"],
    )
    for button in (run, stop, export):
        buttons.addWidget(button)
    dials_column.addLayout(buttons)
    dials_column.addStretch(1)
    dials_dock = QDockWidget("Dials", window)
    dials_dock.setObjectName("dialsDock")
    dials_dock.setWidget(dials_panel)
    dials_dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dials_dock)

    side_tabs = QTabWidget()
    for widget, title in results:
        side_tabs.addTab(widget, title)
    side_dock = QDockWidget("Results", window)
    side_dock.setObjectName("resultsDock")
    side_dock.setWidget(_scrolling(side_tabs))
    side_dock.setFeatures(dials_dock.features())
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, side_dock)
    return Placed(run, stop, export, side_tabs, (dials_dock, side_dock), centre_column)


def _scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area that scrolls only when the screen is too short for it.

    The results' figures and plots ask for about 720 px of height: without this, on a
    1280×720 screen the window was taller than the screen, and the legend and the replay
    bar under the lanes fell off its bottom edge. The width stays the widget's own: only
    its height scrolls.
    """
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    scrollbar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(widget.minimumSizeHint().width() + scrollbar)
    return area
