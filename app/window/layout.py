"""Where the main window's widgets sit: lanes in the centre, dials left, results right.

Given the widgets and the actions, not the window's class: the window hands in what to place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
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

from app.widgets.reveal_aside import SHARE

__all__ = ["SPLIT_FROM_PX", "DeskDocks", "Placed", "build_layout"]

#: From this window width the dials and the results have a side each; narrower, they share
#: one as tabs, so the lanes stay the biggest thing on the screen (:class:`DeskDocks`).
SPLIT_FROM_PX = 1700


@dataclass(frozen=True, slots=True)
class Placed:
    """What the layout made: the buttons under the dials, the results' tabs, the docks, the
    centre's column (each step of a lesson shares its height out anew) and what is under it."""

    run_button: QPushButton
    stop_button: QPushButton
    export_button: QPushButton
    side_tabs: QTabWidget
    docks: tuple[QDockWidget, QDockWidget]
    column: QVBoxLayout
    #: Under the lanes and the aside, across: the key and the replay bar (and the code, out).
    bottom: QVBoxLayout


def _button(text: str, tip: str, action: QAction) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(action.trigger)
    button.setMinimumHeight(int(button.sizeHint().height() * 1.4))
    return button


def build_layout(
    window: QMainWindow,
    *,
    top: QWidget,
    column: Sequence[tuple[QWidget, int]],
    aside: QWidget,
    bottom: Sequence[QWidget],
    dials: QWidget,
    actions: Mapping[str, QAction],
    results: Sequence[tuple[QWidget, str]],
) -> Placed:
    """Place ``top`` across the centre, under it ``column`` (widget, stretch) with ``aside``
    at its right (:data:`~app.widgets.reveal_aside.SHARE` of the width when shown), and
    ``bottom`` across under both (the key and the replay bar: narrowed beside the aside, the
    key took a line more from the lanes, and they regrouped); ``dials`` and the
    Run/Stop/Export buttons on the left, ``results`` (widget, tab title) as tabs on the
    right."""
    centre = QWidget()
    outer = QVBoxLayout(centre)
    outer.setContentsMargins(8, 6, 8, 4)
    outer.setSpacing(2)  # every pixel between the parts is one the lanes do not get
    outer.addWidget(top, 0)
    body = QHBoxLayout()
    body.setSpacing(8)
    centre_column = QVBoxLayout()
    centre_column.setContentsMargins(0, 0, 0, 0)
    centre_column.setSpacing(2)
    for widget, stretch in column:
        centre_column.addWidget(widget, stretch)
    body.addLayout(centre_column, round(100 * (1 - SHARE)))
    body.addWidget(aside, round(100 * SHARE))
    outer.addLayout(body, 1)
    under = QVBoxLayout()
    under.setContentsMargins(0, 0, 0, 0)
    under.setSpacing(2)
    for widget in bottom:
        under.addWidget(widget, 0)
    outer.addLayout(under, 0)
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
    return Placed(run, stop, export, side_tabs, (dials_dock, side_dock), centre_column, under)


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


class DeskDocks(QObject):
    """The dials and the results beside the lanes, as wide as the window allows.

    Side by side the two docks take about 780 px: on a 1280 px screen the lanes were left 475
    px (37 %), less than the two docks, and a class saw their axis squeezed. Narrower than
    :data:`SPLIT_FROM_PX`, the docks share the left side as two tabs ("Dials", "Results"),
    and the lanes get about 870 px (68 %); from that width on, each has its side again. As a
    run starts, the results' tab comes to the front, so its figures grow beside its lanes.
    A dock the user floated or closed is left where it is.
    """

    def __init__(self, window: QMainWindow, dials: QDockWidget, results: QDockWidget) -> None:
        super().__init__(window)
        self.window, self.dials, self.results = window, dials, results
        # Tabs at the top, as a tab widget has them (Qt puts a dock's under it).
        window.setTabPosition(Qt.DockWidgetArea.LeftDockWidgetArea, QTabWidget.TabPosition.North)
        window.installEventFilter(self)

    @property
    def tabbed(self) -> bool:
        return self.results in self.window.tabifiedDockWidgets(self.dials)

    def fit(self) -> None:
        """Tabs or sides, for the window's width now."""
        docked = not (self.dials.isFloating() or self.results.isFloating())
        if not docked or self.window.isFullScreen():  # presentation mode hides both
            return
        narrow = self.window.width() < SPLIT_FROM_PX
        if narrow and not self.tabbed:
            self.window.tabifyDockWidget(self.dials, self.results)
            self.dials.raise_()
        elif not narrow and self.tabbed:
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.results)

    def show_results(self) -> None:
        """The results' tab in front (a run started), when the docks share one side."""
        if self.tabbed:
            self.results.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize:
            self.fit()
        return False
