"""Starting and, as carefully, ending the application."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from app.assets import ASSETS, ICON

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.cli.gui_options import GuiOptions
    from app.window.main_window import QtMainWindow

__all__ = ["ASSETS", "create_application", "run_app"]


def _write_json(window: QtMainWindow, path: str) -> int:
    """Every run shown: one run as ``run --json`` writes it; A and B as ``compare --json``
    does, with the verdict on screen (the session's, over every run of a close call).
    Returns an exit status."""
    from simulator.files import write_comparison_json, write_json

    session = window.session
    runs = window.shown_runs()
    try:
        if len(runs) == 1:
            write_json(runs[0], path)
        else:
            from app.session import Side

            every_a, every_b = session.every_run(Side.A), session.every_run(Side.B)
            shown = (runs[0], runs[1])
            write_comparison_json(path, every_a, every_b, session.verdict, shown=shown)
    except OSError as exc:
        print(f"async-lanes: error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, named so QSettings finds its own file."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.qt_application import current_application
    from app.qt_environment import prepare_qt_environment

    if QApplication.instance() is None:
        prepare_qt_environment()
        QApplication(argv if argv is not None else sys.argv[:1])
    app = current_application()
    app.setApplicationName("Django Async Lanes")
    app.setOrganizationName("DjangoAsyncLanes")
    app.setApplicationDisplayName("Django Async Lanes")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    return app


def run_app(argv: list[str] | None = None, *, options: GuiOptions | None = None) -> int:
    """Open the window, run the Qt loop as the asyncio loop, and return the exit code.

    The order of the ending matters: the window closes (stopping any run), the run's task
    ends, then the loop closes (joining qasync's executor), and only then does Python exit.
    """
    from app.display_check import start_display_check
    from app.qt_environment import prepare_qt_environment

    prepare_qt_environment()  # before Qt is asked anything, in the probe's child too
    # Qt's probe child runs while the window's code is imported (seconds, where the probe
    # takes a few hundred ms); its answer is waited for before any QApplication is made.
    with start_display_check() as check:
        import qasync

        from app.qt_compat import binding_problem
        from app.window.main_window import QtMainWindow
        from simulator.hosting.run_options import RunOptions
        from simulator.hosting.site_process import SiteProcess  # the real engine, apart

        problem = check.result()
    if problem is not None:
        print(f"async-lanes: error: {problem}", file=sys.stderr)
        return 2
    if options is not None and options.json is not None:
        from app.cli.outputs import OutputProblem, check_outputs, output_path

        try:  # before the run, as the command line does
            outputs = [("json", output_path("json", options.json))]
            check_outputs(outputs, [("--lesson", options.lesson)])
        except OutputProblem as exc:
            print(f"async-lanes: error: {exc}", file=sys.stderr)
            return exc.code

    problem = binding_problem()
    if problem is not None:
        print(f"async-lanes: error: {problem}", file=sys.stderr)
        return 1
    app = create_application(argv)
    # The window's "closed" signal ends the loop below, once any run has stopped; Qt quitting
    # on its own when the window closes would stop the loop under a run still draining.
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    allowed = tuple(options.allow_host or ()) if options is not None else ()
    # The runs' client connects to a url's host only where the session's check allows it.
    # The site runs in a process of its own, started now: Django has booted by the first
    # click, and the window's drawing shares no GIL or collector with what it measures.
    site = SiteProcess(RunOptions(allowed_hosts=allowed))
    site.start()
    window = QtMainWindow(runner=site)
    window.session.allowed_hosts = allowed
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.show()
    status = 0
    received = _close_on_signals(window)
    with loop:
        if options is not None:
            status = loop.run_until_complete(_follow(window, options))
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(window.session.wait())
    site.close()
    asyncio.set_event_loop(None)
    return 128 + received[0] if received else status


def _close_on_signals(window: QtMainWindow) -> list[int]:
    """Ctrl+C in the window's terminal, SIGTERM or SIGHUP close the window as its close box
    does (the run stops, the loop ends). Python runs signal handlers only between bytecodes,
    and Qt's loop sits in C for as long as nothing happens: a timer wakes it four times a
    second so a signal is seen at once. Returns the signals received (the exit code is
    128 + the first, as on the command line)."""
    import signal

    from PySide6.QtCore import QTimer

    received: list[int] = []

    def close(signum: int, frame: object) -> None:
        received.append(signum)
        print(f"async-lanes: {signal.Signals(signum).name}: closing the window", file=sys.stderr)
        window.close()

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # SIGHUP: Unix only
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, close)
    waker = QTimer(window)
    waker.timeout.connect(lambda: None)
    waker.start(250)
    return received


async def _follow(window: QtMainWindow, options: GuiOptions) -> int:
    """Do what the ``gui`` options ask: load, run, save, quit. Returns the exit status."""
    from simulator.errors import ScenarioError

    status = 0
    if options.presentation:
        window.presentation_action.trigger()
    if options.lesson:
        try:
            window.open_scenario_file(options.lesson)
        except ScenarioError as exc:
            print(f"async-lanes: error: {exc}", file=sys.stderr)
            window.close()
            return 2
    if options.by:
        window.set_by(options.by)
    if not options.run:
        return status
    await asyncio.sleep(0.3)  # let the window map and lay out first
    window.start_run()
    await window.wait_idle()
    await asyncio.sleep(0.5)  # the final frame painted
    runs = window.shown_runs()
    run = runs[-1] if runs else None
    if options.json and run is not None:
        status = _write_json(window, options.json) or status
    if options.screenshot:
        screen = window.screen()
        picture = screen.grabWindow(0)
        if picture.isNull():  # platforms that cannot read the screen (offscreen)
            picture = window.grab()
        if not picture.save(options.screenshot):
            print(f"async-lanes: error: cannot write {options.screenshot}", file=sys.stderr)
            status = 1
    if run is None:
        status = 1
    if options.quit:
        window.close()
    return status
