"""File ▸ Open, Save and Export: the dialogs, and what each writes.

The window's session holds what is written: its dials (Save) and the runs on screen
(Export); this module only asks where, and says what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.assets import LESSONS
from app.session import Session, Side
from app.theme import Theme
from simulator.errors import LanesError
from simulator.files import write_chrome_trace, write_csv, write_json
from simulator.files.scenario_file import save_scenario_file
from simulator.trace import Run

__all__ = ["EXPORT_FILTERS", "EXPORT_KINDS", "WindowFiles", "export_runs"]

#: What File ▸ Export can write: kind -> (suffix, picture scale).
EXPORT_KINDS: dict[str, tuple[str, float]] = {
    "png": (".png", 1.0),
    "png2": (".png", 2.0),
    "png4": (".png", 4.0),
    "svg": (".svg", 1.0),
    "pdf": (".pdf", 1.0),
    "json": (".json", 1.0),
    "csv": (".csv", 1.0),
    "trace": (".json", 1.0),
}
EXPORT_FILTERS = {
    "png": "Picture, PNG 1× (*.png)",
    "png2": "Picture, PNG 2× for slides (*.png)",
    "png4": "Picture, PNG 4× for print (*.png)",
    "svg": "Picture, SVG (*.svg)",
    "pdf": "Picture, PDF (*.pdf)",
    "json": "Run data, JSON (*.json)",
    "csv": "Segments, CSV (*.csv)",
    "trace": "Chrome trace for Perfetto (*.json)",
}
NOTHING_TO_EXPORT = "Run the scenario first: there is nothing to export yet."


def export_runs(
    path: str | Path,
    kind: str,
    runs: list[Run],
    shown: Run,
    *,
    title: str | None,
    theme: Theme,
    by: str = "requests",
    verdict: str | None = None,
    figure: str | None = None,
    every_run: Sequence[Sequence[Run]] | None = None,
) -> None:
    """Write ``kind`` (a key of :data:`EXPORT_KINDS`) to ``path``: pictures and the Chrome
    trace hold every run on screen, JSON and CSV the ``shown`` one; pictures lay the lanes
    out ``by`` request or worker, as the screen does, with the ``verdict`` on screen and the
    lesson's ``figure`` leading each line of figures, as the window's figure line does, and
    its bars' median and range from ``every_run`` of each side, as the window's bars."""
    suffix, scale = EXPORT_KINDS[kind]
    if suffix in (".png", ".svg", ".pdf"):
        from app.slides.export import export_picture

        export_picture(
            path,
            runs,
            title=title,
            scale=scale,
            theme=theme,
            by=by,
            verdict_text=verdict,
            figure=figure,
            every_run=every_run,
        )
    elif kind == "trace":
        write_chrome_trace(runs, path)
    elif kind == "csv":
        write_csv(shown, path)
    else:
        write_json(shown, path)


class WindowFiles:
    """The window's file dialogs; folders chosen are remembered in ``settings``.

    ``open_file`` loads a chosen file (raising ``LanesError`` if it cannot be used),
    ``export`` writes ``(path, kind)``, ``say`` puts a line in the status bar.
    """

    def __init__(
        self,
        parent: QWidget,
        settings: QSettings,
        session: Session,
        *,
        open_file: Callable[[str], object],
        export: Callable[[str, str], None],
        say: Callable[[str], None],
    ) -> None:
        self.parent, self.settings, self.session = parent, settings, session
        self._open_file, self._export, self._say = open_file, export, say

    def ask_open(self) -> None:
        folder = str(self.settings.value("files/scenario_dir", str(LESSONS)))
        path, _ = QFileDialog.getOpenFileName(
            self.parent, "Open scenario", folder, "Scenario files (*.toml *.json)"
        )
        if not path:
            return
        self.settings.setValue("files/scenario_dir", str(Path(path).parent))
        try:
            self._open_file(path)
        except LanesError as exc:
            QMessageBox.warning(self.parent, "This scenario file cannot be used", str(exc))

    def ask_save(self) -> None:
        folder = str(self.settings.value("files/scenario_dir", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(
            self.parent,
            "Save scenario",
            str(Path(folder) / "scenario.toml"),
            "TOML (*.toml);;JSON (*.json)",
        )
        if not path:
            return
        self.settings.setValue("files/scenario_dir", str(Path(path).parent))
        try:
            save_scenario_file(path, self.session.to_file())
        except LanesError as exc:
            QMessageBox.warning(self.parent, "The scenario could not be saved", str(exc))
        else:
            self._say(f"Saved {Path(path).name}.")

    def ask_export(self) -> None:
        session = self.session
        if not session.shown_runs():
            self._say(NOTHING_TO_EXPORT)
            return
        folder = Path(str(self.settings.value("files/export_dir", str(Path.home()))))
        filters = {label: kind for kind, label in EXPORT_FILTERS.items()}
        stem = "compare" if session.compare else session.scenario(Side.A).view
        path, chosen = QFileDialog.getSaveFileName(
            self.parent,
            "Export",
            str(folder / f"{stem}.png"),
            ";;".join(filters),
            next(iter(filters)),
        )
        if not path:
            return
        kind = filters.get(chosen, "png")
        suffix = EXPORT_KINDS[kind][0]
        if not path.lower().endswith(suffix):
            path = str(Path(path).with_suffix("")) + suffix
        self.settings.setValue("files/export_dir", str(Path(path).parent))
        try:
            self._export(path, kind)
        except (LanesError, OSError) as exc:
            QMessageBox.warning(self.parent, "Export failed", str(exc))
        else:
            self._say(f"Exported {Path(path).name}.")
