"""Ctrl+C, SIGTERM and SIGHUP for the whole of a command, not only during its run.

A person presses Ctrl+C, a CI job times out (SIGTERM), a terminal is closed (SIGHUP): at any
moment, start-up and export included. Whatever was measured must still be written, whole:

- before the run (start-up, a prediction): nothing was measured; it says so and exits;
- between runs or before the export: what is held is written, then the command exits;
- during a run: the run is stopped (Stop returns within a second) and its outputs written;
- once every request is answered, while Django tidies up after them: the run is complete,
  not stopped; the tidying is cut short, saved as far as it went, and the command exits as
  it would have (0): every answer it was asked to measure is in;
- a second signal during a run: what was measured so far is written at once, atomically,
  and the process exits without waiting for anything;
- during a write: the file being written is finished (and the others after it).

The exit code is 128 + the signal (130 for Ctrl+C). One :class:`Interrupts` is installed by
:func:`app.cli.main.main` for the command; it is not global state, it is handed down.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from simulator.hosting.engine import LiveRun

__all__ = ["HANDLED_SIGNALS", "Interrupts", "exit_now_if_views_linger", "remove_scratch_folder"]

#: The signals handled here; SIGHUP exists only on Unix.
HANDLED_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _note(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"async-lanes: {message}", file=sys.stderr, flush=True)


def remove_scratch_folder() -> None:
    """Remove the site's temporary database folder now (``os._exit`` skips ``atexit``)."""
    conf = sys.modules.get("django.conf")
    settings = getattr(conf, "settings", None)  # None while django.conf is being imported
    if settings is None:
        return
    try:
        folder = getattr(settings, "LANES_SCRATCH_DIR", None) if settings.configured else None
    except Exception:  # settings half made (a signal during start-up): nothing to remove yet
        return
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class Interrupts:
    """The signals a command received, and what to do about the next one."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._live: LiveRun | None = None
        self._stop: Callable[[], object] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._save_now: Callable[[], object] | None = None
        self._writing = False
        self._holding = False
        self._previous: dict[int, object] = {}

    @property
    def exit_code(self) -> int:
        """128 + the first signal received (130 for Ctrl+C)."""
        return 128 + (self.received or signal.SIGINT)

    def install(self) -> None:
        """Handle the signals from now on (main thread only; elsewhere, do nothing). A signal
        the parent ignores stays ignored (``nohup``, a shell's background job)."""
        for sig in HANDLED_SIGNALS:
            with contextlib.suppress(ValueError, OSError):
                if signal.getsignal(sig) is signal.SIG_IGN:
                    continue
                self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous.clear()

    @contextlib.contextmanager
    def watching(
        self,
        live: LiveRun,
        save_now: Callable[[], object] | None = None,
        stop: Callable[[], object] | None = None,
    ) -> Iterator[None]:
        """While a run goes on: a signal calls ``stop`` on the loop (by default
        ``live.stop``); a second one calls ``save_now`` and exits.

        Must be entered on the loop's thread, inside the running loop."""
        import asyncio

        self._live, self._loop, self._save_now = live, asyncio.get_running_loop(), save_now
        self._stop = stop or live.stop
        if self.received is not None:
            self._stop()
        try:
            yield
        finally:
            self._live = self._loop = self._save_now = self._stop = None

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """While the command holds something measured (between A and B, before writing): a
        signal is noted and the command writes what it holds, then exits."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """While outputs are written: a signal is noted, the writing goes on to the end."""
        self._writing = True
        try:
            yield
        finally:
            self._writing = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        if first:
            self.received = signum
        name = signal.Signals(signum).name
        if self._writing:
            _note(f"{name}: finishing the files being written, then stopping")
            return
        live, loop = self._live, self._loop
        if live is None:
            if self._holding and first:
                _note(f"{name}: writing what was measured, then stopping")
                return
            _note(f"{name}: stopped before anything was measured; nothing written")
            remove_scratch_folder()
            os._exit(self.exit_code)
        if first:
            if getattr(live, "every_answered", False):
                _note(
                    f"{name}: every request is answered; cutting Django's tidying up after "
                    "them short and saving the run as measured"
                )
            else:
                _note(
                    f"{name}: stopping (requests still running are abandoned; "
                    "press Ctrl+C again to save what was measured and quit now)"
                )
            # Nothing more is sent from this instant (the loop may be seconds into starting
            # a burst of thousands before it runs the stop below).
            live.stop_sending()
            if loop is not None and not loop.is_closed() and self._stop is not None:
                loop.call_soon_threadsafe(self._stop)
            return
        _note(f"{name} again: saving what was measured and quitting now")
        if self._save_now is not None:
            self._writing = True
            try:
                self._save_now()
            except Exception as exc:  # quitting anyway; say why the files are missing
                _note(f"could not save: {exc}")
        # os._exit skips atexit: a real server's processes are killed here, not left behind.
        sockets = getattr(live, "sockets", None)
        server = getattr(sockets, "server", None)
        if server is not None:
            server.kill()
        remove_scratch_folder()
        os._exit(self.exit_code)


def exit_now_if_views_linger(code: int) -> None:
    """After a stopped run, exit with ``code`` at once: everything is written by now.

    A view in ``time.sleep`` cannot be interrupted, and Python's exit would wait for its
    thread (executor threads are joined at exit): the person who pressed Ctrl+C would wait
    seconds more for nothing. Even with no thread left, Python's own finalization of a run of
    thousands takes a few hundred ms, during which a second Ctrl+C would meet no handler (the
    process would die by the signal instead of exiting 130). stdout and stderr are flushed,
    the scratch folder removed, and the process ends."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    remove_scratch_folder()
    os._exit(code)
