"""Where the main window's widgets sit: lanes in the centre, dials left, results right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.session import Side

if TYPE_CHECKING:
    from app.window.main_window import QtMainWindow

__all__ = ["build_layout"]


def build_layout(w: QtMainWindow) -> None:
    """Place the widgets: lanes in the centre, dials on the left, results on the right."""
    centre = QWidget()
    column = QVBoxLayout(centre)
    column.setContentsMargins(8, 6, 8, 4)
    column.setSpacing(2)  # every pixel between the parts is one the lanes do not get
    column.addWidget(w.header)
    column.addWidget(w.quiz.panel)
    column.addWidget(w.figure_strip)
    column.addWidget(w.verdict)
    column.addWidget(w.by_tabs)
    for side in Side:
        column.addWidget(w.side_titles[side])
        column.addWidget(w.timelines[side], 1)
    column.addWidget(w.legend)
    column.addWidget(w.replay)
    w.setCentralWidget(centre)

    dials_panel = QWidget()
    dials_column = QVBoxLayout(dials_panel)
    dials_column.addWidget(w.dials_tabs)
    buttons = QHBoxLayout()
    w.run_button = QPushButton("▶  Run")
    w.run_button.setToolTip("Send the requests (F5)")
    w.run_button.clicked.connect(w.run_action.trigger)
    w.stop_button = QPushButton("■  Stop")
    w.stop_button.setToolTip("Stop the run (Esc)")
    w.stop_button.clicked.connect(w.stop_action.trigger)
    w.export_button = QPushButton("Export…")
    w.export_button.setToolTip(
        "Save the timeline as a picture for slides, or the run as data (Ctrl+E)"
    )
    w.export_button.clicked.connect(w.export_action.trigger)
    for button in (w.run_button, w.stop_button, w.export_button):
        button.setMinimumHeight(int(button.sizeHint().height() * 1.4))
        buttons.addWidget(button)
    dials_column.addLayout(buttons)
    dials_column.addStretch(1)
    dials_dock = QDockWidget("Dials", w)
    dials_dock.setObjectName("dialsDock")
    dials_dock.setWidget(dials_panel)
    dials_dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dials_dock)

    w.side_tabs = QTabWidget()
    w.side_tabs.addTab(w.metrics, "Metrics")
    w.side_tabs.addTab(w.code, "Code")
    side_dock = QDockWidget("Results", w)
    side_dock.setObjectName("resultsDock")
    side_dock.setWidget(w.side_tabs)
    side_dock.setFeatures(dials_dock.features())
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, side_dock)
    w.docks = (dials_dock, side_dock)
