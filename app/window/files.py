"""File ▸ Open, Save and Export: the dialogs, and what each writes.

The window's session holds what is written: its dials (Save) and the runs on screen
(Export); this module only asks where, and says what went wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.assets import LESSONS
from app.theme import Theme
from simulator.errors import LanesError
from simulator.files import write_chrome_trace, write_csv, write_json
from simulator.files.scenario_file import save_scenario_file
from simulator.trace import Run

if TYPE_CHECKING:
    from app.window.main_window import QtMainWindow

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
) -> None:
    """Write ``kind`` (a key of :data:`EXPORT_KINDS`) to ``path``: pictures and the Chrome
    trace hold every run on screen, JSON and CSV the ``shown`` one; pictures lay the lanes
    out ``by`` request or worker, as the screen does, with the ``verdict`` on screen."""
    suffix, scale = EXPORT_KINDS[kind]
    if suffix in (".png", ".svg", ".pdf"):
        from app.slides.export import export_picture

        export_picture(
            path, runs, title=title, scale=scale, theme=theme, by=by, verdict_text=verdict
        )
    elif kind == "trace":
        write_chrome_trace(runs, path)
    elif kind == "csv":
        write_csv(shown, path)
    else:
        write_json(shown, path)


class WindowFiles:
    """The window's file dialogs; folders chosen are remembered in its settings."""

    def __init__(self, window: QtMainWindow) -> None:
        self.window = window

    def ask_open(self) -> None:
        w = self.window
        folder = str(w.settings.value("files/scenario_dir", str(LESSONS)))
        path, _ = QFileDialog.getOpenFileName(
            w, "Open scenario", folder, "Scenario files (*.toml *.json)"
        )
        if not path:
            return
        w.settings.setValue("files/scenario_dir", str(Path(path).parent))
        try:
            w.open_scenario_file(path)
        except LanesError as exc:
            QMessageBox.warning(w, "This scenario file cannot be used", str(exc))

    def ask_save(self) -> None:
        w = self.window
        folder = str(w.settings.value("files/scenario_dir", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(
            w,
            "Save scenario",
            str(Path(folder) / "scenario.toml"),
            "TOML (*.toml);;JSON (*.json)",
        )
        if not path:
            return
        w.settings.setValue("files/scenario_dir", str(Path(path).parent))
        try:
            save_scenario_file(path, w.session.to_file())
        except LanesError as exc:
            QMessageBox.warning(w, "The scenario could not be saved", str(exc))
        else:
            w.statusBar().showMessage(f"Saved {Path(path).name}.")

    def ask_export(self) -> None:
        w = self.window
        if not w.session.shown_runs():
            w.statusBar().showMessage(NOTHING_TO_EXPORT)
            return
        folder = Path(str(w.settings.value("files/export_dir", str(Path.home()))))
        filters = {label: kind for kind, label in EXPORT_FILTERS.items()}
        stem = "compare" if w.session.compare else w.dials.scenario.view
        path, chosen = QFileDialog.getSaveFileName(
            w, "Export", str(folder / f"{stem}.png"), ";;".join(filters), next(iter(filters))
        )
        if not path:
            return
        kind = filters.get(chosen, "png")
        suffix = EXPORT_KINDS[kind][0]
        if not path.lower().endswith(suffix):
            path = str(Path(path).with_suffix("")) + suffix
        w.settings.setValue("files/export_dir", str(Path(path).parent))
        try:
            w.export_to(path, kind)
        except (LanesError, OSError) as exc:
            QMessageBox.warning(w, "Export failed", str(exc))
        else:
            w.statusBar().showMessage(f"Exported {Path(path).name}.")
