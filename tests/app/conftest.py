from __future__ import annotations

import asyncio
import threading

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(scope="session")
def _qt_loop(qapp):
    """The asyncio loop the window uses: Qt's own, through qasync, as in the real app."""
    import qasync

    qapp.setQuitOnLastWindowClosed(False)  # as app.main does: the window ends the loop
    loop = qasync.QEventLoop(qapp)
    yield loop
    loop.close()  # shuts down qasync's executor threads
    asyncio.set_event_loop(None)


@pytest.fixture
def qloop(_qt_loop):
    """Qt's loop, made the current one again for each test: a test in between that called
    ``asyncio.run`` (the command line in-process, the engine) leaves no current loop."""
    asyncio.set_event_loop(_qt_loop)
    return _qt_loop


@pytest.fixture
def settings(tmp_path):
    """A settings file of the test's own, so no test sees the user's (or another test's)."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, qloop, settings):
    """The main window, closed (and its run stopped) at the end of the test."""
    from app.window.main_window import QtMainWindow

    window = QtMainWindow(settings=settings)
    window.resize(1400, 850)
    qtbot.addWidget(window)
    window.show()
    yield window
    if window.session.running:
        window.session.stop()
        qloop.run_until_complete(window.session.wait())


@pytest.fixture
def thread_baseline():
    """Threads alive before the test, to check that none is left behind."""
    return {t.ident for t in threading.enumerate()}
