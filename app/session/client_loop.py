"""A run's client on an asyncio loop of a thread of its own, not on the window's loop.

The engine's client sends every request and reads every answer on the loop that awaits
:meth:`~simulator.hosting.engine.LiveRun.run`: thousands of callbacks in a burst at the
start of a big run, and again as its answers come in. On the window's loop (Qt's, through
qasync: a Qt timer per callback) they held the window for seconds at 10,000 requests, a
click waiting behind them. So the session runs each run on a plain asyncio loop in a thread
of its own, as the command line runs it on its own loop: the window's loop only awaits the
outcome and draws. What the session asks of the run while it goes reaches it on its loop
(:meth:`OffLoopRun.stop`, :meth:`OffLoopRun.answered`); snapshots are read from any thread
(the engine takes one at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from simulator.hosting.loops import end_thread_loop
from simulator.trace import Run

from .runner import Answering, RunHandle

__all__ = ["OffLoopRun"]


class OffLoopRun:
    """``handle`` run (:meth:`run`) on a loop of its own thread, if it says it may be
    (``off_loop``, as :class:`~simulator.hosting.engine.LiveRun` does: its run touches no
    loop but its own); else on the caller's loop, as before (a test's handle may share
    asyncio objects with the test's loop)."""

    def __init__(self, handle: RunHandle) -> None:
        self.handle = handle
        self.off_loop = bool(getattr(handle, "off_loop", False))
        self._loop = asyncio.new_event_loop() if self.off_loop else None

    async def run(self) -> Run:
        """Run the handle to its end on its own loop and thread; the caller's loop is free
        meanwhile. Raises what the run raised."""
        if self._loop is None:
            return await self.handle.run()
        caller = asyncio.get_running_loop()
        outcome: asyncio.Future[Run] = caller.create_future()

        def hand_over(result: Run | None, error: BaseException | None) -> None:
            if outcome.cancelled():
                return
            if error is not None:
                outcome.set_exception(error)
            else:
                assert result is not None
                outcome.set_result(result)

        loop = self._loop

        def main() -> None:
            asyncio.set_event_loop(loop)
            try:
                result = loop.run_until_complete(self.handle.run())
            except BaseException as error:  # handed to the caller, raised there
                caller.call_soon_threadsafe(hand_over, None, error)
            else:
                caller.call_soon_threadsafe(hand_over, result, None)
            finally:
                end_thread_loop(loop)

        threading.Thread(target=main, name="async-lanes client", daemon=True).start()
        return await outcome

    def stop(self) -> None:
        """Stop the run, on its loop (it may not have started, or have just ended)."""
        if self._loop is None:
            self.handle.stop()
            return
        with contextlib.suppress(RuntimeError):  # its loop closed: nothing left to stop
            self._loop.call_soon_threadsafe(self.handle.stop)

    async def answered(self) -> None:
        """Return once every request has its answer (an :class:`Answering` handle only)."""
        assert isinstance(self.handle, Answering)
        if self._loop is None:
            await self.handle.answered()
            return
        done = asyncio.run_coroutine_threadsafe(self.handle.answered(), self._loop)
        await asyncio.wrap_future(done)
