"""Checks that the installed Qt binding is one this app can run on."""

from __future__ import annotations

import sys

__all__ = ["binding_problem"]


def binding_problem() -> str | None:
    """A message if this PySide6 build leaks references to ``True``/``None``, else None.

    PySide6 6.12.0 on Python 3.11 drops a reference to ``True`` on every ``Signal.emit()``
    and to ``None`` on every method returning nothing. qasync emits a signal for every
    callback handed over from another thread, so after a few hundred requests Python frees
    ``True`` and aborts ("Fatal Python error: bool_dealloc"), at exit or even mid-run.
    Python 3.12+ makes these objects immortal, so the leak is harmless there.
    """
    from PySide6 import QtCore

    class _Probe(QtCore.QObject):
        ping = QtCore.Signal()

    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(8):
        probe.ping.emit()
        probe.setObjectName("probe")
    after = sys.getrefcount(True), sys.getrefcount(None)
    if after[0] < before[0] or after[1] < before[1]:
        return (
            f"PySide6 {QtCore.qVersion()} on Python {sys.version.split()[0]} has a reference "
            "counting bug that crashes Python after a few hundred requests. Install a working "
            "version with:  pip install 'PySide6-Essentials>=6.9,<6.12'  (or use Python 3.12+)."
        )
    return None
