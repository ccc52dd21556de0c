"""What a test sets in a child it will signal (the house rule: the test, not its parent,
decides the child's signal handling)."""

from __future__ import annotations

import signal
import sys

#: The signals the tests send; a child starts with each at its default.
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def default_signals() -> None:
    """``preexec_fn`` of a child a test signals: SIGINT, SIGTERM and SIGHUP at their
    defaults, whatever the test process inherited (``nohup`` or a script's ``&`` ignore
    SIGINT and SIGHUP, and the app rightly keeps an ignored signal ignored)."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_DFL)


#: For ``subprocess.Popen(..., **SIGNALLED)``.
SIGNALLED: dict[str, object] = {} if sys.platform == "win32" else {"preexec_fn": default_signals}
