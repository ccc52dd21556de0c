from __future__ import annotations

import asyncio
import threading

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(scope="session")
def qloop(qapp):
    """The asyncio loop the window uses: Qt's own, through qasync, as in the real app."""
    import qasync

    qapp.setQuitOnLastWindowClosed(False)  # as app.main does: the window ends the loop
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()  # shuts down qasync's executor threads
    asyncio.set_event_loop(None)


@pytest.fixture
def settings(tmp_path):
    """A settings file of the test's own, so no test sees the user's (or another test's)."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, qloop, settings):
    """The main window, closed (and its run stopped) at the end of the test."""
    from app.qt_main_window import QtMainWindow

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
